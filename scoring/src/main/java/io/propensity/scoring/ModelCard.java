package io.propensity.scoring;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable model card that travels beside every PMML file as {@code <name>.card.json}:
 * what the training wrote and what the job needs to use the model as it was trained (threshold,
 * horizon, inactivity schedule, feature configuration).
 *
 * <p>The typed fields are the ones the job reads. Everything else the training reports (data files
 * and their sha256, class balance, metrics, baselines, parameters, library versions) is in {@code
 * details}, kept as written.
 *
 * @param modelName the model's name, e.g. {@code purchase-intent}
 * @param modelVersion its version, carried by every alert it produces
 * @param task {@code purchase_intent} or {@code churn_risk}
 * @param featureVersion the {@link io.propensity.features.FeatureSchema#VERSION} it was trained on
 * @param featureNames the input features, in FeatureSchema names
 * @param featureConfig session gap, allowed lateness, retention and zone used in training
 * @param horizon the label horizon (purchase within, or no event within), as a duration string
 * @param inactivitySchedule the churn checks' offsets (e.g. {@code 1d,2d,3d}), or null
 * @param threshold the alert threshold and the policy that chose it
 * @param topFeatures feature names by importance, most important first
 * @param details everything else the training reports
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(
        @JsonProperty("model_name") String modelName,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("task") String task,
        @JsonProperty("feature_version") int featureVersion,
        @JsonProperty("feature_names") List<String> featureNames,
        @JsonProperty("feature_config") FeatureConfigCard featureConfig,
        @JsonProperty("horizon") String horizon,
        @JsonProperty("inactivity_schedule") String inactivitySchedule,
        @JsonProperty("threshold") Threshold threshold,
        @JsonProperty("top_features") List<String> topFeatures,
        @JsonProperty("details") Map<String, Object> details) {

    /** Task name of purchase-intent models. */
    public static final String PURCHASE_INTENT = "purchase_intent";

    /** Task name of churn-risk models. */
    public static final String CHURN_RISK = "churn_risk";

    private static final ObjectMapper MAPPER =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * The alert threshold.
     *
     * @param value alert when the score is at or above it
     * @param policy how it was chosen, in words (e.g. {@code max recall with precision >= 0.5})
     */
    public record Threshold(
            @JsonProperty("value") double value, @JsonProperty("policy") String policy) {}

    /**
     * The features module configuration used in training, as duration strings.
     *
     * @param sessionGap e.g. {@code 30m}
     * @param allowedLateness e.g. {@code 10m}
     * @param retention e.g. {@code 90d}
     * @param zone e.g. {@code UTC}
     */
    public record FeatureConfigCard(
            @JsonProperty("session_gap") String sessionGap,
            @JsonProperty("allowed_lateness") String allowedLateness,
            @JsonProperty("retention") String retention,
            @JsonProperty("zone") String zone) {}

    /**
     * Reads a card.
     *
     * @throws IOException naming the file, with Jackson's line and column, when it is not a card
     */
    public static ModelCard read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads a card from a stream; {@code source} names it in errors. */
    public static ModelCard read(InputStream in, String source) throws IOException {
        try {
            ModelCard card = MAPPER.readValue(in, ModelCard.class);
            if (card.modelName() == null || card.modelVersion() == null || card.task() == null) {
                throw new IOException(
                        source + ": model card needs model_name, model_version and task");
            }
            if (card.threshold() == null) {
                throw new IOException(source + ": model card has no threshold");
            }
            return card;
        } catch (JsonProcessingException e) {
            throw new IOException(
                    source
                            + ": not a valid model card: "
                            + e.getOriginalMessage()
                            + " at line "
                            + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()),
                    e);
        }
    }

    /** Writes the card as indented JSON. */
    public void write(Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), this);
    }

    /** The card as indented JSON. */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model card cannot be written", e);
        }
    }

    /** The card beside a PMML file: {@code x.pmml} -> {@code x.card.json}. */
    public static Path besidePmml(Path pmml) {
        String name = pmml.getFileName().toString();
        String base = name.endsWith(".pmml") ? name.substring(0, name.length() - 5) : name;
        return pmml.resolveSibling(base + ".card.json");
    }
}
