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
 * Creates the job's topics if they do not exist, and leaves existing ones untouched: events,
 * alerts, dead letters, late events, erasure requests and audit, and the model lifecycle's models
 * control, scores (compacted) and shadow-scores topics, so that every option of the job can be
 * switched on against the local broker. Names default to the job's defaults.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description =
                "Creates the job's topics if missing: events, alerts, dead letters, late events,"
                        + " erasure requests, audit, models, scores and shadow scores.",
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

    @Option(names = "--erasure-topic", defaultValue = "propensity.erasure-requests")
    String erasureTopic;

    @Option(names = "--audit-topic", defaultValue = "propensity.audit")
    String auditTopic;

    @Option(names = "--models-topic", defaultValue = "propensity.models")
    String modelsTopic;

    @Option(names = "--scores-topic", defaultValue = "propensity.scores")
    String scoresTopic;

    @Option(names = "--shadow-topic", defaultValue = "propensity.shadow-scores")
    String shadowTopic;

    @Option(
            names = "--partitions",
            defaultValue = "2",
            description =
                    "Partitions of the events, alerts, scores and shadow-scores topics (default:"
                            + " ${DEFAULT-VALUE}).")
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
        // dead letters, late events, erasure requests and audit records are rare side streams:
        // one partition keeps them in order; the models topic must have one (its order is the
        // order of the changes)
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put(eventsTopic, partitions);
        wanted.put(alertsTopic, partitions);
        wanted.put(deadLetterTopic, 1);
        wanted.put(lateTopic, 1);
        wanted.put(erasureTopic, 1);
        wanted.put(auditTopic, 1);
        wanted.put(modelsTopic, 1);
        wanted.put(scoresTopic, partitions);
        wanted.put(shadowTopic, partitions);

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
                if (topic.getKey().equals(scoresTopic)) {
                    // a lookup table of each user's latest scores (key <user_id>/<type>)
                    newTopic.configs(Map.of("cleanup.policy", "compact"));
                }
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
