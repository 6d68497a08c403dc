package io.propensity.scoring;

import io.propensity.features.FeatureSchema;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CrossCheckTest {

    static Scorer constant(double value) {
        ModelInfo info = new ModelInfo("m", "1", ScorerKind.COMPILED, 1, List.of(), "test", null);
        return new Scorer() {
            @Override
            public ModelInfo info() {
                return info;
            }

            @Override
            public double score(double[] features) {
                return value;
            }
        };
    }

    @Test
    void shouldAcceptDifferencesWithinTheTolerance() {
        List<double[]> rows = List.of(FeatureSchema.newVector());

        assertThat(CrossCheck.disagreement(constant(0.5 + 5e-7), constant(0.5), rows)).isNull();
    }

    @Test
    void shouldReportTheFirstDisagreeingRow() {
        List<double[]> rows = List.of(FeatureSchema.newVector(), FeatureSchema.newVector());

        assertThat(CrossCheck.disagreement(constant(0.5 + 1e-5), constant(0.5), rows))
                .startsWith("compiled and JPMML disagree on check row 1 of 2: 0.50001 vs 0.5");
    }
}
