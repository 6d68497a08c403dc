package io.propensity.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Counts the records of a topic by reading it from the beginning up to its current end (committed
 * records only, so transaction markers and aborted records do not count), optionally grouped by a
 * top-level JSON field. Meant for the small topics of a local run; no consumer group is used.
 */
final class TopicCounts implements AutoCloseable {

    /** The key under which records without the field, or not JSON, are counted. */
    static final String UNKNOWN = "(other)";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, String> consumer;

    TopicCounts(KafkaOptions kafka) {
        Properties properties =
                kafka.clientProperties(
                        Map.of(
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                                ConsumerConfig.CLIENT_ID_CONFIG, "propensity-summary",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"));
        consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    /** The number of records on the topic; -1 if the topic does not exist. */
    long count(String topic) {
        Map<String, Long> counts = countBy(topic, null);
        return counts == null ? -1 : counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Record counts by the value of a top-level JSON field (sorted by value), or by nothing when
     * {@code field} is null (one entry); null if the topic does not exist.
     */
    Map<String, Long> countBy(String topic, String field) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            return null;
        }
        List<TopicPartition> partitions =
                infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));

        Map<String, Long> counts = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!reachedEnd(partitions, end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + topic + " took longer than 60 s");
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() < end.get(new TopicPartition(topic, record.partition()))) {
                    counts.merge(
                            field == null ? topic : valueOf(record.value(), field), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    private boolean reachedEnd(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition, Duration.ofSeconds(10)) < end.get(partition)) {
                return false;
            }
        }
        return true;
    }

    private static String valueOf(String json, String field) {
        try {
            JsonNode node = JSON.readTree(json);
            JsonNode value = node == null ? null : node.get(field);
            return value == null || !value.isValueNode() ? UNKNOWN : value.asText();
        } catch (JsonProcessingException e) {
            return UNKNOWN;
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
