package io.propensity.job.lifecycle;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ModelLoadException;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * Turns a control message of the models topic into a validated {@link ModelDeployment}: parses the
 * JSON, reads the PMML and the card (from a path any Flink file system can open, {@code file://},
 * {@code s3://} with its plugin, ..., or inline), and checks the model as the job would use it: the
 * card's task fits the role, the card's version is the one named, its feature version and feature
 * names match this build and the PMML, the PMML loads and passes the contract against the feature
 * vector, and the compiled scorer agrees with JPMML ({@link Scorers} does the last three).
 *
 * <p>The message, field by field, is in the README's "Model lifecycle" section. Every refusal
 * throws {@link RejectedModelException} with a reason that names the field or the file.
 */
public final class ModelCommands {

    /** Largest inline PMML plus card, in UTF-8 bytes (a Kafka record's default limit is 1 MB). */
    public static final int MAX_INLINE_BYTES = 1_000_000;

    /** Largest PMML or card file read from a path. */
    public static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Set<String> FIELDS =
            Set.of(
                    "role",
                    "slot",
                    "action",
                    "version",
                    "pmml_path",
                    "card_path",
                    "pmml_inline",
                    "card_inline",
                    "mode",
                    "share",
                    "threshold");

    private ModelCommands() {}

    /**
     * Parses, reads and validates one control message.
     *
     * @param kind the scorer kind the job uses (the cross-check runs for {@code COMPILED})
     * @throws RejectedModelException with the reason, naming the field or file at fault
     */
    public static ModelDeployment resolve(ModelControlMessage message, ScorerKind kind)
            throws RejectedModelException {
        JsonNode json = parse(message.text());
        ModelRole role = field(json, "role", ModelRole::fromName, null);
        Arm arm = field(json, "slot", Arm::fromName, Arm.CHAMPION);
        String action = field(json, "action", v -> v, "deploy");
        if ("retire".equals(action)) {
            if (arm != Arm.CHALLENGER) {
                throw new RejectedModelException(
                        "action 'retire' applies to the challenger only: a champion is replaced by"
                                + " deploying another one");
            }
            return new ModelDeployment(
                    role,
                    arm,
                    true,
                    null,
                    message.where(),
                    null,
                    null,
                    null,
                    0,
                    null,
                    message.timestamp());
        }
        if (!"deploy".equals(action)) {
            throw new RejectedModelException(
                    "action '" + action + "' is not known (expected deploy or retire)");
        }
        String version = field(json, "version", v -> v, null);
        String mode = null;
        double share = 0;
        if (arm == Arm.CHALLENGER) {
            mode = field(json, "mode", ModelCommands::mode, ModelDeployment.SHADOW);
            if (ModelDeployment.AB.equals(mode)) {
                if (!json.hasNonNull("share")) {
                    throw new RejectedModelException("mode 'ab' needs a share in [0, 1]");
                }
                share = probability(json, "share");
            } else if (json.hasNonNull("share")) {
                throw new RejectedModelException("share is for mode 'ab' only");
            }
        } else if (json.hasNonNull("mode") || json.hasNonNull("share")) {
            throw new RejectedModelException("mode and share are for the challenger slot only");
        }
        Double threshold = json.hasNonNull("threshold") ? probability(json, "threshold") : null;

        // the model's bytes: a path (the card beside it unless named) or inline text
        String source;
        String pmml;
        String card;
        if (json.hasNonNull("pmml_path")) {
            if (json.hasNonNull("pmml_inline")) {
                throw new RejectedModelException("give pmml_path or pmml_inline, not both");
            }
            String pmmlPath = json.get("pmml_path").asText();
            String cardPath =
                    json.hasNonNull("card_path")
                            ? json.get("card_path").asText()
                            : besidePmml(pmmlPath);
            source = pmmlPath;
            pmml = read(pmmlPath, "pmml_path");
            card = read(cardPath, "card_path");
        } else if (json.hasNonNull("pmml_inline")) {
            if (!json.hasNonNull("card_inline")) {
                throw new RejectedModelException("pmml_inline needs card_inline beside it");
            }
            source = "inline:" + message.where();
            pmml = json.get("pmml_inline").asText();
            JsonNode cardNode = json.get("card_inline");
            card = cardNode.isTextual() ? cardNode.asText() : cardNode.toString();
            int bytes =
                    pmml.getBytes(StandardCharsets.UTF_8).length
                            + card.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_INLINE_BYTES) {
                throw new RejectedModelException(
                        "inline model is "
                                + bytes
                                + " bytes, over the limit of "
                                + MAX_INLINE_BYTES
                                + ": give pmml_path instead");
            }
        } else {
            throw new RejectedModelException("a deployment needs pmml_path or pmml_inline");
        }
        validate(role, version, source, pmml, card, kind);
        return new ModelDeployment(
                role,
                arm,
                false,
                version,
                source,
                pmml,
                card,
                mode,
                share,
                threshold,
                message.timestamp());
    }

    /**
     * Checks that a model fits a role and loads as the job would load it.
     *
     * @param version the version the model must carry, or {@code null} to accept the card's
     * @throws RejectedModelException naming the problem
     */
    public static ModelCard validate(
            ModelRole role,
            String version,
            String source,
            String pmml,
            String cardJson,
            ScorerKind kind)
            throws RejectedModelException {
        ModelCard card = card(source, cardJson);
        if (!role.task().equals(card.task())) {
            throw new RejectedModelException(
                    source
                            + ": model card task is '"
                            + card.task()
                            + "', the "
                            + role.wireName()
                            + " role needs a '"
                            + role.task()
                            + "' model");
        }
        if (version != null && !version.equals(card.modelVersion())) {
            throw new RejectedModelException(
                    source
                            + ": the message names version '"
                            + version
                            + "' but the model card says '"
                            + card.modelVersion()
                            + "'");
        }
        if (card.topFeatures() != null) {
            for (String name : card.topFeatures()) {
                if (FeatureSchema.indexOf(name) < 0) {
                    throw new RejectedModelException(
                            source + ": top_features names unknown feature '" + name + "'");
                }
            }
        }
        try {
            Scorers.load(
                    new ByteArrayInputStream(pmml.getBytes(StandardCharsets.UTF_8)),
                    source,
                    card,
                    kind);
        } catch (ModelLoadException | RuntimeException e) {
            throw new RejectedModelException(e.getMessage(), e);
        }
        return card;
    }

    /** Reads a model card from its JSON text. */
    static ModelCard card(String source, String cardJson) throws RejectedModelException {
        try {
            return ModelCard.read(
                    new ByteArrayInputStream(cardJson.getBytes(StandardCharsets.UTF_8)),
                    source + " (card)");
        } catch (IOException e) {
            throw new RejectedModelException(e.getMessage(), e);
        }
    }

    private static JsonNode parse(String text) throws RejectedModelException {
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new RejectedModelException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new RejectedModelException("a control message is a JSON object");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new RejectedModelException(
                        "unknown field '"
                                + name
                                + "' (known: "
                                + new java.util.TreeSet<>(FIELDS)
                                + ")");
            }
        }
        return json;
    }

    private interface Parser<T> {
        T parse(String value);
    }

    private static <T> T field(JsonNode json, String name, Parser<T> parser, T fallback)
            throws RejectedModelException {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            if (fallback == null) {
                throw new RejectedModelException("missing field '" + name + "'");
            }
            return fallback;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new RejectedModelException("field '" + name + "' must be a non-empty string");
        }
        try {
            return parser.parse(node.asText().trim());
        } catch (IllegalArgumentException e) {
            throw new RejectedModelException("field '" + name + "': " + e.getMessage(), e);
        }
    }

    private static String mode(String value) {
        if (ModelDeployment.SHADOW.equals(value) || ModelDeployment.AB.equals(value)) {
            return value;
        }
        throw new IllegalArgumentException("'" + value + "' is not a mode (shadow or ab)");
    }

    private static double probability(JsonNode json, String name) throws RejectedModelException {
        JsonNode node = json.get(name);
        if (!node.isNumber() || !(node.asDouble() >= 0 && node.asDouble() <= 1)) {
            throw new RejectedModelException(
                    "field '" + name + "' must be a number in [0, 1], not " + node);
        }
        return node.asDouble();
    }

    private static String besidePmml(String pmmlPath) {
        String base =
                pmmlPath.endsWith(".pmml")
                        ? pmmlPath.substring(0, pmmlPath.length() - 5)
                        : pmmlPath;
        return base + ".card.json";
    }

    /** Reads a whole file through Flink's file systems, refusing files over the limit. */
    private static String read(String location, String field) throws RejectedModelException {
        try {
            Path path = new Path(location);
            FileSystem fs = path.getFileSystem();
            long length = fs.getFileStatus(path).getLen();
            if (length > MAX_FILE_BYTES) {
                throw new RejectedModelException(
                        field
                                + " "
                                + location
                                + " is "
                                + length
                                + " bytes, over the limit of "
                                + MAX_FILE_BYTES);
            }
            try (FSDataInputStream in = fs.open(path)) {
                return new String(readAll(in), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new RejectedModelException(
                    field + " " + location + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
