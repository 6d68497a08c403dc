package io.propensity.job;

import io.propensity.job.privacy.AuditRecord;
import io.propensity.job.privacy.ErasureRequestDeserializer;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.function.SerializableFunction;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The real sources and sinks that {@code main} wires: the events topic (or a bounded file) and the
 * three output topics, all with the {@code --kafka.*} client properties.
 */
public final class KafkaConnectors {

    /**
     * The exactly-once sink's transaction timeout unless {@code --kafka.transaction.timeout.ms}
     * says otherwise: 10 minutes, below a default broker's {@code transaction.max.timeout.ms} (15
     * min). The sink's own default (1 hour) makes the producer fail at start, forever.
     */
    public static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "600000";

    private KafkaConnectors() {}

    /**
     * The events source: the events topic from the group's committed offsets (earliest without),
     * unbounded; or, with {@code --input-file}, the file.
     */
    public static Source<SourceRecord, ?, ?> eventSource(
            JobOptions options, ProcessingClock clock) {
        InputLimits limits = new InputLimits(options.maxRecordBytes);
        if (options.inputFile != null) {
            String file = options.inputFile.toAbsolutePath().toString();
            return FileSource.forRecordStreamFormat(
                            new EventLinesFormat(options.inputFormat, file, limits, clock),
                            new Path(options.inputFile.toUri()))
                    .build();
        }
        return kafkaSource(options, clock, null);
    }

    /**
     * The events topic source.
     *
     * @param stoppingOffsets where a bounded read stops, or {@code null} for an unbounded source
     */
    public static KafkaSource<SourceRecord> kafkaSource(
            JobOptions options, ProcessingClock clock, OffsetsInitializer stoppingOffsets) {
        KafkaSourceBuilder<SourceRecord> builder =
                KafkaSource.<SourceRecord>builder()
                        .setProperties(copy(options.kafkaProperties))
                        .setBootstrapServers(options.bootstrapServers)
                        .setTopics(options.eventsTopic)
                        .setGroupId(options.groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(
                                new EventDeserializer(
                                        new InputLimits(options.maxRecordBytes), clock));
        if (stoppingOffsets != null) {
            builder.setBounded(stoppingOffsets);
        }
        return builder.build();
    }

    /**
     * The erasure requests: the erasure topic from the group's committed offsets (earliest without,
     * so no request is ever skipped), unbounded. Subscribed by a pattern that matches the one name,
     * so a topic created after the job started is picked up at the next partition discovery ({@code
     * --kafka.partition.discovery.interval.ms}) instead of failing the job.
     */
    public static KafkaSource<SourceRecord> erasureSource(
            JobOptions options, ProcessingClock clock) {
        return KafkaSource.<SourceRecord>builder()
                .setProperties(copy(options.kafkaProperties))
                .setBootstrapServers(options.bootstrapServers)
                .setTopicPattern(Pattern.compile(Pattern.quote(options.erasureTopic)))
                .setGroupId(options.groupId)
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(
                        new ErasureRequestDeserializer(
                                new InputLimits(options.maxRecordBytes), clock))
                .build();
    }

    /** The audit topic sink, keyed by (pseudonymised) user id. */
    public static KafkaSink<AuditRecord> auditSink(JobOptions options) {
        return sink(
                options, options.auditTopic, "audit", AuditRecord::kafkaKey, AuditRecord::toJson);
    }

    /** The alerts topic sink, keyed by user id. */
    public static KafkaSink<Alert> alertSink(JobOptions options) {
        return sink(options, options.alertsTopic, "alerts", Alert::kafkaKey, Alert::toJson);
    }

    /** The dead-letter topic sink, keyed by source topic and partition. */
    public static KafkaSink<DeadLetter> deadLetterSink(JobOptions options) {
        return sink(
                options,
                options.deadLetterTopic,
                "dead-letters",
                DeadLetter::kafkaKey,
                DeadLetter::toJson);
    }

    /** The late-events topic sink, keyed by user id. */
    public static KafkaSink<LateEvent> lateEventSink(JobOptions options) {
        return sink(
                options, options.lateTopic, "late-events", LateEvent::kafkaKey, LateEvent::toJson);
    }

    private static <T> KafkaSink<T> sink(
            JobOptions options,
            String topic,
            String name,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        KafkaSinkBuilder<T> builder =
                KafkaSink.<T>builder()
                        .setKafkaProducerConfig(copy(options.kafkaProperties))
                        .setBootstrapServers(options.bootstrapServers)
                        .setRecordSerializer(new JsonRecordSerializer<>(topic, key, value))
                        .setDeliveryGuarantee(options.delivery);
        if (options.delivery == DeliveryGuarantee.EXACTLY_ONCE) {
            // one prefix per sink: transactional ids must not collide between sinks or jobs
            builder.setTransactionalIdPrefix(options.groupId + "-" + name);
            if (!options.kafkaProperties.containsKey("transaction.timeout.ms")) {
                builder.setProperty("transaction.timeout.ms", DEFAULT_TRANSACTION_TIMEOUT_MS);
            }
        }
        return builder.build();
    }

    private static Properties copy(Properties properties) {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }
}
