package io.propensity.models;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThresholdPolicyTest {

    // descending: 0.9 P, 0.8 P, 0.7 N, 0.6 P, 0.5 N, 0.4 N, 0.3 P, 0.2 N
    private static final double[] SCORES = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2};
    private static final int[] LABELS = {1, 1, 0, 1, 0, 0, 1, 0};

    @Test
    void shouldPickHighestRecallThatKeepsPrecision() {
        // precision at >= 0.6 is 3/4, at >= 0.3 it is 4/7 (< 0.7): 0.6 is the lowest that keeps 0.7
        ThresholdPolicy.Choice choice =
                ThresholdPolicy.parse("precision:0.7").choose(SCORES, LABELS);
        assertThat(choice.threshold()).isEqualTo(0.6);
        assertThat(choice.precision()).isEqualTo(0.75);
        assertThat(choice.recall()).isEqualTo(0.75);
        assertThat(choice.policy()).contains("precision >= 0.70");
    }

    @Test
    void shouldFallBackToBestF1WhenPrecisionIsOutOfReach() {
        double[] scores = {0.9, 0.8, 0.7};
        int[] labels = {0, 1, 1};
        // precision 0 at 0.9, 1/2 at 0.8, 2/3 at 0.7; F1 at 0.7 = 2*(2/3)*1/(2/3+1) = 0.8, the best
        ThresholdPolicy.Choice choice =
                ThresholdPolicy.parse("precision:0.9").choose(scores, labels);
        assertThat(choice.threshold()).isEqualTo(0.7);
        assertThat(choice.policy()).contains("not reachable").contains("0.667");
    }

    @Test
    void shouldAlertOnTheTopFraction() {
        // top 25% of 8 rows is 2 rows: threshold 0.8
        ThresholdPolicy.Choice choice = ThresholdPolicy.parse("top:25%").choose(SCORES, LABELS);
        assertThat(choice.threshold()).isEqualTo(0.8);
        assertThat(choice.policy()).isEqualTo("alert on the top 25% of validation scores");
    }

    @Test
    void shouldRefuseUnknownPolicies() {
        assertThatThrownBy(() -> ThresholdPolicy.parse("recall:0.5"))
                .hasMessageContaining("precision:0.5, top:5%");
        assertThatThrownBy(() -> ThresholdPolicy.parse("precision:1.5"))
                .hasMessageContaining("(0, 1]");
    }

    @Test
    void shouldPrintAsParsed() {
        assertThat(ThresholdPolicy.parse("precision:0.5")).hasToString("precision:0.5");
        assertThat(ThresholdPolicy.parse("top:5%")).hasToString("top:5%");
    }
}
