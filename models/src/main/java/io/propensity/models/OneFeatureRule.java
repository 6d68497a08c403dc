package io.propensity.models;

import java.util.Arrays;

/**
 * The simplest honest baseline: one feature, cut into at most ten quantile bins on the training
 * rows (plus one bin for missing values), each bin scoring its training positive rate with a
 * Laplace prior ({@code (positives + 1) / (rows + 2)}). Its scores are probabilities, so log loss,
 * Brier score and calibration compare fairly with the models.
 */
final class OneFeatureRule {

    private static final int BINS = 10;

    private final int feature;
    private final float[] upperBounds;
    private final double[] binScores;
    private final double missingScore;

    private OneFeatureRule(
            int feature, float[] upperBounds, double[] binScores, double missingScore) {
        this.feature = feature;
        this.upperBounds = upperBounds;
        this.binScores = binScores;
        this.missingScore = missingScore;
    }

    /** Fits the bins of {@code feature} on {@code rows}. */
    static OneFeatureRule fit(ExampleSet examples, int feature, int[] rows) {
        float[] values = new float[rows.length];
        int present = 0;
        for (int row : rows) {
            float value = examples.feature(row, feature);
            if (!Float.isNaN(value)) {
                values[present++] = value;
            }
        }
        float[] sorted = Arrays.copyOf(values, present);
        Arrays.sort(sorted);
        // distinct decile values are the bins' inclusive upper bounds; the last bin is open
        float[] bounds = new float[BINS];
        int count = 0;
        for (int b = 1; b < BINS && sorted.length > 0; b++) {
            float bound = sorted[(int) ((long) b * (sorted.length - 1) / BINS)];
            if (count == 0 || bound > bounds[count - 1]) {
                bounds[count++] = bound;
            }
        }
        bounds = Arrays.copyOf(bounds, count);
        long[] binRows = new long[count + 1];
        long[] binPositives = new long[count + 1];
        long missingRows = 0;
        long missingPositives = 0;
        for (int row : rows) {
            float value = examples.feature(row, feature);
            if (Float.isNaN(value)) {
                missingRows++;
                missingPositives += examples.label(row);
            } else {
                int bin = bin(bounds, value);
                binRows[bin]++;
                binPositives[bin] += examples.label(row);
            }
        }
        double[] scores = new double[count + 1];
        for (int b = 0; b <= count; b++) {
            scores[b] = (binPositives[b] + 1.0) / (binRows[b] + 2.0);
        }
        return new OneFeatureRule(
                feature, bounds, scores, (missingPositives + 1.0) / (missingRows + 2.0));
    }

    /** The scores of the rows. */
    double[] score(ExampleSet examples, int[] rows) {
        double[] out = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            float value = examples.feature(rows[r], feature);
            out[r] = Float.isNaN(value) ? missingScore : binScores[bin(upperBounds, value)];
        }
        return out;
    }

    private static int bin(float[] bounds, float value) {
        int bin = 0;
        while (bin < bounds.length && value > bounds[bin]) {
            bin++;
        }
        return bin;
    }
}
