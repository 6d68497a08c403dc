package io.propensity.job;

import io.propensity.features.FeatureConfig;
import io.propensity.features.InactivitySchedule;
import io.propensity.scoring.ScorerKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The hand-written test models in {@code src/test/resources/test-models} and the rules built on
 * them. Their scores are easy to compute by hand:
 *
 * <ul>
 *   <li>purchase-intent margin = (session_carts &lt; 0.5 ? -2 : 1) + (cart_count_1h &lt; 1.5 ? -0.5
 *       : 1.5) + (seconds_since_previous_event missing ? 0 : &lt; 60 ? 0.25 : -0.25), threshold
 *       0.9;
 *   <li>churn-risk margin = (seconds_since_previous_event &lt; 129600 ? -1 : 1) +
 *       (purchase_count_28d &lt; 0.5 ? 0.5 : -1), threshold 0.8, checks at 1d, 2d, 3d;
 * </ul>
 *
 * and probability = 1 / (1 + exp(-margin)).
 */
final class TestModels {

    static final Path DIR = Path.of("src/test/resources/test-models");
    static final Path PURCHASE = DIR.resolve("purchase-intent.pmml");
    static final Path CHURN = DIR.resolve("churn-risk.pmml");

    private TestModels() {}

    static double logistic(double margin) {
        return 1 / (1 + Math.exp(-margin));
    }

    static AlertRules rules() {
        return rules(AlertRules.COOLDOWN_SESSION, 0.8, Duration.ofDays(90));
    }

    static AlertRules rules(long cooldownMillis, double churnThreshold, Duration retention) {
        try {
            return new AlertRules(
                    ModelArtifact.fromFile(PURCHASE),
                    ModelArtifact.fromFile(CHURN),
                    ScorerKind.COMPILED,
                    0.9,
                    churnThreshold,
                    cooldownMillis,
                    InactivitySchedule.parse("1d,2d,3d"),
                    new FeatureConfig(
                            Duration.ofMinutes(30),
                            Duration.ofMinutes(10),
                            retention,
                            ZoneId.of("UTC")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
