package io.propensity.job.lifecycle;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventJson;
import io.propensity.job.AlertRules;
import io.propensity.job.JobOptions;
import io.propensity.job.KafkaConnectors;
import io.propensity.job.ProcessingClock;
import io.propensity.job.PropensityJob;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model lifecycle in a running job (MiniCluster, RocksDB, two parallel instances of the
 * per-user function, in-JVM Kafka): a champion swapped mid-stream, a bad model rejected, a shadow
 * challenger, an A/B challenger, and a restart from a retained checkpoint that keeps the swapped
 * models although the command line names the old ones.
 *
 * <p>The swap point is made deterministic the way an operator would check it: after a control
 * message the test sends views of one probe user per parallel instance until each probe's score on
 * the scores topic names the new version; only then are the next users' events sent. Every expected
 * score is computed by hand from the test models ({@link LifecycleTestModels}): two carts within a
 * minute score logistic(2.75) with test-1 and logistic(3.75) with test-2.
 */
class ModelLifecycleKafkaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARALLELISM = 2;
    private static final long T0 = 1_569_888_000_000L; // 2019-10-01T00:00:00Z

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(flinkConfig())
                            .build());

    private static KafkaClusterTestKit kafka;
    private static KafkaProducer<byte[], byte[]> producer;

    @TempDir Path checkpoints;

    private long clock = T0;

    private static Configuration flinkConfig() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        return config;
    }

    @BeforeAll
    static void startKafka() throws Exception {
        kafka =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String topic :
                    List.of("events", "alerts", "dead", "late", "models", "scores", "shadow")) {
                topics.add(new NewTopic(topic, 1, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        producer = new KafkaProducer<>(props);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldSwapShadowSplitAndKeepModelsAcrossARestartWithoutLosingState() throws Exception {
        String[] probes = probesPerInstance("probe", 0.5);
        JobClient job = start(null);

        // before any change: the command line's test-1 scores and alerts
        twoCarts("a1", "a2", "a3");
        Map<String, List<JsonNode>> scores = awaitScores(6);
        for (String user : List.of("a1", "a2", "a3")) {
            assertThat(versions(scores.get(user))).containsExactly("test-1", "test-1");
            assertThat(scores.get(user).get(1).get("score").asDouble())
                    .isEqualTo(LifecycleTestModels.V1_TWO_CARTS, within());
        }

        // swap the champion to test-2 and wait until every instance serves it
        control(deploy("champion", LifecycleTestModels.PURCHASE_V2, "test-2", ""));
        awaitProbes(probes, "scores", "test-2");
        twoCarts("b1", "b2", "b3");
        // a1 keeps its state through the swap: a view scores its two carts, with test-2
        send("a1", EventType.VIEW);
        scores = awaitScores(6 + 6 + 1);
        for (String user : List.of("b1", "b2", "b3")) {
            assertThat(versions(scores.get(user))).containsExactly("test-2", "test-2");
            assertThat(scores.get(user).get(1).get("score").asDouble())
                    .isEqualTo(LifecycleTestModels.V2_TWO_CARTS, within());
        }
        JsonNode a1View = scores.get("a1").get(2);
        assertThat(a1View.get("model_version").asText()).isEqualTo("test-2");
        assertThat(a1View.get("score").asDouble())
                .isEqualTo(LifecycleTestModels.V2_TWO_CARTS, within());

        // a bad model is rejected; the shadow challenger sent after it shows it was handled
        control(deploy("champion", LifecycleTestModels.PURCHASE_BAD, "bad-1", ""));
        control(
                deploy(
                        "challenger",
                        LifecycleTestModels.PURCHASE_V1,
                        "test-1",
                        ",\"mode\":\"shadow\""));
        awaitProbes(probes, "shadow", "test-1");
        twoCarts("c1", "c2");
        scores = awaitScores(6 + 6 + 1 + 4);
        Map<String, List<JsonNode>> shadow = byUser(awaitRecords("shadow", r -> true));
        for (String user : List.of("c1", "c2")) {
            assertThat(versions(scores.get(user))).containsExactly("test-2", "test-2");
            assertThat(versions(shadow.get(user))).containsExactly("test-1", "test-1");
            assertThat(shadow.get(user).get(1).get("score").asDouble())
                    .isEqualTo(LifecycleTestModels.V1_TWO_CARTS, within());
            assertThat(shadow.get(user).get(1).get("shadow").asBoolean()).isTrue();
        }

        // A/B: the challenger (test-1) serves the users whose stable position is under 0.5
        control(
                deploy(
                        "challenger",
                        LifecycleTestModels.PURCHASE_V1,
                        "test-1",
                        ",\"mode\":\"ab\",\"share\":0.5"));
        awaitProbes(probes, "scores", "test-1");
        List<String> abUsers = List.of("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8");
        twoCarts(abUsers.toArray(new String[0]));
        int challengers = 0;
        for (String user : abUsers) {
            boolean challenger = AbSplit.position(ModelRole.PURCHASE_INTENT, user) < 0.5;
            challengers += challenger ? 1 : 0;
            JsonNode alert = awaitAlert(user);
            assertThat(alert.get("arm").asText())
                    .as(user)
                    .isEqualTo(challenger ? "challenger" : "champion");
            assertThat(alert.get("model_version").asText())
                    .isEqualTo(challenger ? "test-1" : "test-2");
        }
        assertThat(challengers).as("both arms exercised").isBetween(1, abUsers.size() - 1);

        // alerts before the swap name test-1, after it test-2; never a shadow model
        assertThat(awaitAlert("a2").get("model_version").asText()).isEqualTo("test-1");
        assertThat(awaitAlert("b2").get("model_version").asText()).isEqualTo("test-2");
        assertThat(awaitAlert("c1").get("model_version").asText()).isEqualTo("test-2");
        assertThat(awaitAlert("c1").get("arm").asText()).isEqualTo("champion");

        // a champion-arm user with one cart before the restart and one after it
        String kept = userInArm("f", false);
        send(kept, EventType.CART);

        // restart from the latest retained checkpoint; the command line still names test-1
        Thread.sleep(3_000);
        job.cancel().get(60, TimeUnit.SECONDS);
        awaitTermination(job);
        Path checkpoint = latestCheckpoint();
        job = start(checkpoint);
        try {
            twoCarts("e1", "e2", "e3", "e4");
            for (String user : List.of("e1", "e2", "e3", "e4")) {
                boolean challenger = AbSplit.position(ModelRole.PURCHASE_INTENT, user) < 0.5;
                JsonNode alert = awaitAlert(user);
                assertThat(alert.get("model_version").asText())
                        .as("%s after the restart from %s", user, checkpoint)
                        .isEqualTo(challenger ? "test-1" : "test-2");
            }
            // and the users' state came back too: the second cart sees the first one (a fresh
            // state would score 2 - 0.5 + 0, not 2 + 1.5 + 0.25)
            send(kept, EventType.CART);
            long secondCart = clock;
            List<JsonNode> scoresOfKept =
                    awaitRecords(
                                    "scores",
                                    r ->
                                            r.get("user_id").asText().equals(kept)
                                                    && r.get("trigger").get("time").asLong()
                                                            == secondCart)
                            .stream()
                            .filter(r -> r.get("user_id").asText().equals(kept))
                            .toList();
            JsonNode last = scoresOfKept.get(scoresOfKept.size() - 1);
            assertThat(last.get("model_version").asText()).isEqualTo("test-2");
            assertThat(last.get("score").asDouble())
                    .isEqualTo(LifecycleTestModels.V2_TWO_CARTS, within());

            // event time still follows the events alone (the control input and the source
            // subtask without a partition are idle): an event three days later fires the
            // inactivity checks, and the 2-day check of e1 scores
            // (129600 s or more since its latest event: 1, no purchase: 0.5) logistic(1.5)
            sendAt("late-user", EventType.VIEW, 3 * 86_400_000L);
            JsonNode churn =
                    awaitRecords(
                                    "alerts",
                                    r ->
                                            r.get("user_id").asText().equals("e1")
                                                    && r.get("type").asText().equals("churn_risk"))
                            .stream()
                            .filter(
                                    r ->
                                            r.get("user_id").asText().equals("e1")
                                                    && r.get("type").asText().equals("churn_risk"))
                            .findFirst()
                            .orElseThrow();
            assertThat(churn.get("model_version").asText()).isEqualTo("test-1");
            assertThat(churn.get("arm").asText()).isEqualTo("champion");
            assertThat(churn.get("score").asDouble())
                    .isEqualTo(LifecycleTestModels.logistic(1.5), within());
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private JobClient start(Path restoreFrom) throws Exception {
        JobOptions options =
                JobOptions.parse(
                        new String[] {
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--events-topic", "events",
                            "--alerts-topic", "alerts",
                            "--dead-letter-topic", "dead",
                            "--late-topic", "late",
                            "--models-topic", "models",
                            "--scores-topic", "scores",
                            "--shadow-topic", "shadow",
                            "--group-id", "lifecycle-test",
                            "--purchase-model", LifecycleTestModels.PURCHASE_V1.toString(),
                            "--churn-model", LifecycleTestModels.CHURN_V1.toString(),
                            "--checkpoint-interval", "1s",
                            // one partition per topic at parallelism 2: the source subtask
                            // without a partition must go idle for event time to advance
                            "--idleness", "2s",
                            "--checkpoint-dir", checkpoints.toUri().toString()
                        });
        AlertRules rules = AlertRules.resolve(options);
        Configuration config = PropensityJob.configuration(options);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (restoreFrom != null) {
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        new PropensityJob(
                        KafkaConnectors.kafkaSource(options, ProcessingClock.SYSTEM, null),
                        KafkaConnectors.alertSink(options),
                        KafkaConnectors.deadLetterSink(options),
                        KafkaConnectors.lateEventSink(options),
                        rules,
                        options.outOfOrderness,
                        options.idleness,
                        ProcessingClock.SYSTEM)
                .withModelLifecycle(
                        ModelLifecycle.controlSource(
                                options.bootstrapServers,
                                options.modelsTopic,
                                options.groupId,
                                options.kafkaProperties),
                        sink(options, "scores"),
                        sink(options, "shadow"))
                .build(env);
        return env.executeAsync("lifecycle-test");
    }

    private static org.apache.flink.connector.kafka.sink.KafkaSink<ScoreRecord> sink(
            JobOptions options, String topic) {
        return ModelLifecycle.scoreSink(
                options.bootstrapServers,
                topic,
                options.groupId,
                topic,
                DeliveryGuarantee.AT_LEAST_ONCE,
                options.kafkaProperties,
                KafkaConnectors.DEFAULT_TRANSACTION_TIMEOUT_MS);
    }

    /** For each parallel instance, a user that it owns and that falls in an A/B share. */
    private static String[] probesPerInstance(String prefix, double share) {
        String[] probes = new String[PARALLELISM];
        int found = 0;
        for (int i = 0; found < PARALLELISM; i++) {
            String user = prefix + i;
            int instance =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            user,
                            KeyGroupRangeAssignment.computeDefaultMaxParallelism(PARALLELISM),
                            PARALLELISM);
            if (probes[instance] == null
                    && AbSplit.position(ModelRole.PURCHASE_INTENT, user) < share) {
                probes[instance] = user;
                found++;
            }
        }
        return probes;
    }

    /** Sends views of each probe until the topic shows a score of {@code version} for it. */
    private void awaitProbes(String[] probes, String topic, String version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (String probe : probes) {
            while (true) {
                // a millisecond apart: probing barely moves the event time of the real users
                sendAt(probe, EventType.VIEW, 1);
                long sentAt = clock;
                Thread.sleep(300);
                boolean swapped =
                        readAll(topic).stream()
                                .anyMatch(
                                        r ->
                                                r.get("user_id").asText().equals(probe)
                                                        && r.get("trigger").get("time").asLong()
                                                                >= sentAt
                                                        && r.get("model_version")
                                                                .asText()
                                                                .equals(version));
                if (swapped) {
                    break;
                }
                assertThat(System.nanoTime())
                        .as("%s serves %s in time", probe, version)
                        .isLessThan(deadline);
            }
        }
    }

    private static String deploy(String slot, Path pmml, String version, String extra) {
        return "{\"role\":\"purchase-intent\",\"slot\":\""
                + slot
                + "\",\"version\":\""
                + version
                + "\",\"pmml_path\":\""
                + pmml.toAbsolutePath()
                + "\""
                + extra
                + "}";
    }

    private void control(String json) throws Exception {
        producer.send(new ProducerRecord<>("models", null, json.getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
    }

    /** Two carts 1 s apart per user: the second scores 2.75 (test-1) or 3.75 (test-2). */
    private void twoCarts(String... users) throws Exception {
        for (String user : users) {
            send(user, EventType.CART);
            send(user, EventType.CART);
        }
    }

    /** A user whose stable A/B position is in the challenger's half, or not. */
    private static String userInArm(String prefix, boolean challenger) {
        for (int i = 0; ; i++) {
            String user = prefix + i;
            if ((AbSplit.position(ModelRole.PURCHASE_INTENT, user) < 0.5) == challenger) {
                return user;
            }
        }
    }

    /** An event a second after the previous one. */
    private void send(String user, EventType type) throws Exception {
        sendAt(user, type, 1_000);
    }

    private void sendAt(String user, EventType type, long step) throws Exception {
        clock += step;
        String json = EventJson.write(ShopperEvent.of(user, clock, type));
        producer.send(
                        new ProducerRecord<>(
                                "events",
                                user.getBytes(StandardCharsets.UTF_8),
                                json.getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
    }

    /** The scores of the non-probe users, once there are {@code count} of them, by user. */
    private Map<String, List<JsonNode>> awaitScores(int count) throws Exception {
        Predicate<JsonNode> real = r -> !r.get("user_id").asText().startsWith("probe");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<JsonNode> scores = readAll("scores").stream().filter(real).toList();
            if (scores.size() >= count) {
                assertThat(scores).hasSize(count);
                return byUser(scores);
            }
            assertThat(System.nanoTime()).as("%d scores in time", count).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private JsonNode awaitAlert(String user) throws Exception {
        List<JsonNode> alerts = awaitRecords("alerts", r -> r.get("user_id").asText().equals(user));
        List<JsonNode> mine =
                alerts.stream().filter(r -> r.get("user_id").asText().equals(user)).toList();
        assertThat(mine).as("one alert for %s", user).hasSize(1);
        return mine.get(0);
    }

    /** All records of the topic, once one of them matches. */
    private List<JsonNode> awaitRecords(String topic, Predicate<JsonNode> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<JsonNode> records = readAll(topic);
            if (records.stream().anyMatch(wanted)) {
                return records;
            }
            assertThat(System.nanoTime()).as("a record on %s in time", topic).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static Map<String, List<JsonNode>> byUser(List<JsonNode> records) {
        Map<String, List<JsonNode>> byUser = new java.util.TreeMap<>();
        for (JsonNode record : records) {
            byUser.computeIfAbsent(record.get("user_id").asText(), u -> new ArrayList<>())
                    .add(record);
        }
        return byUser;
    }

    private static List<String> versions(List<JsonNode> records) {
        return records.stream().map(r -> r.get("model_version").asText()).toList();
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }

    private static List<JsonNode> readAll(String topic) throws IOException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<JsonNode> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end =
                    consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    records.add(JSON.readTree(record.value()));
                }
            }
        }
        return records;
    }

    private void awaitTermination(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!job.getJobStatus().get().isTerminalState()) {
            assertThat(System.nanoTime()).as("job cancelled in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The newest {@code chk-N} directory with its metadata written. */
    private Path latestCheckpoint() throws IOException {
        try (Stream<Path> files = Files.walk(checkpoints)) {
            return files.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(
                            Comparator.comparingInt(
                                    p -> Integer.parseInt(p.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint"));
        }
    }
}
