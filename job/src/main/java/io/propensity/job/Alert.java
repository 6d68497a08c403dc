package io.propensity.job;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One purchase-intent or churn-risk alert, as written to the alerts topic (see the README's
 * "Alerts" section for the JSON, field by field).
 *
 * <p>{@link #alertId} is a pure function of user, type, trigger time and model version, so a replay
 * or a restart from a checkpoint (at-least-once delivery) produces the same id and a consumer can
 * drop duplicates by it.
 *
 * @param alertId the deterministic id, see {@link #idOf}
 * @param type {@link #PURCHASE_INTENT} or {@link #CHURN_RISK}
 * @param userId the user the alert is about
 * @param score the model's probability
 * @param threshold the threshold the score reached
 * @param modelName the model's name
 * @param modelVersion the model's version
 * @param triggerKind {@link #TRIGGER_EVENT} or {@link #TRIGGER_INACTIVITY_CHECK}
 * @param triggerEventType the wire name of the triggering event's type, or {@code null} for
 *     inactivity checks
 * @param triggerTime the instant the features were computed as of, epoch milliseconds
 * @param eventTime the time of the user's latest event, epoch milliseconds
 * @param emittedAt processing time when the alert was made, epoch milliseconds
 * @param reasons the features that pushed this score up or down the most, with the model's expected
 *     value and how they were computed
 * @param arm {@link #CHAMPION} or {@link #CHALLENGER}: which of the role's models served the user
 *     (see the README's "Model lifecycle")
 */
public record Alert(
        String alertId,
        String type,
        String userId,
        double score,
        double threshold,
        String modelName,
        String modelVersion,
        String triggerKind,
        String triggerEventType,
        long triggerTime,
        long eventTime,
        long emittedAt,
        AlertReasons reasons,
        String arm) {

    /** Type of alerts from the purchase-intent model. */
    public static final String PURCHASE_INTENT = "purchase_intent";

    /** Type of alerts from the churn-risk model. */
    public static final String CHURN_RISK = "churn_risk";

    /** Arm of alerts from a role's champion model. */
    public static final String CHAMPION = "champion";

    /** Arm of alerts from a role's challenger model in an A/B split. */
    public static final String CHALLENGER = "challenger";

    /** An alert from the role's champion. */
    public Alert(
            String alertId,
            String type,
            String userId,
            double score,
            double threshold,
            String modelName,
            String modelVersion,
            String triggerKind,
            String triggerEventType,
            long triggerTime,
            long eventTime,
            long emittedAt,
            AlertReasons reasons) {
        this(
                alertId,
                type,
                userId,
                score,
                threshold,
                modelName,
                modelVersion,
                triggerKind,
                triggerEventType,
                triggerTime,
                eventTime,
                emittedAt,
                reasons,
                CHAMPION);
    }

    /** Trigger kind of alerts scored on an event. */
    public static final String TRIGGER_EVENT = "event";

    /** Trigger kind of alerts scored on an inactivity check. */
    public static final String TRIGGER_INACTIVITY_CHECK = "inactivity_check";

    /**
     * The deterministic alert id: a name-based (MD5, version 3) UUID of user, type, trigger time
     * and model version. Not a security hash: it only has to be stable and unlikely to collide.
     */
    public static String idOf(String userId, String type, long triggerTime, String modelVersion) {
        String name = userId + '\u0000' + type + '\u0000' + triggerTime + '\u0000' + modelVersion;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The Kafka record key: the user id. */
    public byte[] kafkaKey() {
        return userId.getBytes(StandardCharsets.UTF_8);
    }

    /** The JSON object on the alerts topic. */
    public byte[] toJson() {
        ObjectNode json = JsonWriting.MAPPER.createObjectNode();
        json.put("alert_id", alertId);
        json.put("type", type);
        json.put("user_id", userId);
        json.put("score", score);
        json.put("threshold", threshold);
        json.put("model_name", modelName);
        json.put("model_version", modelVersion);
        json.put("arm", arm);
        ObjectNode trigger = json.putObject("trigger");
        trigger.put("kind", triggerKind);
        if (triggerEventType != null) {
            trigger.put("event_type", triggerEventType);
        }
        trigger.put("time", triggerTime);
        json.put("event_time", eventTime);
        json.put("emitted_at", emittedAt);
        reasons.writeInto(json);
        return JsonWriting.bytes(json);
    }
}
