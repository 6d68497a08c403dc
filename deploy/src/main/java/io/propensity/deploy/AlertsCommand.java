package io.propensity.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Prints the alerts topic, one readable line per alert ({@link AlertLine}), or the raw JSON with
 * {@code --raw}. Reads every partition without a consumer group, so it commits nothing and never
 * disturbs other consumers. Ends on Ctrl-C/SIGTERM, after {@code --max-alerts}, or after {@code
 * --idle-seconds} without a new alert.
 */
@Command(
        name = "alerts",
        mixinStandardHelpOptions = true,
        description = "Prints alerts from the alerts topic, one readable line each.",
        footer = {
            "",
            "Kafka client settings: --kafka.<property> <value>, e.g. --kafka.security.protocol"
                    + " SASL_SSL."
        })
final class AlertsCommand implements Callable<Integer>, PropensityCli.KafkaClientCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--topic",
            defaultValue = "propensity.alerts",
            description = "Topic to read (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--from-beginning",
            description = "Start at the oldest alert instead of only new ones.")
    boolean fromBeginning;

    @Option(names = "--raw", description = "Print each alert's JSON as it is on the topic.")
    boolean raw;

    @Option(
            names = "--max-alerts",
            defaultValue = "0",
            description = "Exit after this many alerts; 0 = no limit.")
    long maxAlerts;

    @Option(
            names = "--idle-seconds",
            defaultValue = "0",
            description = "Exit after this many seconds without a new alert; 0 = never.")
    long idleSeconds;

    @Option(
            names = "--topic-wait-seconds",
            defaultValue = "30",
            description = "How long to wait for the topic to exist (default: ${DEFAULT-VALUE}).")
    long topicWaitSeconds;

    @Mixin KafkaOptions kafka;

    @Override
    public KafkaOptions kafka() {
        return kafka;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        CountDownLatch closed = new CountDownLatch(1);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(
                        kafka.clientProperties(
                                Map.of(
                                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                                        ConsumerConfig.CLIENT_ID_CONFIG, "propensity-alerts",
                                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
                        new StringDeserializer(),
                        new StringDeserializer())) {
            Thread main = Thread.currentThread();
            Thread hook =
                    new Thread(
                            () -> {
                                consumer.wakeup();
                                try {
                                    closed.await();
                                } catch (InterruptedException e) {
                                    main.interrupt();
                                }
                            },
                            "alerts-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                List<TopicPartition> partitions = awaitPartitions(consumer);
                consumer.assign(partitions);
                if (fromBeginning) {
                    consumer.seekToBeginning(partitions);
                } else {
                    consumer.seekToEnd(partitions);
                    partitions.forEach(consumer::position);
                }
                System.err.printf(
                        "reading %s on %s (%d partitions)%s%n",
                        topic,
                        kafka.bootstrapServers,
                        partitions.size(),
                        fromBeginning ? " from the beginning" : ", new alerts only");
                return printAlerts(consumer, out);
            } catch (WakeupException e) {
                return 0;
            } finally {
                closed.countDown();
            }
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, String> consumer)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(topicWaitSeconds).toNanos();
        while (true) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (TimeoutException e) {
                // a busy machine or a broker still starting: ask again until the deadline
                infos = null;
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .toList();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "topic "
                                + topic
                                + " does not exist on "
                                + kafka.bootstrapServers
                                + " (create it with deploy/bin/topics.sh)");
            }
            Thread.sleep(500);
        }
    }

    private int printAlerts(KafkaConsumer<String, String> consumer, PrintStream out) {
        long printed = 0;
        long lastAlertNanos = System.nanoTime();
        while (true) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                out.println(raw ? record.value() : render(record));
                printed++;
                lastAlertNanos = System.nanoTime();
                if (maxAlerts > 0 && printed >= maxAlerts) {
                    out.flush();
                    return 0;
                }
            }
            out.flush();
            if (idleSeconds > 0
                    && System.nanoTime() - lastAlertNanos
                            > Duration.ofSeconds(idleSeconds).toNanos()) {
                return 0;
            }
        }
    }

    private static String render(ConsumerRecord<String, String> record) {
        try {
            JsonNode alert = JSON.readTree(record.value());
            if (alert != null && alert.isObject()) {
                return AlertLine.format(alert);
            }
        } catch (JsonProcessingException e) {
            // falls through: a record that is not an alert is shown as it is, never hidden
        }
        return String.format(
                "not an alert JSON object at %s-%d@%d: %s",
                record.topic(), record.partition(), record.offset(), record.value());
    }
}
