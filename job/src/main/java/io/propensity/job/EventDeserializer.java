package io.propensity.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns each Kafka record of the events topic into a {@link SourceRecord}: a parsed event or a dead
 * letter carrying the raw value, the reason and the record's topic, partition and offset. Never
 * throws and never skips a record, so the source cannot fail or lose anything on bad input.
 */
public final class EventDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {

    private static final long serialVersionUID = 1L;

    private final InputLimits limits;
    private final ProcessingClock clock;

    public EventDeserializer(InputLimits limits, ProcessingClock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        out.collect(
                limits.admitJson(
                        record.value(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        clock.millis()));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
