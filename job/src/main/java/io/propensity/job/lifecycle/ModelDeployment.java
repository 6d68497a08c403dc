package io.propensity.job.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Serializable;

/**
 * A validated change to one slot of the active model set: deploy a model (its PMML and card, as
 * text) as a role's champion or challenger, or retire the challenger. Made once by {@link
 * ModelCommandResolver} from a control message, broadcast to every parallel instance of the
 * per-user function, and kept in its broadcast state (as the JSON of {@link #toJson}) so the active
 * set survives restarts and savepoints even when the files it came from are gone.
 *
 * @param role the role
 * @param arm the slot: champion or challenger
 * @param retire true to remove the challenger (no model then)
 * @param version the model version (equal to the card's {@code model_version})
 * @param source where the model came from (path or {@code inline}), for logs
 * @param pmml the PMML document, or {@code null} when retiring
 * @param card the model card JSON, or {@code null} when retiring
 * @param mode for a challenger: {@link #SHADOW} or {@link #AB}; {@code null} for a champion
 * @param share for an A/B challenger: the share of users it serves, in [0, 1]
 * @param threshold the alert threshold, or {@code null} for the card's
 * @param requestedAt when the control message was written (its Kafka timestamp), epoch ms
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelDeployment(
        @JsonProperty("role") ModelRole role,
        @JsonProperty("arm") Arm arm,
        @JsonProperty("retire") boolean retire,
        @JsonProperty("version") String version,
        @JsonProperty("source") String source,
        @JsonProperty("pmml") String pmml,
        @JsonProperty("card") String card,
        @JsonProperty("mode") String mode,
        @JsonProperty("share") double share,
        @JsonProperty("threshold") Double threshold,
        @JsonProperty("requested_at") long requestedAt)
        implements Serializable {

    /** Challenger mode: scored on every event, written to the shadow topic, never alerting. */
    public static final String SHADOW = "shadow";

    /** Challenger mode: serves (and alerts for) a share of the users. */
    public static final String AB = "ab";

    private static final ObjectMapper MAPPER =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The broadcast state key of this slot: {@code <role>/<arm>}. */
    @JsonIgnore
    public String slotKey() {
        return slotKey(role, arm);
    }

    /** The broadcast state key of a slot. */
    public static String slotKey(ModelRole role, Arm arm) {
        return role.wireName() + "/" + arm.wireName();
    }

    /** A short description for logs: role, slot, version, mode and share, source. */
    public String describe() {
        if (retire) {
            return role.wireName() + " challenger retirement";
        }
        String how = mode == null ? "" : " (" + mode + (AB.equals(mode) ? " " + share : "") + ")";
        return role.wireName()
                + " "
                + arm.wireName()
                + how
                + " version "
                + version
                + " from "
                + source;
    }

    /** The JSON kept in broadcast state. */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a model deployment", e);
        }
    }

    /**
     * Reads what {@link #toJson} wrote.
     *
     * @throws IllegalArgumentException when it is not a deployment
     */
    public static ModelDeployment fromJson(String json) {
        try {
            return MAPPER.readValue(json, ModelDeployment.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "not a model deployment: " + e.getOriginalMessage(), e);
        }
    }
}
