package io.propensity.models;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Binary-classification metrics over probabilities, computed the textbook way so a reader can check
 * them by hand.
 *
 * <p>Every method takes {@code scores} (probabilities of the positive class, or any ranking score
 * for the two AUCs) and {@code labels} (0 or 1) of equal length. Ties between scores are treated as
 * one threshold, never broken by input order, so the results do not depend on row order.
 */
public final class Metrics {

    /** Number of equal-width probability bins of {@link #expectedCalibrationError}. */
    public static final int CALIBRATION_BINS = 10;

    private static final double EPSILON = 1e-15;

    private Metrics() {}

    /** All five metrics of one scorer on one data set. */
    public record MetricSet(
            double rocAuc, double prAuc, double logLoss, double brier, double calibrationError) {

        /** Computes all of them. */
        public static MetricSet of(double[] scores, int[] labels) {
            return new MetricSet(
                    Metrics.rocAuc(scores, labels),
                    Metrics.averagePrecision(scores, labels),
                    Metrics.logLoss(scores, labels),
                    Metrics.brier(scores, labels),
                    Metrics.expectedCalibrationError(scores, labels));
        }
    }

    /**
     * Area under the ROC curve: the probability that a random positive scores above a random
     * negative, ties counting one half (Mann-Whitney U with average ranks).
     *
     * @throws IllegalArgumentException when one class is absent
     */
    public static double rocAuc(double[] scores, int[] labels) {
        check(scores, labels);
        Integer[] order = ascending(scores);
        long positives = 0;
        double positiveRankSum = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            // ranks i+1 .. j+1 share their average
            double averageRank = (i + 1 + j + 1) / 2.0;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] == 1) {
                    positives++;
                    positiveRankSum += averageRank;
                }
            }
            i = j + 1;
        }
        long negatives = scores.length - positives;
        requireBothClasses(positives, negatives);
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double) positives * negatives);
    }

    /**
     * Area under the precision-recall curve as average precision: the sum over distinct thresholds,
     * from the highest score down, of (recall gained) x (precision at that threshold). This is the
     * step-wise estimate, not the optimistic trapezoid.
     *
     * @throws IllegalArgumentException when there is no positive
     */
    public static double averagePrecision(double[] scores, int[] labels) {
        check(scores, labels);
        long positives = Arrays.stream(labels).filter(label -> label == 1).count();
        if (positives == 0) {
            throw new IllegalArgumentException("average precision needs at least one positive");
        }
        Integer[] order = descending(scores);
        double area = 0;
        long truePositives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            long gained = 0;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                gained += labels[order[j]];
                j++;
            }
            truePositives += gained;
            double precision = truePositives / (double) j;
            area += (gained / (double) positives) * precision;
            i = j;
        }
        return area;
    }

    /** Mean negative log-likelihood, natural log, probabilities clipped to [1e-15, 1 - 1e-15]. */
    public static double logLoss(double[] scores, int[] labels) {
        check(scores, labels);
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double p = Math.min(Math.max(scores[i], EPSILON), 1 - EPSILON);
            sum -= labels[i] == 1 ? Math.log(p) : Math.log(1 - p);
        }
        return sum / scores.length;
    }

    /** Mean squared difference between probability and label. */
    public static double brier(double[] scores, int[] labels) {
        check(scores, labels);
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double difference = scores[i] - labels[i];
            sum += difference * difference;
        }
        return sum / scores.length;
    }

    /**
     * Expected calibration error over {@link #CALIBRATION_BINS} equal-width bins of [0, 1] (bin
     * {@code b} holds [b/10, (b+1)/10), the last one also 1.0): the row-weighted mean of |mean
     * probability - positive rate| per bin.
     */
    public static double expectedCalibrationError(double[] scores, int[] labels) {
        check(scores, labels);
        CalibrationBin[] bins = calibrationBins(scores, labels);
        double error = 0;
        for (CalibrationBin bin : bins) {
            if (bin.rows() > 0) {
                error += bin.rows() * Math.abs(bin.meanScore() - bin.positiveRate());
            }
        }
        return error / scores.length;
    }

    /** One bin of a reliability diagram. */
    public record CalibrationBin(
            double lower, double upper, long rows, double meanScore, double positiveRate) {}

    /** The {@link #CALIBRATION_BINS} bins of a reliability diagram (empty bins have 0 rows). */
    public static CalibrationBin[] calibrationBins(double[] scores, int[] labels) {
        check(scores, labels);
        long[] rows = new long[CALIBRATION_BINS];
        double[] scoreSums = new double[CALIBRATION_BINS];
        long[] positives = new long[CALIBRATION_BINS];
        for (int i = 0; i < scores.length; i++) {
            int bin =
                    Math.min((int) Math.floor(scores[i] * CALIBRATION_BINS), CALIBRATION_BINS - 1);
            bin = Math.max(bin, 0);
            rows[bin]++;
            scoreSums[bin] += scores[i];
            positives[bin] += labels[i];
        }
        CalibrationBin[] bins = new CalibrationBin[CALIBRATION_BINS];
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            bins[b] =
                    new CalibrationBin(
                            b / (double) CALIBRATION_BINS,
                            (b + 1) / (double) CALIBRATION_BINS,
                            rows[b],
                            rows[b] == 0 ? Double.NaN : scoreSums[b] / rows[b],
                            rows[b] == 0 ? Double.NaN : positives[b] / (double) rows[b]);
        }
        return bins;
    }

    /**
     * The points of the ROC curve, one per distinct threshold from the highest score down, starting
     * at (0, 0): {@code [falsePositiveRates, truePositiveRates]}.
     */
    public static double[][] rocCurve(double[] scores, int[] labels) {
        Counts counts = counts(scores, labels);
        double[] fpr = new double[counts.size() + 1];
        double[] tpr = new double[counts.size() + 1];
        for (int k = 0; k < counts.size(); k++) {
            fpr[k + 1] = counts.falsePositives[k] / (double) counts.negatives;
            tpr[k + 1] = counts.truePositives[k] / (double) counts.positives;
        }
        return new double[][] {fpr, tpr};
    }

    /**
     * The points of the precision-recall curve, one per distinct threshold from the highest score
     * down: {@code [recalls, precisions, thresholds]}.
     */
    public static double[][] precisionRecallCurve(double[] scores, int[] labels) {
        Counts counts = counts(scores, labels);
        double[] recall = new double[counts.size()];
        double[] precision = new double[counts.size()];
        double[] threshold = new double[counts.size()];
        for (int k = 0; k < counts.size(); k++) {
            long flagged = counts.truePositives[k] + counts.falsePositives[k];
            recall[k] = counts.truePositives[k] / (double) counts.positives;
            precision[k] = counts.truePositives[k] / (double) flagged;
            threshold[k] = counts.thresholds[k];
        }
        return new double[][] {recall, precision, threshold};
    }

    /** Cumulative confusion counts at each distinct threshold, highest first. */
    static Counts counts(double[] scores, int[] labels) {
        check(scores, labels);
        Integer[] order = descending(scores);
        int distinct = 0;
        double[] thresholds = new double[scores.length];
        long[] tp = new long[scores.length];
        long[] fp = new long[scores.length];
        long truePositives = 0;
        long falsePositives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                if (labels[order[j]] == 1) {
                    truePositives++;
                } else {
                    falsePositives++;
                }
                j++;
            }
            thresholds[distinct] = scores[order[i]];
            tp[distinct] = truePositives;
            fp[distinct] = falsePositives;
            distinct++;
            i = j;
        }
        requireBothClasses(truePositives, falsePositives);
        return new Counts(
                Arrays.copyOf(thresholds, distinct),
                Arrays.copyOf(tp, distinct),
                Arrays.copyOf(fp, distinct),
                truePositives,
                falsePositives);
    }

    /** Confusion counts per threshold: alert when score >= thresholds[k]. */
    record Counts(
            double[] thresholds,
            long[] truePositives,
            long[] falsePositives,
            long positives,
            long negatives) {
        int size() {
            return thresholds.length;
        }
    }

    private static Integer[] ascending(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        return order;
    }

    private static Integer[] descending(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        return order;
    }

    private static void check(double[] scores, int[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(
                    scores.length + " scores but " + labels.length + " labels");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("no rows to evaluate");
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score of row " + i + " is NaN");
            }
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException(
                        "label of row " + i + " is " + labels[i] + ", expected 0 or 1");
            }
        }
    }

    private static void requireBothClasses(long positives, long negatives) {
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException(
                    "needs both classes, got "
                            + positives
                            + " positives and "
                            + negatives
                            + " negatives");
        }
    }
}
