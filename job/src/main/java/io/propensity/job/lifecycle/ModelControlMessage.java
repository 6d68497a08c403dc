package io.propensity.job.lifecycle;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * One control message, from the models control topic or a file of the watched models directory, as
 * text, with where it came from for logs.
 *
 * @param where the message's identity in logs: {@code <topic>-<partition>@<offset>} for a record of
 *     the control topic, {@code <file>:<line>} for a line of a models file
 * @param timestamp the record's Kafka timestamp, or the file's modification time, epoch ms
 * @param text the message as text, empty for a tombstone
 */
public record ModelControlMessage(String where, long timestamp, String text) {

    /** A record of the control topic, e.g. {@code propensity.models-0@12}. */
    public static ModelControlMessage fromTopic(
            String topic, int partition, long offset, long timestamp, String text) {
        return new ModelControlMessage(topic + "-" + partition + "@" + offset, timestamp, text);
    }

    /**
     * A line of a models file, e.g. {@code file:/shared/models/0003-purchase.json:1}.
     *
     * @param line 1-based, counting blank lines
     */
    public static ModelControlMessage fromFile(
            String file, long line, long modificationTime, String text) {
        return new ModelControlMessage(file + ":" + line, modificationTime, text);
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
                    fromTopic(
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
