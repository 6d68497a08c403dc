package io.propensity.models;

import java.util.Locale;

/**
 * How the alert threshold is chosen from validation scores. Two policies:
 *
 * <ul>
 *   <li>{@code precision:P}: the threshold with the highest recall whose precision is at least P
 *       (for example {@code precision:0.5}); when no threshold reaches P, the one with the best F1,
 *       and the card says so.
 *   <li>{@code top:K%}: alert on the top K percent of scores (for example {@code top:5%}).
 * </ul>
 *
 * <p>The job alerts when a score is at or above the chosen value, so the threshold is always one of
 * the validation scores.
 */
public final class ThresholdPolicy {

    private final boolean precisionPolicy;
    private final double target;

    private ThresholdPolicy(boolean precisionPolicy, double target) {
        this.precisionPolicy = precisionPolicy;
        this.target = target;
    }

    /** Highest recall with precision at least {@code minPrecision}. */
    public static ThresholdPolicy minPrecision(double minPrecision) {
        if (!(minPrecision > 0 && minPrecision <= 1)) {
            throw new IllegalArgumentException(
                    "minimum precision must be in (0, 1], was " + minPrecision);
        }
        return new ThresholdPolicy(true, minPrecision);
    }

    /** The top {@code fraction} of scores (0.05 for the top 5%). */
    public static ThresholdPolicy topFraction(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("top fraction must be in (0, 1], was " + fraction);
        }
        return new ThresholdPolicy(false, fraction);
    }

    /**
     * Parses {@code precision:0.5} or {@code top:5%}.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static ThresholdPolicy parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("precision:")) {
                return minPrecision(Double.parseDouble(value.substring("precision:".length())));
            }
            if (value.startsWith("top:") && value.endsWith("%")) {
                return topFraction(
                        Double.parseDouble(value.substring(4, value.length() - 1)) / 100.0);
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted forms
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not a threshold policy (examples: precision:0.5, top:5%)");
    }

    /** The chosen threshold and the policy in words, as the model card states it. */
    public record Choice(double threshold, String policy, double precision, double recall) {}

    /** Chooses the threshold on these scores and labels. */
    public Choice choose(double[] scores, int[] labels) {
        Metrics.Counts counts = Metrics.counts(scores, labels);
        if (precisionPolicy) {
            int best = -1;
            for (int k = 0; k < counts.size(); k++) {
                // thresholds go down as k goes up, so recall never decreases: the last k that
                // still meets the precision is the highest recall
                if (precision(counts, k) >= target) {
                    best = k;
                }
            }
            String wanted =
                    String.format(
                            Locale.ROOT,
                            "highest recall with precision >= %.2f on the validation set",
                            target);
            if (best >= 0) {
                return choice(counts, best, wanted);
            }
            int bestF1 = 0;
            for (int k = 1; k < counts.size(); k++) {
                if (f1(counts, k) > f1(counts, bestF1)) {
                    bestF1 = k;
                }
            }
            double maxPrecision = 0;
            for (int k = 0; k < counts.size(); k++) {
                maxPrecision = Math.max(maxPrecision, precision(counts, k));
            }
            return choice(
                    counts,
                    bestF1,
                    String.format(
                            Locale.ROOT,
                            "%s was not reachable (best precision %.3f); fell back to the"
                                    + " threshold with the highest F1",
                            wanted,
                            maxPrecision));
        }
        long wantedAlerts = (long) Math.ceil(target * scores.length);
        int chosen = 0;
        for (int k = 0; k < counts.size(); k++) {
            if (counts.truePositives()[k] + counts.falsePositives()[k] > wantedAlerts) {
                break;
            }
            chosen = k;
        }
        return choice(
                counts,
                chosen,
                String.format(
                        Locale.ROOT,
                        "alert on the top %s%% of validation scores",
                        trim(target * 100)));
    }

    @Override
    public String toString() {
        return precisionPolicy ? "precision:" + trim(target) : "top:" + trim(target * 100) + "%";
    }

    private static Choice choice(Metrics.Counts counts, int k, String policy) {
        return new Choice(
                counts.thresholds()[k],
                policy,
                precision(counts, k),
                counts.truePositives()[k] / (double) counts.positives());
    }

    private static double precision(Metrics.Counts counts, int k) {
        return counts.truePositives()[k]
                / (double) (counts.truePositives()[k] + counts.falsePositives()[k]);
    }

    private static double f1(Metrics.Counts counts, int k) {
        double precision = precision(counts, k);
        double recall = counts.truePositives()[k] / (double) counts.positives();
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    private static String trim(double value) {
        return value == Math.rint(value)
                ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%s", value);
    }
}
