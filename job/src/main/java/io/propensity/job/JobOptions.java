package io.propensity.job;

import io.propensity.features.Durations;
import io.propensity.features.FeatureConfig;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.UserActivity;
import io.propensity.features.io.EventFormat;
import io.propensity.job.privacy.PrivacyRules;
import io.propensity.job.privacy.PseudonymKeySource;
import io.propensity.scoring.ScorerKind;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.ParameterTool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The job's command line, Flink style ({@code --key value}), parsed and validated in one place.
 * Every key, its default and its meaning are in the README's "Configuration" table. A bad value or
 * an unknown key throws {@link IllegalArgumentException} naming the key, so the job stops at
 * submission instead of failing later on a TaskManager. Keys starting with {@code kafka.} pass
 * through, without the prefix, to every Kafka client.
 */
public final class JobOptions {

    /** Prefix of Kafka client properties passed through. */
    public static final String KAFKA_PREFIX = "kafka.";

    /** What ParameterTool stores for a key given without a value (its constant is protected). */
    private static final String NO_VALUE = "__NO_VALUE_KEY";

    private static final Set<String> KEYS =
            Set.of(
                    "bootstrap-servers",
                    "events-topic",
                    "alerts-topic",
                    "dead-letter-topic",
                    "late-topic",
                    "group-id",
                    "delivery",
                    "input-file",
                    "input-format",
                    "purchase-model",
                    "churn-model",
                    "purchase-threshold",
                    "churn-threshold",
                    "scorer",
                    "cooldown",
                    "reasons",
                    "allowed-lateness",
                    "out-of-orderness",
                    "idleness",
                    "session-gap",
                    "inactivity-schedule",
                    "retention",
                    "checkpoint-interval",
                    "checkpoint-dir",
                    "max-record-bytes",
                    "state-format-version",
                    "erasure-topic",
                    "audit-topic",
                    "pseudonymise-user-ids",
                    "pseudonym-key-env",
                    "pseudonym-key-file",
                    "consent-default",
                    "models-topic",
                    "models-dir",
                    "models-dir-interval",
                    "scores-topic",
                    "score-features",
                    "shadow-topic");

    /** Default of {@code --pseudonym-key-env}. */
    public static final String DEFAULT_PSEUDONYM_KEY_ENV = "PROPENSITY_PSEUDONYM_KEY";

    public final String bootstrapServers;
    public final String eventsTopic;
    public final String alertsTopic;
    public final String deadLetterTopic;
    public final String lateTopic;
    public final String groupId;
    public final DeliveryGuarantee delivery;

    /** The bounded input file, or {@code null} to read the events topic. */
    public final Path inputFile;

    /** The input file's format, or {@code null} without an input file. */
    public final EventFormat inputFormat;

    /** The purchase-intent PMML, or {@code null} for the model bundled in the jar. */
    public final Path purchaseModel;

    /** The churn-risk PMML, or {@code null} for the model bundled in the jar. */
    public final Path churnModel;

    /** Overrides the card's threshold, or {@code null}. */
    public final Double purchaseThreshold;

    /** Overrides the card's threshold, or {@code null}. */
    public final Double churnThreshold;

    public final ScorerKind scorer;

    /** The purchase-intent cooldown, or {@code null} for one alert per session. */
    public final Duration cooldown;

    /** How many features each alert's {@code reasons} lists ({@code --reasons}, default 3). */
    public final int reasons;

    public final Duration allowedLateness;
    public final Duration outOfOrderness;
    public final Duration idleness;
    public final Duration sessionGap;

    /** The churn checks' schedule, or {@code null} for the churn model card's. */
    public final InactivitySchedule inactivitySchedule;

    public final Duration retention;
    public final Duration checkpointInterval;
    public final String checkpointDir;
    public final int maxRecordBytes;

    /** The per-user state's format version to write ({@code --state-format-version}). */
    public final int stateFormatVersion;

    /** The control topic of erasure requests. */
    public final String erasureTopic;

    /** The topic of audit records (erasures, consent withdrawals). */
    public final String auditTopic;

    /** Consent default, pseudonymisation and where its key is (see the README's Privacy). */
    public final PrivacyRules privacy;

    /** The models control topic, or {@code null}: the command line's models serve throughout. */
    public final String modelsTopic;

    /**
     * The watched models directory (any Flink file system path), or {@code null}: given instead of
     * {@link #modelsTopic}, never with it.
     */
    public final String modelsDir;

    /** How often {@link #modelsDir} is listed ({@code --models-dir-interval}, default 10s). */
    public final Duration modelsDirInterval;

    /** The topic of every served score, or {@code null} for none. */
    public final String scoresTopic;

    /** The topic of shadow challengers' scores (used with a models topic or directory). */
    public final String shadowTopic;

    /** Score records carry the feature vector they scored ({@code --score-features}). */
    public final boolean scoreFeatures;

    /** The {@code kafka.*} properties, prefix removed. */
    public final Properties kafkaProperties;

    private JobOptions(ParameterTool params) {
        Map<String, String> all = params.toMap();
        Set<String> unknown = new TreeSet<>();
        Properties kafka = new Properties();
        for (Map.Entry<String, String> entry : all.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length()) {
                kafka.setProperty(key.substring(KAFKA_PREFIX.length()), value(params, key));
            } else if (!KEYS.contains(key)) {
                unknown.add("--" + key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown option(s) "
                            + unknown
                            + "; see the README's Configuration table (Kafka client properties"
                            + " take the --kafka. prefix)");
        }
        kafkaProperties = kafka;

        bootstrapServers = text(params, "bootstrap-servers", "localhost:9092");
        eventsTopic = text(params, "events-topic", "propensity.events");
        alertsTopic = text(params, "alerts-topic", "propensity.alerts");
        deadLetterTopic = text(params, "dead-letter-topic", "propensity.dead-letters");
        lateTopic = text(params, "late-topic", "propensity.late-events");
        groupId = text(params, "group-id", "propensity");
        delivery = parse(params, "delivery", "at-least-once", JobOptions::delivery);
        inputFile = parse(params, "input-file", null, Path::of);
        inputFormat = parse(params, "input-format", null, EventFormat::fromName);
        if (inputFile != null && inputFormat == null) {
            throw new IllegalArgumentException(
                    "--input-format: required with --input-file (rees46, taobao or json)");
        }
        if (inputFile == null && inputFormat != null) {
            throw new IllegalArgumentException("--input-format: only valid with --input-file");
        }
        purchaseModel = parse(params, "purchase-model", null, Path::of);
        churnModel = parse(params, "churn-model", null, Path::of);
        purchaseThreshold = parse(params, "purchase-threshold", null, JobOptions::probability);
        churnThreshold = parse(params, "churn-threshold", null, JobOptions::probability);
        scorer =
                parse(
                        params,
                        "scorer",
                        "compiled",
                        v -> {
                            try {
                                return ScorerKind.valueOf(v.toUpperCase(Locale.ROOT));
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException(
                                        "'" + v + "' is not a scorer (compiled or jpmml)");
                            }
                        });
        cooldown =
                parse(
                        params,
                        "cooldown",
                        "session",
                        v -> "session".equalsIgnoreCase(v) ? null : positive(v));
        reasons =
                parse(
                        params,
                        "reasons",
                        String.valueOf(AlertRules.DEFAULT_REASONS),
                        v -> {
                            int count = Integer.parseInt(v);
                            if (count < 0 || count > 40) {
                                throw new IllegalArgumentException("must be 0 to 40");
                            }
                            return count;
                        });
        allowedLateness = parse(params, "allowed-lateness", "10m", JobOptions::notNegative);
        outOfOrderness = parse(params, "out-of-orderness", "5s", JobOptions::notNegative);
        idleness = parse(params, "idleness", "30s", JobOptions::positive);
        sessionGap = parse(params, "session-gap", "30m", JobOptions::positive);
        inactivitySchedule = parse(params, "inactivity-schedule", null, InactivitySchedule::parse);
        retention = parse(params, "retention", "90d", JobOptions::positive);
        checkpointInterval = parse(params, "checkpoint-interval", "10s", JobOptions::positive);
        checkpointDir = text(params, "checkpoint-dir", "file:///tmp/propensity-checkpoints");
        maxRecordBytes =
                parse(
                        params,
                        "max-record-bytes",
                        String.valueOf(InputLimits.DEFAULT_MAX_RECORD_BYTES),
                        v -> {
                            int bytes = Integer.parseInt(v);
                            if (bytes <= 0) {
                                throw new IllegalArgumentException("must be positive");
                            }
                            return bytes;
                        });
        stateFormatVersion =
                parse(
                        params,
                        "state-format-version",
                        String.valueOf(UserActivity.FORMAT_VERSION),
                        JobOptions::stateFormatVersion);
        erasureTopic = text(params, "erasure-topic", "propensity.erasure-requests");
        auditTopic = text(params, "audit-topic", "propensity.audit");
        privacy = privacy(params);
        modelsTopic = text(params, "models-topic", null);
        modelsDir = text(params, "models-dir", null);
        modelsDirInterval = parse(params, "models-dir-interval", "10s", JobOptions::positive);
        scoresTopic = text(params, "scores-topic", null);
        shadowTopic = text(params, "shadow-topic", "propensity.shadow-scores");
        scoreFeatures = flag(params, "score-features");
        if (scoreFeatures && scoresTopic == null && modelsTopic == null && modelsDir == null) {
            // without a scores or shadow topic no record would carry them
            throw new IllegalArgumentException(
                    "--score-features: needs --scores-topic (or a shadow challenger through"
                            + " --models-topic or --models-dir)");
        }
        if (modelsTopic != null && inputFile != null) {
            // the control topic is unbounded: a bounded run would never end
            throw new IllegalArgumentException(
                    "--models-topic: not with --input-file (a bounded run serves the models of"
                            + " its command line)");
        }
        if (modelsDir != null && inputFile != null) {
            // the watched directory is unbounded too
            throw new IllegalArgumentException(
                    "--models-dir: not with --input-file (a bounded run serves the models of"
                            + " its command line)");
        }
        if (modelsTopic != null && modelsDir != null) {
            // two sources of changes would interleave in no defined order
            throw new IllegalArgumentException(
                    "--models-topic and --models-dir: give one, not both (model changes come"
                            + " from one ordered source)");
        }
        if (modelsDir == null && params.has("models-dir-interval")) {
            throw new IllegalArgumentException(
                    "--models-dir-interval: only valid with --models-dir");
        }
    }

    /** A switch: a bare {@code --key} turns it on; {@code true} and {@code false} are accepted. */
    private static boolean flag(ParameterTool params, String key) {
        if (!params.has(key)) {
            return false;
        }
        String value = params.get(key);
        if (value == null || NO_VALUE.equals(value) || "true".equalsIgnoreCase(value.trim())) {
            return true;
        }
        if ("false".equalsIgnoreCase(value.trim())) {
            return false;
        }
        throw new IllegalArgumentException(
                "--" + key + ": '" + value + "' is not valid: expected no value, true or false");
    }

    private static PrivacyRules privacy(ParameterTool params) {
        boolean granted =
                parse(
                        params,
                        "consent-default",
                        "granted",
                        v -> {
                            switch (v.toLowerCase(Locale.ROOT)) {
                                case "granted":
                                    return true;
                                case "withdrawn":
                                    return false;
                                default:
                                    throw new IllegalArgumentException(
                                            "expected granted or withdrawn");
                            }
                        });
        boolean pseudonymise = flag(params, "pseudonymise-user-ids");
        String file = text(params, "pseudonym-key-file", null);
        String env = text(params, "pseudonym-key-env", null);
        if (!pseudonymise && (file != null || env != null)) {
            throw new IllegalArgumentException(
                    "--pseudonym-key-env and --pseudonym-key-file need --pseudonymise-user-ids");
        }
        if (file != null && env != null) {
            throw new IllegalArgumentException(
                    "--pseudonym-key-env and --pseudonym-key-file: give one, not both");
        }
        if (!pseudonymise) {
            return new PrivacyRules(granted, null);
        }
        return new PrivacyRules(
                granted,
                file != null
                        ? new PseudonymKeySource(null, file)
                        : new PseudonymKeySource(
                                env != null ? env : DEFAULT_PSEUDONYM_KEY_ENV, null));
    }

    /**
     * Parses and validates a command line.
     *
     * @throws IllegalArgumentException naming the key at fault
     */
    public static JobOptions parse(String[] args) {
        return new JobOptions(ParameterTool.fromMap(pairs(args)));
    }

    /**
     * The {@code --key value} pairs, read as {@link ParameterTool#fromArgs} reads them but for one
     * thing: a value that starts with a minus and a digit or a point ({@code -5m}, {@code -0.5}) is
     * a value, so that its option's check names the option; {@code fromArgs} takes {@code -5m} for
     * a key.
     */
    private static Map<String, String> pairs(String[] args) {
        Map<String, String> pairs = new HashMap<>();
        int i = 0;
        while (i < args.length) {
            String arg = args[i];
            String key =
                    arg.startsWith("--")
                            ? arg.substring(2)
                            : arg.startsWith("-") ? arg.substring(1) : "";
            if (key.isEmpty()) {
                throw new IllegalArgumentException(
                        "cannot read the command line (expected --key value pairs): '"
                                + arg
                                + "' is not a --key");
            }
            i++;
            if (i < args.length && (!args[i].startsWith("-") || looksNegative(args[i]))) {
                pairs.put(key, args[i]);
                i++;
            } else {
                pairs.put(key, NO_VALUE);
            }
        }
        return pairs;
    }

    private static boolean looksNegative(String arg) {
        return arg.length() > 1
                && arg.charAt(0) == '-'
                && (Character.isDigit(arg.charAt(1)) || arg.charAt(1) == '.');
    }

    /** The features configuration in the time zone of the models' training. */
    public FeatureConfig featureConfig(java.time.ZoneId zone) {
        return new FeatureConfig(sessionGap, allowedLateness, retention, zone);
    }

    private static String value(ParameterTool params, String key) {
        String value = params.get(key);
        if (value == null || NO_VALUE.equals(value) || value.isBlank()) {
            throw new IllegalArgumentException("--" + key + ": needs a value");
        }
        return value.trim();
    }

    private static String text(ParameterTool params, String key, String fallback) {
        return params.has(key) ? value(params, key) : fallback;
    }

    private static <T> T parse(
            ParameterTool params, String key, String fallback, Function<String, T> parser) {
        String raw = params.has(key) ? value(params, key) : fallback;
        if (raw == null) {
            return null;
        }
        try {
            return parser.apply(raw);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "--" + key + ": '" + raw + "' is not valid: " + e.getMessage(), e);
        }
    }

    private static DeliveryGuarantee delivery(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "at-least-once":
                return DeliveryGuarantee.AT_LEAST_ONCE;
            case "exactly-once":
                return DeliveryGuarantee.EXACTLY_ONCE;
            default:
                throw new IllegalArgumentException("expected at-least-once or exactly-once");
        }
    }

    private static double probability(String value) {
        double p = Double.parseDouble(value);
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("a threshold is a probability in [0, 1]");
        }
        return p;
    }

    private static int stateFormatVersion(String value) {
        int version = Integer.parseInt(value);
        if (version < UserActivity.OLDEST_FORMAT_VERSION || version > UserActivity.FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "this build writes versions "
                            + UserActivity.OLDEST_FORMAT_VERSION
                            + " to "
                            + UserActivity.FORMAT_VERSION);
        }
        return version;
    }

    private static Duration positive(String value) {
        Duration duration = Durations.parse(value);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("must be positive");
        }
        return duration;
    }

    private static Duration notNegative(String value) {
        Duration duration = Durations.parse(value);
        if (duration.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return duration;
    }
}
