package io.propensity.models;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {

    // four rows: negatives score 0.1 and 0.4, positives 0.35 and 0.8
    private static final double[] SCORES = {0.1, 0.4, 0.35, 0.8};
    private static final int[] LABELS = {0, 0, 1, 1};

    @Test
    void shouldCountPairsForRocAuc() {
        // positive/negative pairs: (0.35 vs 0.1) win, (0.35 vs 0.4) lose, 0.8 wins both: 3 of 4
        assertThat(Metrics.rocAuc(SCORES, LABELS)).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void shouldCountTiedPairsAsHalfInRocAuc() {
        // pairs: (0.5 vs 0.5) half, (0.5 vs 0.2) win, (0.9 vs both) wins: 3.5 of 4
        double[] scores = {0.5, 0.5, 0.2, 0.9};
        int[] labels = {1, 0, 0, 1};
        assertThat(Metrics.rocAuc(scores, labels)).isCloseTo(3.5 / 4, within(1e-12));
    }

    @Test
    void shouldSumRecallStepsTimesPrecisionForAveragePrecision() {
        // descending: 0.8 (pos) P=1 R=0.5; 0.4 (neg); 0.35 (pos) P=2/3 R=1
        double expected = 0.5 * 1.0 + 0.5 * (2.0 / 3.0);
        assertThat(Metrics.averagePrecision(SCORES, LABELS)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void shouldTreatTiedScoresAsOneThresholdInAveragePrecision() {
        // one threshold holding 1 positive and 1 negative: precision 1/2 over all the recall
        double[] scores = {0.7, 0.7};
        int[] labels = {1, 0};
        assertThat(Metrics.averagePrecision(scores, labels)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void shouldAverageNegativeLogLikelihood() {
        double expected = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4;
        assertThat(Metrics.logLoss(SCORES, LABELS)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void shouldClipCertainMistakesInLogLoss() {
        double loss = Metrics.logLoss(new double[] {0.0}, new int[] {1});
        assertThat(loss).isCloseTo(-Math.log(1e-15), within(1e-9));
    }

    @Test
    void shouldAverageSquaredErrorsForBrier() {
        // (0.1^2 + 0.4^2 + 0.65^2 + 0.2^2) / 4
        assertThat(Metrics.brier(SCORES, LABELS)).isCloseTo(0.158125, within(1e-12));
    }

    @Test
    void shouldWeightBinGapsForCalibrationError() {
        // one row per bin: |0.1-0| + |0.35-1| + |0.4-0| + |0.8-1| over 4 rows
        assertThat(Metrics.expectedCalibrationError(SCORES, LABELS))
                .isCloseTo((0.1 + 0.65 + 0.4 + 0.2) / 4, within(1e-12));
    }

    @Test
    void shouldPoolRowsOfOneBinBeforeTakingTheGap() {
        // both rows in bin [0.2, 0.3): mean score 0.25, positive rate 0.5, gap 0.25
        double[] scores = {0.2, 0.3 - 1e-9};
        int[] labels = {1, 0};
        assertThat(Metrics.expectedCalibrationError(scores, labels)).isCloseTo(0.25, within(1e-8));
        // a score of exactly 1 falls in the last bin
        assertThat(Metrics.expectedCalibrationError(new double[] {1.0}, new int[] {1}))
                .isCloseTo(0.0, within(1e-12));
    }

    @Test
    void shouldTraceRocCurveFromOrigin() {
        double[][] roc = Metrics.rocCurve(SCORES, LABELS);
        assertThat(roc[0]).containsExactly(0, 0, 0.5, 0.5, 1.0);
        assertThat(roc[1]).containsExactly(0, 0.5, 0.5, 1.0, 1.0);
    }

    @Test
    void shouldRefuseSingleClassForRocAuc() {
        assertThatThrownBy(() -> Metrics.rocAuc(new double[] {0.2, 0.3}, new int[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 positives and 0 negatives");
    }
}
