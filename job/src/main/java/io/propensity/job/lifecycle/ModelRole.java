package io.propensity.job.lifecycle;

import io.propensity.scoring.ModelCard;

import java.util.Locale;

/**
 * The two model roles of the job. A role names a slot that models are deployed into, not a model:
 * each role has one champion and at most one challenger at a time.
 */
public enum ModelRole {
    PURCHASE_INTENT("purchase-intent", ModelCard.PURCHASE_INTENT),
    CHURN_RISK("churn-risk", ModelCard.CHURN_RISK);

    private final String wireName;
    private final String task;

    ModelRole(String wireName, String task) {
        this.wireName = wireName;
        this.task = task;
    }

    /** The name in control messages and logs: {@code purchase-intent} or {@code churn-risk}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The model card task and alert type of this role: {@code purchase_intent} or {@code
     * churn_risk} (the same words on the alerts topic and in the metric group {@code model}).
     */
    public String task() {
        return task;
    }

    /**
     * The role for a wire name or task name ({@code purchase-intent}, {@code purchase_intent}).
     *
     * @throws IllegalArgumentException listing the known roles
     */
    public static ModelRole fromName(String name) {
        String normalized = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ModelRole role : values()) {
            if (role.wireName.equals(normalized) || role.task.equals(normalized)) {
                return role;
            }
        }
        throw new IllegalArgumentException(
                "unknown model role '" + name + "' (expected purchase-intent or churn-risk)");
    }
}
