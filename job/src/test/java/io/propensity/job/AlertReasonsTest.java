package io.propensity.job;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ExplanationMethod;
import io.propensity.scoring.ModelInfo;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The top reasons of an alert, from a scorer whose contributions are written by hand. */
class AlertReasonsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Contributions: 0.5 on carts, -0.9 on views, 0.2 and -0.2 on two more, 0 elsewhere. */
    private static final class HandScorer implements Scorer {
        final ExplanationMethod method;

        HandScorer(ExplanationMethod method) {
            this.method = method;
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo("m", "v", ScorerKind.COMPILED, 1, List.of(), "hand", null);
        }

        @Override
        public double score(double[] features) {
            return 0.5;
        }

        @Override
        public boolean supportsContributions() {
            return method != ExplanationMethod.NONE;
        }

        @Override
        public ExplanationMethod explanationMethod() {
            return method;
        }

        @Override
        public double contributions(double[] features, double[] out) {
            java.util.Arrays.fill(out, 0);
            out[FeatureSchema.CART_COUNT_24H] = 0.5;
            out[FeatureSchema.VIEW_COUNT_24H] = -0.9;
            out[FeatureSchema.SESSIONS_7D] = 0.2;
            out[FeatureSchema.HOUR_OF_DAY] = -0.2;
            return -1.25;
        }
    }

    private static double[] features() {
        double[] features = new double[FeatureSchema.size()];
        features[FeatureSchema.CART_COUNT_24H] = 3;
        features[FeatureSchema.VIEW_COUNT_24H] = Double.NaN;
        features[FeatureSchema.SESSIONS_7D] = 4;
        return features;
    }

    @Test
    void shouldListTheLargestAbsoluteContributionsFirstWithValuesAndSigns() throws Exception {
        AlertReasons reasons =
                AlertReasons.explain(
                        new HandScorer(ExplanationMethod.TREE_SHAP),
                        features(),
                        3,
                        new double[FeatureSchema.size()]);

        ObjectNode json = JSON.createObjectNode();
        reasons.writeInto(json);
        // the 0.2 tie between sessions_7d and hour_of_day goes to the earlier schema feature
        assertThat(json.get("reasons").toString())
                .isEqualTo(
                        "{\"explanation_method\":\"tree_shap\",\"expected_value\":-1.25,"
                                + "\"features\":["
                                + "{\"name\":\"view_count_24h\",\"value\":null,"
                                + "\"contribution\":-0.9},"
                                + "{\"name\":\"cart_count_24h\",\"value\":3.0,"
                                + "\"contribution\":0.5},"
                                + "{\"name\":\"sessions_7d\",\"value\":4.0,"
                                + "\"contribution\":0.2}]}");
    }

    @Test
    void shouldLeaveOutFeaturesThatContributeNothing() {
        AlertReasons reasons =
                AlertReasons.explain(
                        new HandScorer(ExplanationMethod.SAABAS_APPROXIMATE),
                        features(),
                        10,
                        new double[FeatureSchema.size()]);

        assertThat(reasons.names())
                .containsExactly("view_count_24h", "cart_count_24h", "sessions_7d", "hour_of_day");
        assertThat(reasons.method()).isEqualTo(ExplanationMethod.SAABAS_APPROXIMATE);
    }

    @Test
    void shouldSayNoneWithoutFeaturesWhenTheScorerCannotExplain() throws Exception {
        AlertReasons reasons =
                AlertReasons.explain(
                        new HandScorer(ExplanationMethod.NONE),
                        features(),
                        3,
                        new double[FeatureSchema.size()]);

        ObjectNode json = JSON.createObjectNode();
        reasons.writeInto(json);
        assertThat(json.get("reasons").toString())
                .isEqualTo(
                        "{\"explanation_method\":\"none\",\"expected_value\":null,"
                                + "\"features\":[]}");
    }
}
