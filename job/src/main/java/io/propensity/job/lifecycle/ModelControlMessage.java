package io.propensity.job.lifecycle;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * One record of the models control topic, as text, with its coordinates for logs.
 *
 * @param topic the topic
 * @param partition its partition
 * @param offset its offset
 * @param timestamp the record's Kafka timestamp, epoch ms
 * @param text the value as UTF-8 text, empty for a tombstone
 */
public record ModelControlMessage(
        String topic, int partition, long offset, long timestamp, String text) {

    /** Where the message came from, e.g. {@code propensity.models-0@12}. */
    public String where() {
        return topic + "-" + partition + "@" + offset;
    }

    /** Reads the control topic's records; never fails (a bad message is rejected later). */
    public static final class Deserializer
            implements KafkaRecordDeserializationSchema<ModelControlMessage> {

        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<ModelControlMessage> out) {
            String text =
                    record.value() == null
                            ? ""
                            : new String(record.value(), StandardCharsets.UTF_8);
            out.collect(
                    new ModelControlMessage(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            text));
        }

        @Override
        public TypeInformation<ModelControlMessage> getProducedType() {
            return TypeInformation.of(ModelControlMessage.class);
        }
    }
}
