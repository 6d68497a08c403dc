package io.propensity.job.privacy;

import io.propensity.job.DeadLetter;
import io.propensity.job.InputLimits;
import io.propensity.job.ProcessingClock;
import io.propensity.job.SourceRecord;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Turns each record of the erasure topic into a {@link SourceRecord}: an {@link ErasureRequest}, or
 * a dead letter naming the field at fault. Never throws and never skips a record: a request that
 * cannot be read must be visible (dead-letter topic and {@code deadLetters} metric), never lost.
 */
public final class ErasureRequestDeserializer
        implements KafkaRecordDeserializationSchema<SourceRecord> {

    private static final long serialVersionUID = 1L;

    private final InputLimits limits;
    private final ProcessingClock clock;

    public ErasureRequestDeserializer(InputLimits limits, ProcessingClock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        out.collect(
                admit(
                        record.value(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        clock.millis()));
    }

    /** One record's value as a request or a dead letter. */
    public SourceRecord admit(byte[] value, String topic, int partition, long offset, long now) {
        String reason;
        if (value == null) {
            reason = "erasure request has no value (null)";
        } else if (value.length > limits.maxRecordBytes()) {
            reason =
                    "erasure request of "
                            + value.length
                            + " bytes exceeds the limit of "
                            + limits.maxRecordBytes()
                            + " bytes (--max-record-bytes)";
        } else {
            try {
                return SourceRecord.ofErasure(
                        ErasureRequest.parse(value), topic, partition, offset);
            } catch (RuntimeException e) {
                reason = e.getMessage();
            }
        }
        String raw = value == null ? "" : new String(value, StandardCharsets.UTF_8);
        if (raw.length() > InputLimits.RAW_PREVIEW_CHARS) {
            raw = raw.substring(0, InputLimits.RAW_PREVIEW_CHARS);
        }
        return SourceRecord.ofDeadLetter(
                new DeadLetter(reason, raw, topic, partition, offset, now));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
