package io.propensity.job.lifecycle;

import io.propensity.features.FeatureSchema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hand-written test models of the lifecycle tests: version test-1 of {@code
 * test-models/purchase-intent.pmml} (margin = (session_carts &lt; 0.5 ? -2 : 1) + (cart_count_1h
 * &lt; 1.5 ? -0.5 : 1.5) + (seconds_since_previous_event &lt; 60 ? 0.25 : -0.25)), version test-2
 * in {@code test-models/lifecycle/} (the session_carts leaves are -1 and 2 instead), and a bad one
 * whose inputs include a feature that does not exist.
 */
final class LifecycleTestModels {

    static final Path DIR = Path.of("src/test/resources/test-models");
    static final Path PURCHASE_V1 = DIR.resolve("purchase-intent.pmml");
    static final Path CHURN_V1 = DIR.resolve("churn-risk.pmml");
    static final Path PURCHASE_V2 = DIR.resolve("lifecycle/purchase-intent-v2.pmml");
    static final Path PURCHASE_BAD = DIR.resolve("lifecycle/purchase-intent-bad.pmml");

    private LifecycleTestModels() {}

    static double logistic(double margin) {
        return 1 / (1 + Math.exp(-margin));
    }

    /** A vector with two carts in the session and the hour, the previous event 30 s ago. */
    static double[] twoCarts() {
        double[] features = FeatureSchema.newVector();
        features[FeatureSchema.indexOf("session_carts")] = 2;
        features[FeatureSchema.indexOf("cart_count_1h")] = 2;
        features[FeatureSchema.indexOf("seconds_since_previous_event")] = 30;
        return features;
    }

    /** v1 on {@link #twoCarts}: 1 + 1.5 + 0.25. */
    static final double V1_TWO_CARTS = logistic(2.75);

    /** v2 on {@link #twoCarts}: 2 + 1.5 + 0.25. */
    static final double V2_TWO_CARTS = logistic(3.75);

    static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String card(Path pmml) {
        String name = pmml.getFileName().toString().replace(".pmml", ".card.json");
        return text(pmml.resolveSibling(name));
    }

    static ModelControlMessage message(String json) {
        return ModelControlMessage.fromTopic("propensity.models", 0, 7, 1_700_000_000_000L, json);
    }
}
