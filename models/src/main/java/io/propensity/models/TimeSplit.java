package io.propensity.models;

import java.util.Arrays;

/**
 * The split of examples by time into training and validation, with a purge so that no label seen in
 * training depends on what happened after the cut.
 *
 * <p>The cut is the example time below which {@code 1 - validationFraction} of the examples lie.
 * Training holds the examples whose whole label window ends at or before the cut; validation the
 * examples at or after the cut. Examples before the cut whose label window crosses it are purged
 * (used by neither), because their labels look into the validation period. Features of validation
 * examples may use history from before the cut: the job has that history too.
 *
 * <p>Early stopping needs data the booster does not fit, yet the validation set must stay untouched
 * for honest metrics, so a fixed share of users (chosen by a seeded hash of the user id) is held
 * out of the training period as the early-stopping set.
 */
public record TimeSplit(
        long cutMillis, int[] fit, int[] earlyStopping, int[] validation, int purged) {

    /** Splits the examples. */
    public static TimeSplit of(
            ExampleSet examples,
            double validationFraction,
            double earlyStoppingFraction,
            long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException(
                    "validation fraction must be in (0, 1), was " + validationFraction);
        }
        if (examples.size() == 0) {
            throw new IllegalArgumentException("no labelled examples to split");
        }
        long[] sorted = new long[examples.size()];
        for (int row = 0; row < sorted.length; row++) {
            sorted[row] = examples.time(row);
        }
        Arrays.sort(sorted);
        long cut = sorted[(int) Math.floor((1 - validationFraction) * (sorted.length - 1))];
        int[] fit = new int[examples.size()];
        int[] stopping = new int[examples.size()];
        int[] validation = new int[examples.size()];
        int fitCount = 0;
        int stoppingCount = 0;
        int validationCount = 0;
        int purged = 0;
        for (int row = 0; row < examples.size(); row++) {
            if (examples.time(row) >= cut) {
                validation[validationCount++] = row;
            } else if (examples.labelEnd(row) > cut) {
                purged++;
            } else if (isEarlyStoppingUser(examples.userId(row), earlyStoppingFraction, seed)) {
                stopping[stoppingCount++] = row;
            } else {
                fit[fitCount++] = row;
            }
        }
        return new TimeSplit(
                cut,
                Arrays.copyOf(fit, fitCount),
                Arrays.copyOf(stopping, stoppingCount),
                Arrays.copyOf(validation, validationCount),
                purged);
    }

    /** All training-period rows: fit and early stopping. */
    public int[] training() {
        int[] all = Arrays.copyOf(fit, fit.length + earlyStopping.length);
        System.arraycopy(earlyStopping, 0, all, fit.length, earlyStopping.length);
        Arrays.sort(all);
        return all;
    }

    /** Whether a user belongs to the early-stopping share; stable across JVMs and runs. */
    static boolean isEarlyStoppingUser(String userId, double fraction, long seed) {
        // String.hashCode is specified by the JLS, and the mix (SplitMix64's finalizer) spreads it
        long z = userId.hashCode() + seed * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        double unit = (z >>> 11) * 0x1.0p-53;
        return unit < fraction;
    }
}
