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
import org.apache.flink.connector.kafka.sink.KafkaSink;
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
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watched models directory in a running job (MiniCluster, RocksDB, two parallel instances of
 * the per-user function, events from in-JVM Kafka): a new file swaps the purchase-intent champion
 * mid-stream, a bad model's file is rejected while the old model keeps serving, and after a restart
 * from a retained checkpoint the swapped models serve although the command line names the old ones,
 * the files already applied are not applied again, and a new file still takes effect.
 *
 * <p>As in {@link ModelLifecycleKafkaTest}, a swap is awaited by sending views of one probe user
 * per parallel instance until each probe's score names the new version; expected scores are
 * computed by hand from {@link LifecycleTestModels}. The resolver's log lines are captured to check
 * which messages were handled, under which name ({@code <file>:<line>}).
 */
class ModelDirectoryJobTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARALLELISM = 2;
    private static final long T0 = 1_569_888_000_000L; // 2019-10-01T00:00:00Z
    private static final List<String> RESOLVER_LOG = new CopyOnWriteArrayList<>();

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

    @TempDir Path temp;

    private Path checkpoints;
    private Path models;

    private long clock = T0;

    private static Configuration flinkConfig() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        return config;
    }

    @BeforeAll
    static void startKafkaAndCaptureTheResolverLog() throws Exception {
        String resolver = ModelCommandResolver.class.getName();
        Configurator.setLevel(resolver, Level.INFO);
        AbstractAppender capture =
                new AbstractAppender("model-commands", null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        RESOLVER_LOG.add(event.getMessage().getFormattedMessage());
                    }
                };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getLoggerConfig(resolver).addAppender(capture, null, null);
        context.updateLoggers();

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
            for (String topic : List.of("events", "alerts", "dead", "late", "scores", "shadow")) {
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
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shouldSwapOnANewFileRejectABadOneAndNotReapplyFilesAfterARestart() throws Exception {
        checkpoints = Files.createDirectory(temp.resolve("checkpoints"));
        models = Files.createDirectory(temp.resolve("models"));
        String[] probes = probesPerInstance();
        JobClient job = start(null);

        // before any file: the command line's test-1
        twoCarts("a1", "a2");
        Map<String, List<JsonNode>> scores = awaitScores(4);
        for (String user : List.of("a1", "a2")) {
            assertThat(versions(scores.get(user))).containsExactly("test-1", "test-1");
            assertThat(scores.get(user).get(1).get("score").asDouble())
                    .isEqualTo(LifecycleTestModels.V1_TWO_CARTS, within());
        }

        // a new file swaps the champion to test-2 mid-stream
        drop(
                "0001-purchase-v2.json",
                deploy("champion", LifecycleTestModels.PURCHASE_V2, "test-2"));
        awaitProbes(probes, "scores", "test-2");
        twoCarts("b1", "b2");
        scores = awaitScores(4 + 4);
        for (String user : List.of("b1", "b2")) {
            assertThat(versions(scores.get(user))).containsExactly("test-2", "test-2");
            assertThat(scores.get(user).get(1).get("score").asDouble())
                    .isEqualTo(LifecycleTestModels.V2_TWO_CARTS, within());
        }
        assertThat(awaitAlert("a2").get("model_version").asText()).isEqualTo("test-1");
        assertThat(awaitAlert("b2").get("model_version").asText()).isEqualTo("test-2");

        // a bad model's file is rejected; the shadow challenger of the next file shows that the
        // bad one was handled, and the champion is still test-2
        drop(
                "0002-purchase-bad.json",
                deploy("champion", LifecycleTestModels.PURCHASE_BAD, "bad-1"));
        drop(
                "0003-purchase-shadow.json",
                "\n"
                        + deploy(
                                "challenger",
                                LifecycleTestModels.PURCHASE_V1,
                                "test-1",
                                ",\"mode\":\"shadow\""));
        awaitProbes(probes, "shadow", "test-1");
        twoCarts("c1");
        scores = awaitScores(4 + 4 + 2);
        assertThat(versions(scores.get("c1"))).containsExactly("test-2", "test-2");
        assertThat(scores.get("c1").get(1).get("score").asDouble())
                .isEqualTo(LifecycleTestModels.V2_TWO_CARTS, within());
        assertThat(awaitAlert("c1").get("model_version").asText()).isEqualTo("test-2");

        // each message was handled once, named by its file and line (the shadow's on line 2)
        assertThat(handledCommands(RESOLVER_LOG))
                .containsExactly(
                        file("0001-purchase-v2.json") + ":1 accepted",
                        file("0002-purchase-bad.json") + ":1 rejected",
                        file("0003-purchase-shadow.json") + ":2 accepted");
        assertThat(RESOLVER_LOG)
                .anyMatch(
                        line ->
                                line.contains(
                                                "0002-purchase-bad.json:1 rejected, the models in"
                                                        + " use keep serving")
                                        && line.contains("not_a_feature"));

        // restart from the latest retained checkpoint; the command line still names test-1
        Thread.sleep(3_000);
        job.cancel().get(60, TimeUnit.SECONDS);
        awaitTermination(job);
        Path checkpoint = latestCheckpoint();
        int logBeforeRestart = RESOLVER_LOG.size();
        job = start(checkpoint);
        try {
            twoCarts("d1");
            scores = awaitScores(4 + 4 + 2 + 2);
            assertThat(versions(scores.get("d1")))
                    .as("after the restart from %s", checkpoint)
                    .containsExactly("test-2", "test-2");

            // a file written after the restart is applied; the ones applied before are not
            // read again (they would come first: same or earlier scan, earlier names)
            drop(
                    "0004-purchase-v1.json",
                    deploy("champion", LifecycleTestModels.PURCHASE_V1, "test-1"));
            awaitProbes(probes, "scores", "test-1");
            List<String> afterRestart =
                    new ArrayList<>(RESOLVER_LOG.subList(logBeforeRestart, RESOLVER_LOG.size()));
            assertThat(handledCommands(afterRestart))
                    .containsExactly(file("0004-purchase-v1.json") + ":1 accepted");
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
                            "--models-dir", models.toUri().toString(),
                            "--models-dir-interval", "500ms",
                            "--scores-topic", "scores",
                            "--shadow-topic", "shadow",
                            "--group-id", "models-dir-test",
                            "--purchase-model", LifecycleTestModels.PURCHASE_V1.toString(),
                            "--churn-model", LifecycleTestModels.CHURN_V1.toString(),
                            "--checkpoint-interval", "1s",
                            // one partition at parallelism 2: the idle source subtask must not
                            // hold event time back
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
                        ModelDirectory.source(options.modelsDir, options.modelsDirInterval),
                        sink(options, "scores"),
                        sink(options, "shadow"))
                .build(env);
        return env.executeAsync("models-dir-test");
    }

    private static KafkaSink<ScoreRecord> sink(JobOptions options, String topic) {
        return ModelLifecycle.scoreSink(
                options.bootstrapServers,
                topic,
                options.groupId,
                topic,
                DeliveryGuarantee.AT_LEAST_ONCE,
                options.kafkaProperties,
                KafkaConnectors.DEFAULT_TRANSACTION_TIMEOUT_MS);
    }

    /** Writes a models file the way the README says: under a hidden name, then renamed. */
    private void drop(String name, String text) throws IOException {
        Path hidden = models.resolve("." + name + ".tmp");
        Files.writeString(hidden, text + "\n", StandardCharsets.UTF_8);
        Files.move(hidden, models.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The name a models file has in the log: its Flink path. */
    private String file(String name) {
        return new org.apache.flink.core.fs.Path(models.resolve(name).toUri()).toString();
    }

    /** "{where} accepted" or "{where} rejected" for each command the resolver logged. */
    private static List<String> handledCommands(List<String> log) {
        List<String> handled = new ArrayList<>();
        for (String line : log) {
            if (line.startsWith("model command ")) {
                // "model command <where> accepted: ..." or "... <where> rejected, ..."
                String rest = line.substring("model command ".length());
                int accepted = rest.indexOf(" accepted");
                int rejected = rest.indexOf(" rejected");
                int end =
                        accepted < 0
                                ? rejected
                                : rejected < 0 ? accepted : Math.min(accepted, rejected);
                handled.add(rest.substring(0, end + " accepted".length()));
            }
        }
        return handled;
    }

    private static String deploy(String slot, Path pmml, String version) {
        return deploy(slot, pmml, version, "");
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

    /** For each parallel instance, a user that it owns. */
    private static String[] probesPerInstance() {
        String[] probes = new String[PARALLELISM];
        int found = 0;
        for (int i = 0; found < PARALLELISM; i++) {
            String user = "probe" + i;
            int instance =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            user,
                            KeyGroupRangeAssignment.computeDefaultMaxParallelism(PARALLELISM),
                            PARALLELISM);
            if (probes[instance] == null) {
                probes[instance] = user;
                found++;
            }
        }
        return probes;
    }

    /** Sends views of each probe until the topic shows a score of {@code version} for it. */
    private void awaitProbes(String[] probes, String topic, String version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
                        .as("%s serves %s on %s in time", probe, version, topic)
                        .isLessThan(deadline);
            }
        }
    }

    /** Two carts 1 s apart per user: the second scores 2.75 (test-1) or 3.75 (test-2). */
    private void twoCarts(String... users) throws Exception {
        for (String user : users) {
            sendAt(user, EventType.CART, 1_000);
            sendAt(user, EventType.CART, 1_000);
        }
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<JsonNode> scores =
                    readAll("scores").stream()
                            .filter(r -> !r.get("user_id").asText().startsWith("probe"))
                            .toList();
            if (scores.size() >= count) {
                assertThat(scores).hasSize(count);
                Map<String, List<JsonNode>> byUser = new TreeMap<>();
                for (JsonNode score : scores) {
                    byUser.computeIfAbsent(score.get("user_id").asText(), u -> new ArrayList<>())
                            .add(score);
                }
                return byUser;
            }
            assertThat(System.nanoTime()).as("%d scores in time", count).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private JsonNode awaitAlert(String user) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<JsonNode> mine =
                    readAll("alerts").stream()
                            .filter(r -> r.get("user_id").asText().equals(user))
                            .toList();
            if (!mine.isEmpty()) {
                assertThat(mine).as("one alert for %s", user).hasSize(1);
                return mine.get(0);
            }
            assertThat(System.nanoTime()).as("an alert for %s in time", user).isLessThan(deadline);
            Thread.sleep(200);
        }
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
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(partition) < end) {
                assertThat(System.nanoTime()).as("%s read in time", topic).isLessThan(deadline);
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
        while (!job.getJobStatus().get(30, TimeUnit.SECONDS).isTerminalState()) {
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
