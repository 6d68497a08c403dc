package io.propensity.job;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes one of the job's output records (alert, dead letter, late event) to its topic, with the
 * record's own key and JSON value. The Kafka timestamp is left to the producer (create time).
 */
final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, byte[]> value;

    JsonRecordSerializer(
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, key.apply(element), value.apply(element));
    }
}
