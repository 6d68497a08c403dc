package io.propensity.models;

import io.propensity.features.FeatureSchema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled training examples in columns: a row-major float matrix of {@link FeatureSchema} vectors
 * (NaN for missing, as XGBoost and the PMML with {@code input_float} read them), the label, the
 * example time and the end of its label window, and the user.
 *
 * <p>Features are narrowed to float once here, so XGBoost, the PMML parity gate and the baselines
 * all see the very same values.
 */
public final class ExampleSet {

    private final int width = FeatureSchema.size();
    private float[] features = new float[1024 * width];
    private int[] labels = new int[1024];
    private long[] times = new long[1024];
    private long[] labelEnds = new long[1024];
    private int[] users = new int[1024];
    private final List<String> userIds = new ArrayList<>();
    private int size;

    /** Registers a user and returns the index to pass to {@link #add}. */
    public int addUser(String userId) {
        userIds.add(userId);
        return userIds.size() - 1;
    }

    /** Appends one example. */
    public void add(int user, long timeMillis, long labelEndMillis, double[] vector, int label) {
        if (vector.length != width) {
            throw new IllegalArgumentException(
                    "feature vector has " + vector.length + " values, expected " + width);
        }
        if (size == labels.length) {
            int capacity = size * 2;
            features = Arrays.copyOf(features, capacity * width);
            labels = Arrays.copyOf(labels, capacity);
            times = Arrays.copyOf(times, capacity);
            labelEnds = Arrays.copyOf(labelEnds, capacity);
            users = Arrays.copyOf(users, capacity);
        }
        int offset = size * width;
        for (int i = 0; i < width; i++) {
            features[offset + i] = (float) vector[i];
        }
        labels[size] = label;
        times[size] = timeMillis;
        labelEnds[size] = labelEndMillis;
        users[size] = user;
        size++;
    }

    /** Number of examples. */
    public int size() {
        return size;
    }

    /** Features per example. */
    public int width() {
        return width;
    }

    /** The label (0 or 1) of a row. */
    public int label(int row) {
        return labels[row];
    }

    /** The example time of a row: the event time or the inactivity check time. */
    public long time(int row) {
        return times[row];
    }

    /** The end of the row's label window. */
    public long labelEnd(int row) {
        return labelEnds[row];
    }

    /** The user id of a row. */
    public String userId(int row) {
        return userIds.get(users[row]);
    }

    /** One feature value of a row. */
    public float feature(int row, int feature) {
        return features[row * width + feature];
    }

    /** The rows' features, row-major, as one array for XGBoost. */
    public float[] matrix(int[] rows) {
        float[] out = new float[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(features, rows[r] * width, out, r * width, width);
        }
        return out;
    }

    /** The row's features widened back to double, as the job hands them to a scorer. */
    public double[] vector(int row) {
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = features[row * width + i];
        }
        return out;
    }

    /** The labels of the rows. */
    public int[] labels(int[] rows) {
        int[] out = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = labels[rows[r]];
        }
        return out;
    }

    /** The number of positive rows among {@code rows}. */
    public long positives(int[] rows) {
        long count = 0;
        for (int row : rows) {
            count += labels[row];
        }
        return count;
    }
}
