package io.propensity.job;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

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

    private final Source<SourceRecord, ?, ?> source;
    private final Sink<Alert> alerts;
    private final Sink<DeadLetter> deadLetters;
    private final Sink<LateEvent> lateEvents;
    private final AlertRules rules;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final ProcessingClock clock;

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

    /** Parses the command line, loads and checks the models, wires Kafka, runs the job. */
    public static void main(String[] args) throws Exception {
        JobOptions options = JobOptions.parse(args);
        AlertRules rules = AlertRules.resolve(options);
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
                .build(env);
        env.execute("propensity");
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

        // refused records go to the dead-letter topic
        SingleOutputStreamOperator<SourceRecord> events =
                records.process(new DeadLetterSplit())
                        .name("route-dead-letters")
                        .uid("route-dead-letters");
        events.getSideOutput(DeadLetterSplit.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .name("dead-letters-sink")
                .uid("dead-letters-sink");

        // per user: state in RocksDB, features, scores, inactivity checks, alerts
        SingleOutputStreamOperator<Alert> scored =
                events.keyBy(record -> record.event().userId())
                        .process(new UserActivityFunction(rules, clock))
                        .name("user-activity")
                        .uid("user-activity");

        // alerts and late events to their topics
        scored.sinkTo(alerts).name("alerts-sink").uid("alerts-sink");
        scored.getSideOutput(UserActivityFunction.LATE_EVENTS)
                .sinkTo(lateEvents)
                .name("late-events-sink")
                .uid("late-events-sink");
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
