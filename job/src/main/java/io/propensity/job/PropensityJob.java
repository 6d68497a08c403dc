package io.propensity.job;

import io.propensity.job.lifecycle.ModelAwareKeyedOperator;
import io.propensity.job.lifecycle.ModelControlMessage;
import io.propensity.job.lifecycle.ModelDirectory;
import io.propensity.job.lifecycle.ModelLifecycle;
import io.propensity.job.lifecycle.ScoreRecord;
import io.propensity.job.privacy.AuditRecord;
import io.propensity.job.privacy.PrivacyRules;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The Propensity job: shopper events in, purchase-intent and churn-risk alerts out.
 *
 * <p>The pipeline reads top to bottom in {@link #build}: source with event-time watermarks, the
 * dead-letter split, keyBy user, the per-user {@link UserActivityFunction}, and the three sinks.
 * The source, sinks and clock are handed in, so tests run the same pipeline on their own; {@link
 * #main} wires the real Kafka (or file) connectors. Operator names and uids are stable: they are
 * what the web UI shows and what savepoints bind to.
 */
public class PropensityJob {

    private static final Logger LOG = LoggerFactory.getLogger(PropensityJob.class);

    private final Source<SourceRecord, ?, ?> source;
    private final Sink<Alert> alerts;
    private final Sink<DeadLetter> deadLetters;
    private final Sink<LateEvent> lateEvents;
    private final AlertRules rules;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final ProcessingClock clock;
    private PrivacyRules privacy = PrivacyRules.DEFAULT;
    private Source<SourceRecord, ?, ?> erasureRequests;
    private Sink<AuditRecord> audit;
    private Source<ModelControlMessage, ?, ?> modelControl;
    private Sink<ScoreRecord> scores;
    private Sink<ScoreRecord> shadowScores;
    private boolean scoreFeatures;

    public PropensityJob(
            Source<SourceRecord, ?, ?> source,
            Sink<Alert> alerts,
            Sink<DeadLetter> deadLetters,
            Sink<LateEvent> lateEvents,
            AlertRules rules,
            Duration outOfOrderness,
            Duration idleness,
            ProcessingClock clock) {
        this.source = source;
        this.alerts = alerts;
        this.deadLetters = deadLetters;
        this.lateEvents = lateEvents;
        this.rules = rules;
        this.outOfOrderness = outOfOrderness;
        this.idleness = idleness;
        this.clock = clock;
    }

    /**
     * Sets the privacy rules, the erasure requests' source (or {@code null} for none, as in a
     * bounded file run) and the audit sink. Without a call, consent is granted by default, outputs
     * keep raw ids, and audit records (consent withdrawals) are discarded: {@link #main} always
     * calls it.
     */
    public PropensityJob withPrivacy(
            PrivacyRules privacy,
            Source<SourceRecord, ?, ?> erasureRequests,
            Sink<AuditRecord> audit) {
        this.privacy = privacy;
        this.erasureRequests = erasureRequests;
        this.audit = audit;
        return this;
    }

    /**
     * Sets the model lifecycle's source and sinks (see the README's "Model lifecycle"): the models
     * control topic or the watched models directory (or {@code null}: the command line's models
     * serve for the whole run), the scores sink (or {@code null}: no score records) and the
     * shadow-scores sink (or {@code null}: shadow scores are dropped).
     */
    public PropensityJob withModelLifecycle(
            Source<ModelControlMessage, ?, ?> modelControl,
            Sink<ScoreRecord> scores,
            Sink<ScoreRecord> shadowScores) {
        this.modelControl = modelControl;
        this.scores = scores;
        this.shadowScores = shadowScores;
        return this;
    }

    /** Score records carry the feature vector they scored ({@code --score-features}). */
    public PropensityJob withScoreFeatures(boolean enabled) {
        this.scoreFeatures = enabled;
        return this;
    }

    /** Parses the command line, loads and checks the models, wires Kafka, runs the job. */
    public static void main(String[] args) throws Exception {
        JobOptions options = JobOptions.parse(args);
        AlertRules rules = AlertRules.resolve(options);
        if (options.privacy.pseudonymises()) {
            // fail at submission, not on a TaskManager; the key is read again there, never shipped
            options.privacy.pseudonymKey().read();
            LOG.info(
                    "user ids in outputs are pseudonymised (key from {})",
                    options.privacy.pseudonymKey().describe());
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration(options));
        ProcessingClock clock = ProcessingClock.SYSTEM;
        new PropensityJob(
                        KafkaConnectors.eventSource(options, clock),
                        KafkaConnectors.alertSink(options),
                        KafkaConnectors.deadLetterSink(options),
                        KafkaConnectors.lateEventSink(options),
                        rules,
                        options.outOfOrderness,
                        options.idleness,
                        clock)
                .withPrivacy(
                        options.privacy,
                        // a bounded backfill does not read the unbounded erasure topic
                        options.inputFile == null
                                ? KafkaConnectors.erasureSource(options, clock)
                                : null,
                        KafkaConnectors.auditSink(options))
                .withModelLifecycle(
                        modelControl(options),
                        options.scoresTopic == null
                                ? null
                                : scoreSink(options, options.scoresTopic, "scores"),
                        options.modelsTopic == null && options.modelsDir == null
                                ? null
                                : scoreSink(options, options.shadowTopic, "shadow-scores"))
                .withScoreFeatures(options.scoreFeatures)
                .build(env);
        env.execute("propensity");
    }

    /** The models control topic, or the watched models directory, or {@code null} for neither. */
    private static Source<ModelControlMessage, ?, ?> modelControl(JobOptions options) {
        if (options.modelsTopic != null) {
            return ModelLifecycle.controlSource(
                    options.bootstrapServers,
                    options.modelsTopic,
                    options.groupId,
                    options.kafkaProperties);
        }
        if (options.modelsDir != null) {
            return ModelDirectory.source(options.modelsDir, options.modelsDirInterval);
        }
        return null;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {

        // events with event-time watermarks; refused records ride along as dead letters and
        // never move the watermark
        WatermarkStrategy<SourceRecord> watermarks =
                WatermarkStrategy.<SourceRecord>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner(
                                (record, kafkaTime) ->
                                        record.isEvent()
                                                ? record.event().eventTimeMillis()
                                                : Long.MIN_VALUE)
                        .withIdleness(idleness);
        DataStream<SourceRecord> records =
                env.fromSource(source, watermarks, "events").uid("events-source");

        // erasure requests join the events: they carry no event time and their source is idle
        // from the start, so they never hold back the watermark
        if (erasureRequests != null) {
            records =
                    records.union(
                            env.fromSource(
                                            erasureRequests,
                                            ControlWatermarks.<SourceRecord>alwaysIdle(),
                                            "erasure-requests")
                                    .uid("erasure-requests-source"));
        }

        // refused records go to the dead-letter topic
        SingleOutputStreamOperator<SourceRecord> events =
                records.process(new DeadLetterSplit(privacy))
                        .name("route-dead-letters")
                        .uid("route-dead-letters");
        events.getSideOutput(DeadLetterSplit.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .name("dead-letters-sink")
                .uid("dead-letters-sink");

        // per user: state in RocksDB, features, scores, inactivity checks, alerts; model
        // deployments reach every instance on a second, broadcast input
        UserActivityFunction perUser =
                new UserActivityFunction(rules, clock, privacy)
                        .withScoresOutput(scores != null)
                        .withScoreFeatures(scoreFeatures);
        SingleOutputStreamOperator<Alert> scored =
                events.keyBy(SourceRecord::userId)
                        .connect(
                                ModelLifecycle.deployments(
                                        env, modelControl, events, rules.scorerKind()))
                        .transform(
                                "user-activity",
                                TypeInformation.of(Alert.class),
                                new ModelAwareKeyedOperator<>(perUser))
                        .uid("user-activity");

        // alerts, and events not applied (late or re-sent), to their topics
        scored.sinkTo(alerts).name("alerts-sink").uid("alerts-sink");
        scored.getSideOutput(UserActivityFunction.LATE_EVENTS)
                .sinkTo(lateEvents)
                .name("late-events-sink")
                .uid("late-events-sink");
        if (scores != null) {
            scored.getSideOutput(ModelLifecycle.SCORES)
                    .sinkTo(scores)
                    .name("scores-sink")
                    .uid("scores-sink");
        }
        if (shadowScores != null) {
            scored.getSideOutput(ModelLifecycle.SHADOW_SCORES)
                    .sinkTo(shadowScores)
                    .name("shadow-scores-sink")
                    .uid("shadow-scores-sink");
        }
        if (audit != null) {
            scored.getSideOutput(UserActivityFunction.AUDIT)
                    .sinkTo(audit)
                    .name("audit-sink")
                    .uid("audit-sink");
        }
    }

    private static Sink<ScoreRecord> scoreSink(JobOptions options, String topic, String name) {
        return ModelLifecycle.scoreSink(
                options.bootstrapServers,
                topic,
                options.groupId,
                name,
                options.delivery,
                options.kafkaProperties,
                KafkaConnectors.DEFAULT_TRANSACTION_TIMEOUT_MS);
    }

    /** RocksDB with incremental, retained checkpoints at the configured interval and place. */
    public static Configuration configuration(JobOptions options) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, options.checkpointDir);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.checkpointInterval);
        config.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return config;
    }
}
