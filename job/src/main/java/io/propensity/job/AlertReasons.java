package io.propensity.job;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ExplanationMethod;
import io.propensity.scoring.Scorer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;

/**
 * Why an alert's model scored what it did: the features that pushed the score's margin (log-odds)
 * up or down the most, with their values and signed contributions, and the model's expected value,
 * so that {@code expected_value} plus all contributions is the margin (see the README's "Alerts"
 * section).
 *
 * <p>Computed per alert, never per scored event. {@code explanation_method} says how: {@code
 * tree_shap} (exact SHAP values), {@code saabas_approximate} (a model without node record counts:
 * an approximation, never to be read as SHAP) or {@code none} (a scorer that cannot explain: no
 * features, no expected value).
 *
 * @param method how the contributions were computed
 * @param expectedValue the margin of an average prediction, {@code NaN} when method is NONE
 * @param names the top features' names, largest absolute contribution first
 * @param values their values at the trigger time, {@code NaN} when missing
 * @param contributions their signed contributions to the margin
 */
public record AlertReasons(
        ExplanationMethod method,
        double expectedValue,
        String[] names,
        double[] values,
        double[] contributions)
        implements Serializable {

    /** The reasons of an alert whose scorer cannot explain. */
    public static final AlertReasons NONE =
            new AlertReasons(
                    ExplanationMethod.NONE,
                    Double.NaN,
                    new String[0],
                    new double[0],
                    new double[0]);

    /**
     * Explains one prediction: the {@code top} features by absolute contribution (ties: schema
     * order), features that contribute exactly 0 left out.
     *
     * @param scratch FeatureSchema-sized, overwritten
     */
    public static AlertReasons explain(
            Scorer scorer, double[] features, int top, double[] scratch) {
        if (top <= 0 || !scorer.supportsContributions()) {
            return scorer.supportsContributions()
                    ? new AlertReasons(
                            scorer.explanationMethod(),
                            scorer.contributions(features, scratch),
                            new String[0],
                            new double[0],
                            new double[0])
                    : NONE;
        }
        double expected = scorer.contributions(features, scratch);
        int[] chosen = new int[Math.min(top, scratch.length)];
        int count = 0;
        // an insertion into a sorted top K: K is small (3 by default), the vector 40 long
        for (int f = 0; f < scratch.length; f++) {
            double magnitude = Math.abs(scratch[f]);
            boolean full = count == chosen.length;
            if (magnitude == 0 || (full && Math.abs(scratch[chosen[count - 1]]) >= magnitude)) {
                continue;
            }
            int at = full ? count - 1 : count;
            while (at > 0 && Math.abs(scratch[chosen[at - 1]]) < magnitude) {
                chosen[at] = chosen[at - 1];
                at--;
            }
            chosen[at] = f;
            count = full ? count : count + 1;
        }
        String[] names = new String[count];
        double[] values = new double[count];
        double[] contributions = new double[count];
        for (int i = 0; i < count; i++) {
            names[i] = FeatureSchema.names().get(chosen[i]);
            values[i] = features[chosen[i]];
            contributions[i] = scratch[chosen[i]];
        }
        return new AlertReasons(scorer.explanationMethod(), expected, names, values, contributions);
    }

    /** Writes the {@code reasons} object into an alert's JSON. */
    void writeInto(ObjectNode alert) {
        ObjectNode reasons = alert.putObject("reasons");
        reasons.put("explanation_method", method.wireName());
        putNumber(reasons, "expected_value", expectedValue);
        ArrayNode features = reasons.putArray("features");
        for (int i = 0; i < names.length; i++) {
            ObjectNode feature = features.addObject();
            feature.put("name", names[i]);
            putNumber(feature, "value", values[i]);
            feature.put("contribution", contributions[i]);
        }
    }

    private static void putNumber(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            // JSON has no NaN: a missing value is null
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
