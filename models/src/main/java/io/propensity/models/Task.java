package io.propensity.models;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ModelCard;

import java.util.Locale;

/**
 * What a model predicts. Each task has the model name of its files, the task name of its card, and
 * the single feature of its one-feature baseline rule.
 */
public enum Task {
    /** Purchase by the same user strictly after the event, within the horizon. */
    PURCHASE_INTENT("purchase-intent", ModelCard.PURCHASE_INTENT, "cart_count_24h"),
    /** No event by the user within the window after an inactivity check. */
    CHURN_RISK("churn-risk", ModelCard.CHURN_RISK, "seconds_since_previous_event");

    private final String modelName;
    private final String cardTask;
    private final String ruleFeature;

    Task(String modelName, String cardTask, String ruleFeature) {
        this.modelName = modelName;
        this.cardTask = cardTask;
        this.ruleFeature = ruleFeature;
    }

    /** The default model name, also the file base name: {@code purchase-intent}. */
    public String modelName() {
        return modelName;
    }

    /** The card's task name: {@code purchase_intent}. */
    public String cardTask() {
        return cardTask;
    }

    /** The feature of the one-feature baseline. */
    public String ruleFeature() {
        return ruleFeature;
    }

    /** The index of the baseline feature in the vector. */
    public int ruleFeatureIndex() {
        return FeatureSchema.indexOf(ruleFeature);
    }

    /**
     * Parses {@code purchase-intent} or {@code churn-risk} (underscores accepted too).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Task parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Task task : values()) {
            if (task.modelName.equals(value)) {
                return task;
            }
        }
        throw new IllegalArgumentException(
                "unknown task '" + text + "' (expected purchase-intent or churn-risk)");
    }
}
