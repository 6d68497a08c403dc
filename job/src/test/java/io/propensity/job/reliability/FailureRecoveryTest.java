package io.propensity.job.reliability;

import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;
import io.propensity.features.io.EventJson;
import io.propensity.job.ProcessingClock;
import io.propensity.job.reliability.FaultPlan.Fault;
import io.propensity.job.reliability.FaultPlan.Point;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Task failures with recovery from checkpoints, on the REES46 slice through the in-JVM Kafka
 * broker: three faults per run, each thrown once by {@link FaultInjectingSource} around the real
 * Kafka source, at three record counts and three points (while emitting, in a checkpoint's
 * snapshot, and when a checkpoint completes while the sinks commit), with a fixed-delay restart
 * strategy of at most five attempts.
 *
 * <p>The reference is an uninterrupted run of the same job on the same topic. Exactly-once: the
 * alerts topic read with {@code read_committed} holds exactly the same records (every field: the
 * clock is fixed, so {@code emitted_at} too). At-least-once: the same set of alert ids, and every
 * repeated record is the same alert, with the same id, as the reference's.
 */
class FailureRecoveryTest {

    private static final Path REES46 =
            Path.of("../data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz");
    private static final Path MODELS = Path.of("src/test/resources/test-models");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENTS = "recovery-events";

    /** 2020-09-13: after the data, so no event is "in the future"; fixed, so runs compare. */
    private static final ProcessingClock FIXED_CLOCK = () -> 1_600_000_000_000L;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(flinkConfig())
                            .build());

    private static InJvmKafka kafka;
    private static int events;
    private static List<String> reference;

    @TempDir Path checkpoints;

    private static Configuration flinkConfig() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        return config;
    }

    @BeforeAll
    static void produceTheRealEvents() throws Exception {
        kafka = InJvmKafka.start();
        kafka.createTopics(2, EVENTS);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.orderedProducer(EVENTS);
                EventFileReader reader =
                        EventFileReader.open(
                                REES46, EventFormat.REES46, (source, line, reason, raw) -> {})) {
            while (reader.hasNext()) {
                ShopperEvent event = reader.next();
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        EVENTS,
                                        utf8(event.userId()),
                                        utf8(EventJson.write(event)))));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sent) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
        events = sent.size();
        assertThat(events).isGreaterThan(17_000);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldCommitExactlyTheUninterruptedRunsAlertsDespiteThreeFailures() throws Exception {
        FaultPlan plan = faults("exactly-once-faults");

        List<String> recovered = run("exactly-once-faults", "exactly-once", "read_committed");

        assertFired(plan);
        assertThat(sorted(recovered))
                .as("committed alerts after three failures, against the uninterrupted run")
                .isEqualTo(reference());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldRepeatAlertsOnlyWithTheirOwnIdsAtLeastOnceDespiteThreeFailures() throws Exception {
        FaultPlan plan = faults("at-least-once-faults");

        List<String> recovered = run("at-least-once-faults", "at-least-once", "read_uncommitted");

        assertFired(plan);
        Map<String, String> referenceById = byId(reference());
        Map<String, Integer> copies = new TreeMap<>();
        for (String alert : recovered) {
            String id = JSON.readTree(alert).get("alert_id").asText();
            copies.merge(id, 1, Integer::sum);
            assertThat(alert)
                    .as("alert %s as in the uninterrupted run", id)
                    .isEqualTo(referenceById.get(id));
        }
        assertThat(copies.keySet()).isEqualTo(referenceById.keySet());
        long repeated = copies.values().stream().filter(n -> n > 1).count();
        System.out.printf(
                "at-least-once after 3 failures: %d alert records, %d distinct ids (%d repeated);"
                        + " faults %s%n",
                recovered.size(), copies.size(), repeated, plan.faults);
    }

    /** Faults at three record counts, each after a completed checkpoint. */
    private static FaultPlan faults(String name) {
        return FaultPlan.register(
                name,
                2,
                new Fault(Point.EMITTING, events / 6),
                new Fault(Point.SNAPSHOT, events / 3),
                new Fault(Point.CHECKPOINT_COMPLETE, events / 2));
    }

    private static void assertFired(FaultPlan plan) {
        for (Fault fault : plan.faults) {
            assertThat(fault.fired).as("fault %s", fault).isTrue();
            assertThat(fault.checkpointAtFailure)
                    .as("a checkpoint to recover from before %s", fault)
                    .isPositive();
        }
    }

    /** The uninterrupted run, exactly-once, read committed: computed once. */
    private synchronized List<String> reference() throws Exception {
        if (reference == null) {
            FaultPlan.register("reference", 0);
            reference = sorted(run("reference", "exactly-once", "read_committed"));
            assertThat(reference).as("the data must raise alerts").hasSizeGreaterThan(10);
            System.out.printf("uninterrupted run: %d alerts%n", reference.size());
        }
        return reference;
    }

    private List<String> run(String name, String delivery, String isolation) throws Exception {
        String alerts = name + "-alerts";
        kafka.createTopics(2, alerts);
        kafka.createTopics(1, name + "-dead-letters", name + "-late");
        JobClient job =
                JobRun.start(
                        new String[] {
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--events-topic",
                            EVENTS,
                            "--alerts-topic",
                            alerts,
                            "--dead-letter-topic",
                            name + "-dead-letters",
                            "--late-topic",
                            name + "-late",
                            "--group-id",
                            name,
                            "--delivery",
                            delivery,
                            "--purchase-model",
                            MODELS.resolve("purchase-intent.pmml").toString(),
                            "--churn-model",
                            MODELS.resolve("churn-risk.pmml").toString(),
                            "--checkpoint-interval",
                            "300ms",
                            "--idleness",
                            "10m",
                            "--checkpoint-dir",
                            checkpoints.resolve(name).toUri().toString()
                        },
                        true,
                        source -> FaultInjectingSource.wrap(source, name),
                        FIXED_CLOCK,
                        config -> {
                            config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                            config.set(
                                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                                    5);
                            config.set(
                                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                                    Duration.ofMillis(200));
                        });
        job.getJobExecutionResult().get(240, TimeUnit.SECONDS);
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.readAll(alerts, isolation)) {
            values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static List<String> sorted(List<String> alerts) {
        List<String> copy = new ArrayList<>(alerts);
        copy.sort(null);
        return copy;
    }

    private static Map<String, String> byId(List<String> alerts) throws Exception {
        Map<String, String> byId = new HashMap<>();
        for (String alert : alerts) {
            JsonNode json = JSON.readTree(alert);
            assertThat(byId.put(json.get("alert_id").asText(), alert))
                    .as("alert ids are unique in the uninterrupted run")
                    .isNull();
        }
        return byId;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
