package io.propensity.deploy;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates the job's four topics (events, alerts, dead letters, late events) if they do not exist,
 * and leaves existing ones untouched. Names default to the job's defaults.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Creates the events, alerts, dead-letter and late-event topics if missing.",
        footer = {
            "",
            "Kafka client settings: --kafka.<property> <value>, e.g. --kafka.security.protocol"
                    + " SASL_SSL."
        })
final class TopicsCommand implements Callable<Integer>, PropensityCli.KafkaClientCommand {

    @Option(names = "--events-topic", defaultValue = "propensity.events")
    String eventsTopic;

    @Option(names = "--alerts-topic", defaultValue = "propensity.alerts")
    String alertsTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "propensity.dead-letters")
    String deadLetterTopic;

    @Option(names = "--late-topic", defaultValue = "propensity.late-events")
    String lateTopic;

    @Option(
            names = "--partitions",
            defaultValue = "2",
            description = "Partitions of the events and alerts topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--replication-factor",
            defaultValue = "1",
            description = "Replication factor of every topic (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Mixin KafkaOptions kafka;

    @Override
    public KafkaOptions kafka() {
        return kafka;
    }

    @Override
    public Integer call() throws InterruptedException {
        // dead letters and late events are rare side streams: one partition keeps them in order
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put(eventsTopic, partitions);
        wanted.put(alertsTopic, partitions);
        wanted.put(deadLetterTopic, 1);
        wanted.put(lateTopic, 1);

        int failures = 0;
        try (Admin admin =
                Admin.create(
                        kafka.clientProperties(
                                Map.of(
                                        AdminClientConfig.CLIENT_ID_CONFIG, "propensity-topics",
                                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                                "30000")))) {
            for (Map.Entry<String, Integer> topic : wanted.entrySet()) {
                NewTopic newTopic =
                        new NewTopic(topic.getKey(), topic.getValue(), replicationFactor);
                try {
                    admin.createTopics(java.util.List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
                    System.out.printf(
                            "created topic %s (%d partitions, replication factor %d)%n",
                            topic.getKey(), topic.getValue(), replicationFactor);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        System.out.printf("topic %s exists%n", topic.getKey());
                    } else {
                        System.err.printf(
                                "ERROR: could not create topic %s on %s: %s%n",
                                topic.getKey(), kafka.bootstrapServers, e.getCause());
                        failures++;
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    System.err.printf(
                            "ERROR: creating topic %s on %s timed out after 30 s%n",
                            topic.getKey(), kafka.bootstrapServers);
                    failures++;
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
