package io.propensity.job;

import io.propensity.features.ApplyOutcome;
import io.propensity.features.FeatureReplay;
import io.propensity.features.FeatureSchema;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;
import io.propensity.features.io.EventJson;
import io.propensity.job.lifecycle.ModelLifecycle;
import io.propensity.scoring.Scorer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
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
import org.apache.kafka.clients.producer.RecordMetadata;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job on a MiniCluster (RocksDB, checkpoints every second) against an in-JVM Kafka
 * broker, on real data: the REES46 slice in {@code data/}, plus malformed records, a late event and
 * a duplicate.
 *
 * <p>The alerts read back from Kafka are checked against an offline run of the same events: the
 * train/serve parity proof. The offline side computes its feature vectors with {@link
 * FeatureReplay}, the very replay the training's examples come from ({@code
 * io.propensity.models.TrainingExamples}): the vector of each applied event for purchase intent,
 * the vector of each inactivity check that fires before the user's next event for churn risk. It
 * scores them with the same models and thresholds and applies the job's alert rules (cooldown per
 * session, one churn alert per inactivity episode). Both sides must agree exactly: the same alerts,
 * the same scores (bit for bit) and the same values of the alerts' top features. At the end of a
 * bounded input Flink advances event time to the end, so every pending check runs; the offline side
 * runs them too ({@code finish(Long.MAX_VALUE)}). The offline side never advances event time before
 * the end: the long idleness keeps the job's watermark behind every partition's events, so the job
 * too runs each check before the user's next event, never early.
 *
 * <p>The vectors are compared whole: the job runs with {@code --scores-topic} and {@code
 * --score-features}, so every score it computed (each applied event's purchase-intent score, each
 * inactivity check's churn-risk score) reaches Kafka with the vector it scored, and each must equal
 * the offline replay's, feature by feature and bit for bit, in the same order per user. The test
 * models read few features (see {@link TestModels}), so equal scores alone would not show a
 * difference in the others.
 */
class PropensityJobKafkaTest {

    private static final Path REES46 =
            Path.of("../data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(flinkConfig())
                            .build());

    private static KafkaClusterTestKit kafka;

    @TempDir Path checkpoints;

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
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldAlertExactlyAsTheOfflineReplayAtLeastOnce() throws Exception {
        runAndCompare("at-least-once", "read_uncommitted");
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldAlertExactlyAsTheOfflineReplayExactlyOnceReadCommitted() throws Exception {
        runAndCompare("exactly-once", "read_committed");
    }

    private void runAndCompare(String delivery, String isolation) throws Exception {
        String run = delivery.replace('-', '_');
        String events = "events-" + run;
        String alerts = "alerts-" + run;
        String deadLetters = "dead-letters-" + run;
        String late = "late-" + run;
        String scores = "scores-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(events, 2, (short) 1),
                                    new NewTopic(alerts, 2, (short) 1),
                                    new NewTopic(scores, 2, (short) 1),
                                    new NewTopic(deadLetters, 1, (short) 1),
                                    new NewTopic(late, 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }

        // produce the real events, then bad records, a late event and a duplicate
        Produced produced = produce(events);

        // run the job as main wires it, but with a source that stops at the end of the topic
        JobOptions options =
                JobOptions.parse(
                        new String[] {
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--events-topic",
                            events,
                            "--alerts-topic",
                            alerts,
                            "--dead-letter-topic",
                            deadLetters,
                            "--late-topic",
                            late,
                            "--scores-topic",
                            scores,
                            "--score-features",
                            "--group-id",
                            "test-" + run,
                            "--delivery",
                            delivery,
                            "--purchase-model",
                            TestModels.PURCHASE.toString(),
                            "--churn-model",
                            TestModels.CHURN.toString(),
                            "--checkpoint-interval",
                            "1s",
                            "--idleness",
                            "10m",
                            "--checkpoint-dir",
                            checkpoints.toUri().toString()
                        });
        // --idleness is processing time: on a loaded machine a stalled partition must not count
        // as idle, or the other, finished partition's end-of-input watermark would fire every
        // user's timers before the stalled partition's events arrive
        AlertRules rules = AlertRules.resolve(options);
        Configuration config = PropensityJob.configuration(options);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        new PropensityJob(
                        KafkaConnectors.kafkaSource(
                                options, ProcessingClock.SYSTEM, OffsetsInitializer.latest()),
                        KafkaConnectors.alertSink(options),
                        KafkaConnectors.deadLetterSink(options),
                        KafkaConnectors.lateEventSink(options),
                        rules,
                        options.outOfOrderness,
                        options.idleness,
                        ProcessingClock.SYSTEM)
                .withModelLifecycle(
                        null,
                        ModelLifecycle.scoreSink(
                                options.bootstrapServers,
                                options.scoresTopic,
                                options.groupId,
                                "scores",
                                options.delivery,
                                options.kafkaProperties,
                                KafkaConnectors.DEFAULT_TRANSACTION_TIMEOUT_MS),
                        null)
                .withScoreFeatures(options.scoreFeatures)
                .build(env);
        JobClient job = env.executeAsync("propensity-test-" + run);
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

        // alerts: the same as offline, field by field; every score with its whole vector
        Offline offline = offlineReplay(produced.events, rules);
        assertSameAlerts(offline.alerts, readAll(alerts, isolation));
        assertSameScores(offline.scores, readAll(scores, isolation));

        // dead letters: every bad record, with its reason and coordinates
        List<JsonNode> dead = readAll(deadLetters, isolation);
        assertThat(dead).hasSize(produced.bad.size());
        Map<Long, JsonNode> deadByOffset = new HashMap<>();
        for (JsonNode letter : dead) {
            assertThat(letter.get("topic").asText()).isEqualTo(events);
            deadByOffset.put(
                    letter.get("partition").asLong() * 1_000_000 + letter.get("offset").asLong(),
                    letter);
        }
        for (Bad bad : produced.bad) {
            JsonNode letter = deadByOffset.get(bad.partition * 1_000_000L + bad.offset);
            assertThat(letter).as("dead letter for %s", bad.reasonPart).isNotNull();
            assertThat(letter.get("reason").asText()).containsIgnoringCase(bad.reasonPart);
            assertThat(letter.get("received_at").asLong()).isPositive();
            if (bad.raw.length() < InputLimits.RAW_PREVIEW_CHARS) {
                assertThat(letter.get("raw").asText()).isEqualTo(bad.raw);
            }
        }

        // the late event, with its coordinates, and every re-sent event the offline replay found
        // a duplicate (the one sent, and any in the data), which changed nothing (checked above)
        List<JsonNode> lateEvents = new ArrayList<>();
        List<JsonNode> duplicates = new ArrayList<>();
        for (JsonNode record : readAll(late, isolation)) {
            (record.get("reason").asText().startsWith("duplicate:") ? duplicates : lateEvents)
                    .add(record);
        }
        assertThat(lateEvents).hasSize(1);
        assertThat(lateEvents.get(0).get("offset").asLong()).isEqualTo(produced.lateOffset);
        assertThat(lateEvents.get(0).get("event").get("user_id").asText())
                .isEqualTo(produced.lateUser);
        assertThat(duplicates).hasSize((int) offline.duplicates).isNotEmpty();
        assertThat(duplicates)
                .extracting(record -> record.get("offset").asLong())
                .contains(produced.duplicateOffset);
    }

    private static void assertSameAlerts(Map<String, Expected> expected, List<JsonNode> actual) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        for (JsonNode alert : actual) {
            String key =
                    key(
                            alert.get("type").asText(),
                            alert.get("user_id").asText(),
                            alert.get("trigger").get("time").asLong());
            assertThat(byKey.put(key, alert)).as("duplicate alert %s", key).isNull();
        }
        java.util.Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(byKey.keySet());
        java.util.Set<String> extra = new java.util.TreeSet<>(byKey.keySet());
        extra.removeAll(expected.keySet());
        assertThat(missing).as("alerts the job did not emit (and extra ones: %s)", extra).isEmpty();
        assertThat(extra).as("alerts the offline replay does not expect").isEmpty();
        assertThat(expected.values().stream().filter(e -> e.type.equals("purchase_intent")))
                .as("the data must exercise purchase-intent alerts")
                .isNotEmpty();
        assertThat(expected.values().stream().filter(e -> e.type.equals("churn_risk")))
                .as("the data must exercise churn-risk alerts")
                .isNotEmpty();
        for (Map.Entry<String, Expected> entry : expected.entrySet()) {
            JsonNode alert = byKey.get(entry.getKey());
            Expected want = entry.getValue();
            assertThat(alert.get("score").asDouble()).as(entry.getKey()).isEqualTo(want.score);
            assertThat(alert.get("event_time").asLong())
                    .as(entry.getKey())
                    .isEqualTo(want.eventTime);
            JsonNode reasons = alert.get("reasons");
            assertThat(reasons.get("explanation_method").asText()).isEqualTo(want.method);
            assertThat(reasons.get("expected_value").asDouble()).isEqualTo(want.expectedValue);
            JsonNode top = reasons.get("features");
            assertThat(top).hasSize(want.reasonNames.size());
            for (int i = 0; i < want.reasonNames.size(); i++) {
                assertThat(top.get(i).get("name").asText()).isEqualTo(want.reasonNames.get(i));
                double value =
                        top.get(i).get("value").isNull()
                                ? Double.NaN
                                : top.get(i).get("value").asDouble();
                assertThat(value)
                        .as("%s %s", entry.getKey(), want.reasonNames.get(i))
                        .isEqualTo(want.reasonValues[i]);
                assertThat(top.get(i).get("contribution").asDouble())
                        .isEqualTo(want.reasonContributions[i]);
            }
            assertThat(alert.get("alert_id").asText())
                    .isEqualTo(Alert.idOf(want.user, want.type, want.triggerTime, "test-1"));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shouldReadABoundedFileLikeTheTopicWithCutLinesAsDeadLetters() throws Exception {
        String alerts = "alerts-file";
        String deadLetters = "dead-letters-file";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(alerts, 2, (short) 1),
                                    new NewTopic(deadLetters, 1, (short) 1),
                                    new NewTopic("late-file", 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        JobOptions options =
                JobOptions.parse(
                        new String[] {
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--alerts-topic",
                            alerts,
                            "--dead-letter-topic",
                            deadLetters,
                            "--late-topic",
                            "late-file",
                            "--input-file",
                            REES46.toString(),
                            "--input-format",
                            "rees46",
                            "--purchase-model",
                            TestModels.PURCHASE.toString(),
                            "--churn-model",
                            TestModels.CHURN.toString(),
                            "--checkpoint-interval",
                            "1s",
                            "--idleness",
                            "10m",
                            "--checkpoint-dir",
                            checkpoints.toUri().toString()
                        });
        AlertRules rules = AlertRules.resolve(options);
        Configuration config = PropensityJob.configuration(options);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        new PropensityJob(
                        KafkaConnectors.eventSource(options, ProcessingClock.SYSTEM),
                        KafkaConnectors.alertSink(options),
                        KafkaConnectors.deadLetterSink(options),
                        KafkaConnectors.lateEventSink(options),
                        rules,
                        options.outOfOrderness,
                        options.idleness,
                        ProcessingClock.SYSTEM)
                .build(env);
        env.executeAsync("propensity-test-file").getJobExecutionResult().get(2, TimeUnit.MINUTES);

        // the features module's reader over the same file is the reference
        List<ShopperEvent> events = new ArrayList<>();
        List<Long> badLines = new ArrayList<>();
        try (EventFileReader reader =
                EventFileReader.open(
                        REES46,
                        EventFormat.REES46,
                        (source, line, reason, raw) -> badLines.add(line))) {
            reader.forEachRemaining(events::add);
        }
        assertThat(badLines).as("the slice ends in a cut-off line").isNotEmpty();
        Offline offline = offlineReplay(events, rules);
        assertSameAlerts(offline.alerts, readAll(alerts, "read_uncommitted"));
        List<JsonNode> dead = readAll(deadLetters, "read_uncommitted");
        assertThat(
                        readAll("late-file", "read_uncommitted").stream()
                                .filter(r -> r.get("reason").asText().startsWith("duplicate:"))
                                .count())
                .as("re-sent events in the file, beside the late ones")
                .isEqualTo(offline.duplicates);
        assertThat(dead)
                .extracting(letter -> letter.get("offset").asLong())
                .containsExactlyInAnyOrderElementsOf(badLines);
        assertThat(dead.get(0).get("topic").asText()).isEqualTo("file:" + REES46.toAbsolutePath());
    }

    private static String key(String type, String user, long time) {
        return type + "|" + user + "|" + time;
    }

    /** What was produced: the events in order and where the bad records landed. */
    private static final class Produced {
        final List<ShopperEvent> events = new ArrayList<>();
        final List<Bad> bad = new ArrayList<>();
        long lateOffset;
        String lateUser;
        long duplicateOffset;
    }

    private record Bad(String raw, String reasonPart, int partition, long offset) {}

    private Produced produce(String topic) throws Exception {
        Produced produced = new Produced();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // the idempotent producer's first batch to a just-created partition of the in-JVM broker
        // has stalled until its delivery timeout: a plain producer, one request in flight so
        // that retries keep the order, started only once every partition has a leader
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        long[] badLines = new long[1];
        List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
                EventFileReader reader =
                        EventFileReader.open(
                                REES46,
                                EventFormat.REES46,
                                (source, line, reason, raw) -> badLines[0]++)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (producer.partitionsFor(topic).stream().anyMatch(p -> p.leader() == null)) {
                assertThat(System.nanoTime()).as("leaders of %s", topic).isLessThan(deadline);
                Thread.sleep(100);
            }
            while (reader.hasNext()) {
                ShopperEvent event = reader.next();
                produced.events.add(event);
                sent.add(producer.send(record(topic, event.userId(), EventJson.write(event))));
            }
            producer.flush();
            // a lost send would make the offline side expect alerts for events never produced
            for (java.util.concurrent.Future<RecordMetadata> send : sent) {
                send.get(30, TimeUnit.SECONDS);
            }
            assertThat(produced.events).hasSizeGreaterThan(17_000);

            long now = System.currentTimeMillis();
            String[][] bad = {
                {"this is not json", "json"},
                {"{\"user_id\":\"u-x\",\"event_type\":\"view\"}", "event_time"},
                {
                    "{\"user_id\":\"u-x\",\"event_time\":\"2019-10-01T00:00:00Z\",\"event_type\":\"teleport\"}",
                    "teleport"
                },
                {
                    "{\"user_id\":\"u-x\",\"event_time\":\"2019-10-01T00:00:00Z\",\"event_type\":\"view\",\"price\":\"cheap\"}",
                    "price"
                },
                {
                    "{\"user_id\":\"u-x\",\"event_time\":\"1990-01-01T00:00:00Z\",\"event_type\":\"view\"}",
                    "before 2000"
                },
                {
                    "{\"user_id\":\"u-x\",\"event_time\":"
                            + (now + 2 * 86_400_000L)
                            + ",\"event_type\":\"view\"}",
                    "1 day after"
                },
                {
                    "{\"user_id\":\"u-x\",\"event_time\":\"2019-10-01T00:00:00Z\",\"event_type\":\"view\",\"brand\":\""
                            + "x".repeat(70_000)
                            + "\"}",
                    "exceeds"
                },
            };
            for (String[] record : bad) {
                RecordMetadata where = send(producer, topic, "u-x", record[0]);
                produced.bad.add(new Bad(record[0], record[1], where.partition(), where.offset()));
            }

            // a late event (2 h before the user's latest) and a duplicate of the latest
            ShopperEvent latest = produced.events.get(produced.events.size() - 1);
            ShopperEvent lateEvent =
                    ShopperEvent.of(
                            latest.userId(), latest.eventTimeMillis() - 7_200_000L, latest.type());
            produced.lateOffset =
                    send(producer, topic, latest.userId(), EventJson.write(lateEvent)).offset();
            produced.lateUser = latest.userId();
            produced.events.add(lateEvent);
            produced.duplicateOffset =
                    send(producer, topic, latest.userId(), EventJson.write(latest)).offset();
            produced.events.add(latest);
        }
        return produced;
    }

    private static RecordMetadata send(
            KafkaProducer<byte[], byte[]> producer, String topic, String key, String value)
            throws Exception {
        return producer.send(record(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(
                topic,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    /** An alert the offline replay expects. */
    private record Expected(
            String type,
            String user,
            long triggerTime,
            long eventTime,
            double score,
            String method,
            double expectedValue,
            List<String> reasonNames,
            double[] reasonValues,
            double[] reasonContributions) {}

    /** A score the offline replay expects: when, what, and the whole vector it scored. */
    private record ExpectedScore(long triggerTime, double score, double[] features) {}

    /** The offline replay's alerts by key, and its scores by type and user in order. */
    private record Offline(
            Map<String, Expected> alerts,
            Map<String, List<ExpectedScore>> scores,
            long duplicates) {}

    /**
     * Every score record against the offline replay's: per type and user the same scores in the
     * same order, each with the same trigger time, score and every feature, exactly (a missing
     * feature is {@code null} in the record and NaN offline).
     */
    private static void assertSameScores(
            Map<String, List<ExpectedScore>> expected, List<JsonNode> actual) {
        Map<String, List<JsonNode>> byUser = new TreeMap<>();
        for (JsonNode record : actual) {
            String key = record.get("type").asText() + "|" + record.get("user_id").asText();
            byUser.computeIfAbsent(key, k -> new ArrayList<>()).add(record);
        }
        java.util.Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(byUser.keySet());
        java.util.Set<String> extra = new java.util.TreeSet<>(byUser.keySet());
        extra.removeAll(expected.keySet());
        assertThat(missing)
                .as("users and types never scored by the job (and unexpected ones: %s)", extra)
                .isEmpty();
        assertThat(extra).as("scores the offline replay does not expect").isEmpty();
        List<String> names = FeatureSchema.names();
        long compared = 0;
        for (Map.Entry<String, List<ExpectedScore>> entry : expected.entrySet()) {
            List<JsonNode> records = byUser.get(entry.getKey());
            assertThat(records).as("scores of %s", entry.getKey()).hasSameSizeAs(entry.getValue());
            for (int i = 0; i < records.size(); i++) {
                JsonNode record = records.get(i);
                ExpectedScore want = entry.getValue().get(i);
                String where = entry.getKey() + " #" + i;
                assertThat(record.get("trigger").get("time").asLong())
                        .as(where)
                        .isEqualTo(want.triggerTime);
                assertThat(record.get("score").asDouble()).as(where).isEqualTo(want.score);
                JsonNode vector = record.get("features");
                assertThat(vector).as(where).hasSize(names.size());
                for (int f = 0; f < names.size(); f++) {
                    JsonNode value = vector.get(names.get(f));
                    double got = value.isNull() ? Double.NaN : value.asDouble();
                    // bit for bit; every NaN is the one a missing value reads as
                    assertThat(Double.doubleToLongBits(got))
                            .as("%s %s: %s, offline %s", where, names.get(f), got, want.features[f])
                            .isEqualTo(Double.doubleToLongBits(want.features[f]));
                }
                compared++;
            }
        }
        // every applied event was scored, so there are more scores than alerts by far
        assertThat(compared).isGreaterThan(17_000);
    }

    /**
     * The offline side: {@link FeatureReplay} over the events in the order they were produced (each
     * user's events in their partition's order), scored with the same models, thresholds and alert
     * rules (cooldown per session, one churn alert per inactivity episode).
     */
    private static Offline offlineReplay(List<ShopperEvent> events, AlertRules rules)
            throws Exception {
        Scorer purchase = rules.purchaseModel().load(rules.scorerKind());
        Scorer churn = rules.churnModel().load(rules.scorerKind());
        assertThat(rules.cooldownMillis()).isEqualTo(AlertRules.COOLDOWN_SESSION);

        Map<String, Expected> expected = new TreeMap<>();
        Map<String, List<ExpectedScore>> scores = new TreeMap<>();
        long[] duplicates = new long[1];
        // per user: the session of the latest purchase alert, the episode of the latest churn
        // alert; a user forgotten for retention would start afresh, which the 3 hours of data
        // cannot reach
        Map<String, long[]> alerted = new HashMap<>();
        FeatureReplay replay =
                new FeatureReplay(
                        rules.featureConfig(),
                        (event, outcome, state, features) -> {
                            if (outcome == ApplyOutcome.DUPLICATE) {
                                duplicates[0]++;
                            }
                            if (outcome != ApplyOutcome.APPLIED) {
                                return;
                            }
                            long[] user = alertedOf(alerted, event.userId());
                            double score = purchase.score(features);
                            scores.computeIfAbsent(
                                            "purchase_intent|" + event.userId(),
                                            k -> new ArrayList<>())
                                    .add(
                                            new ExpectedScore(
                                                    event.eventTimeMillis(),
                                                    score,
                                                    features.clone()));
                            if (score >= rules.purchaseThreshold()
                                    && state.currentSessionStartMillis() != user[0]) {
                                user[0] = state.currentSessionStartMillis();
                                long time = event.eventTimeMillis();
                                put(
                                        expected,
                                        "purchase_intent",
                                        event.userId(),
                                        time,
                                        time,
                                        score,
                                        purchase,
                                        features);
                            }
                        },
                        rules.schedule(),
                        (userId, check, state, features) -> {
                            long[] user = alertedOf(alerted, userId);
                            double score = churn.score(features);
                            scores.computeIfAbsent("churn_risk|" + userId, k -> new ArrayList<>())
                                    .add(new ExpectedScore(check, score, features.clone()));
                            long episode = state.lastEventMillis();
                            if (score >= rules.churnThreshold() && user[1] != episode) {
                                user[1] = episode;
                                put(
                                        expected,
                                        "churn_risk",
                                        userId,
                                        check,
                                        episode,
                                        score,
                                        churn,
                                        features);
                            }
                        });
        replay.replay(events.iterator());
        replay.finish(Long.MAX_VALUE);
        return new Offline(expected, scores, duplicates[0]);
    }

    private static long[] alertedOf(Map<String, long[]> alerted, String userId) {
        return alerted.computeIfAbsent(userId, id -> new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
    }

    private static void put(
            Map<String, Expected> expected,
            String type,
            String user,
            long triggerTime,
            long eventTime,
            double score,
            Scorer scorer,
            double[] vector) {
        // the reasons: the scorer's own contributions, sorted here by absolute value
        double[] contributions = new double[FeatureSchema.size()];
        double bias = scorer.contributions(vector, contributions);
        List<Integer> order = new ArrayList<>();
        for (int f = 0; f < contributions.length; f++) {
            if (contributions[f] != 0) {
                order.add(f);
            }
        }
        order.sort(
                java.util.Comparator.<Integer>comparingDouble(f -> -Math.abs(contributions[f]))
                        .thenComparing(f -> f));
        int n = Math.min(AlertRules.DEFAULT_REASONS, order.size());
        List<String> names = new ArrayList<>();
        double[] values = new double[n];
        double[] signed = new double[n];
        for (int i = 0; i < n; i++) {
            names.add(FeatureSchema.names().get(order.get(i)));
            values[i] = vector[order.get(i)];
            signed[i] = contributions[order.get(i)];
        }
        expected.put(
                key(type, user, triggerTime),
                new Expected(
                        type,
                        user,
                        triggerTime,
                        eventTime,
                        score,
                        scorer.explanationMethod().wireName(),
                        bias,
                        names,
                        values,
                        signed));
    }

    private List<JsonNode> readAll(String topic, String isolation) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<JsonNode> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!reached(consumer, end, Set.copyOf(partitions))) {
                assertThat(System.nanoTime()).as("reading %s in time", topic).isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    JsonNode json = JSON.readTree(record.value());
                    records.add(json);
                    if (json.has("user_id")) {
                        // alerts are keyed by user id, score records by <user_id>/<type>
                        String user = json.get("user_id").asText();
                        boolean scoreRecord = json.has("score") && !json.has("alert_id");
                        assertThat(new String(record.key(), StandardCharsets.UTF_8))
                                .isEqualTo(
                                        scoreRecord
                                                ? user + "/" + json.get("type").asText()
                                                : user);
                    }
                }
            }
        }
        return records;
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> end,
            Set<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < end.get(partition)) {
                return false;
            }
        }
        return true;
    }
}
