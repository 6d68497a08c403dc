package io.propensity.job.lifecycle;

import io.propensity.features.FeatureSchema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * One score, alerting or not, as written to the scores topic ({@code --scores-topic}, the served
 * scores) or the shadow topic ({@code --shadow-topic}, a shadow challenger's scores). The README's
 * "Model lifecycle" section lists the JSON fields.
 *
 * <p>The Kafka key is {@code <user_id>/<type>}, so that a compacted topic keeps each user's latest
 * purchase-intent and latest churn-risk score (a key of the user id alone would keep only the
 * latest of the two).
 *
 * @param userId the user
 * @param type {@code purchase_intent} or {@code churn_risk}
 * @param score the probability
 * @param threshold the model's alert threshold
 * @param modelName the model's name
 * @param modelVersion the model's version
 * @param arm {@code champion} or {@code challenger}
 * @param shadow true for a shadow challenger's score (never alerts)
 * @param triggerKind {@code event} or {@code inactivity_check}
 * @param triggerEventType the event's type for kind {@code event}, else {@code null}
 * @param triggerTime the time the features were computed as of, epoch ms
 * @param eventTime the user's latest event's time, epoch ms
 * @param emittedAt processing time, epoch ms
 * @param features the feature vector scored, in {@link FeatureSchema} order, with {@code
 *     --score-features}; {@code null} without (the record then has no {@code features} field)
 */
public record ScoreRecord(
        String userId,
        String type,
        double score,
        double threshold,
        String modelName,
        String modelVersion,
        String arm,
        boolean shadow,
        String triggerKind,
        String triggerEventType,
        long triggerTime,
        long eventTime,
        long emittedAt,
        double[] features) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A score of a served or shadow model with the vector it scored, copied (the caller reuses its
     * array), or without one for {@code null} (no {@code --score-features}).
     */
    public static ScoreRecord of(
            ServedModel model,
            String userId,
            double score,
            String triggerKind,
            String triggerEventType,
            long triggerTime,
            long eventTime,
            long emittedAt,
            double[] features) {
        return new ScoreRecord(
                userId,
                model.role().task(),
                score,
                model.threshold(),
                model.info().name(),
                model.version(),
                model.arm().wireName(),
                model.isShadow(),
                triggerKind,
                triggerEventType,
                triggerTime,
                eventTime,
                emittedAt,
                features == null ? null : features.clone());
    }

    /** The Kafka key: {@code <user_id>/<type>}. */
    public byte[] kafkaKey() {
        return (userId + "/" + type).getBytes(StandardCharsets.UTF_8);
    }

    /** The JSON value. */
    public byte[] toJson() {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("user_id", userId);
        json.put("type", type);
        json.put("score", score);
        json.put("threshold", threshold);
        json.put("model_name", modelName);
        json.put("model_version", modelVersion);
        json.put("arm", arm);
        json.put("shadow", shadow);
        ObjectNode trigger = json.putObject("trigger");
        trigger.put("kind", triggerKind);
        if (triggerEventType != null) {
            trigger.put("event_type", triggerEventType);
        }
        trigger.put("time", triggerTime);
        json.put("event_time", eventTime);
        json.put("emitted_at", emittedAt);
        if (features != null) {
            // by name, as the model cards and the README's feature table call them; a missing
            // value (NaN) is null, as in the wire format
            ObjectNode vector = json.putObject("features");
            java.util.List<String> names = FeatureSchema.names();
            for (int f = 0; f < features.length; f++) {
                if (Double.isNaN(features[f])) {
                    vector.putNull(names.get(f));
                } else {
                    vector.put(names.get(f), features[f]);
                }
            }
        }
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
