package io.propensity.bench.synthetic;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/**
 * An empirical distribution summarised by its percentiles: {@code values[k]} is the {@code k}-th
 * percentile, {@code k = 0..100}, so {@code values[0]} is the minimum and {@code values[100]} the
 * maximum of the sample. Percentiles follow the usual linear-interpolation definition (the one of
 * R's type 7 and NumPy's default): for a sorted sample {@code x} of size {@code n}, the {@code
 * p}-quantile is {@code x[h]} interpolated at {@code h = (n - 1) p}.
 *
 * <p>Sampling ({@link #sample(double)}) inverts this piecewise-linear distribution function, so it
 * reproduces every percentile of the sample and never leaves the sample's range. Serialised to JSON
 * as a plain array of 101 numbers. Immutable.
 */
public final class Quantiles {

    /** Number of stored points: the percentiles 0 to 100. */
    public static final int POINTS = 101;

    private final double[] values;

    private Quantiles(double[] values) {
        if (values.length != POINTS) {
            throw new IllegalArgumentException(
                    "expected " + POINTS + " percentiles, got " + values.length);
        }
        for (int i = 1; i < POINTS; i++) {
            if (!(values[i] >= values[i - 1])) {
                throw new IllegalArgumentException(
                        "percentiles must not decrease, but p"
                                + i
                                + " = "
                                + values[i]
                                + " < p"
                                + (i - 1)
                                + " = "
                                + values[i - 1]);
            }
        }
        this.values = values.clone();
    }

    /** Reads the 101 percentiles, for example from JSON. */
    @JsonCreator
    public static Quantiles ofPercentiles(double[] percentiles) {
        return new Quantiles(percentiles);
    }

    /**
     * Summarises a sample, rounding each percentile to {@code decimals} decimal places so that the
     * committed profile stays readable.
     *
     * @throws IllegalArgumentException when the sample is empty
     */
    public static Quantiles ofSample(double[] sample, int decimals) {
        if (sample.length == 0) {
            throw new IllegalArgumentException("cannot summarise an empty sample");
        }
        double[] sorted = sample.clone();
        Arrays.sort(sorted);
        double scale = Math.pow(10, decimals);
        double[] points = new double[POINTS];
        for (int k = 0; k < POINTS; k++) {
            points[k] = Math.round(interpolate(sorted, k / 100.0) * scale) / scale;
        }
        return new Quantiles(points);
    }

    /** The sample quantile of a sorted array, type 7. */
    static double interpolate(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int low = (int) Math.floor(h);
        int high = Math.min(low + 1, sorted.length - 1);
        return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
    }

    /** The 101 percentiles, a copy. */
    @JsonValue
    public double[] percentiles() {
        return values.clone();
    }

    /** The {@code p}-quantile, {@code 0 <= p <= 1}, interpolated between stored percentiles. */
    public double at(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], was " + p);
        }
        return sample(p);
    }

    /** The median. */
    public double median() {
        return values[50];
    }

    /**
     * Maps a uniform number {@code u} in {@code [0, 1)} to a value of this distribution (inverse
     * transform sampling over the piecewise-linear distribution function).
     */
    public double sample(double u) {
        double h = u * (POINTS - 1);
        int low = Math.min((int) h, POINTS - 2);
        return values[low] + (h - low) * (values[low + 1] - values[low]);
    }

    /** The mean of the piecewise-linear distribution (the average of the segment midpoints). */
    public double mean() {
        double sum = 0;
        for (int i = 0; i < POINTS - 1; i++) {
            sum += (values[i] + values[i + 1]) / 2;
        }
        return sum / (POINTS - 1);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Quantiles && Arrays.equals(values, ((Quantiles) other).values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Quantiles[min="
                + values[0]
                + ", median="
                + values[50]
                + ", p90="
                + values[90]
                + ", max="
                + values[100]
                + "]";
    }
}
