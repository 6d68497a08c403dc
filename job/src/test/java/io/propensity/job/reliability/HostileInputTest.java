package io.propensity.job.reliability;

import io.propensity.features.ApplyOutcome;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureReplay;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;
import io.propensity.features.io.EventJson;
import io.propensity.job.ProcessingClock;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input: the REES46 slice in {@code data/} with more than 10,000 generated bad records
 * interleaved (seeded, so every run sends the same corpus), through the in-JVM Kafka broker into
 * the whole job on a MiniCluster with restart strategy {@code none}: any exception anywhere fails
 * the test instead of being hidden by a restart.
 *
 * <p>Every bad record is accounted for by its coordinates: refused records are on the dead-letter
 * topic with a reason naming what was wrong, events older than the allowed lateness are on the late
 * topic, and re-sent events are counted as duplicates and on the late topic too, with a {@code
 * duplicate:} reason. Every good event reaches the per-user function: the {@code eventsIn} counter
 * equals the good, duplicate and late events sent. What is late or a duplicate is decided
 * independently of the job by replaying the parsed events through the features module's {@link
 * FeatureReplay}.
 */
class HostileInputTest {

    private static final Path REES46 =
            Path.of("../data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz");
    private static final Path MODELS = Path.of("src/test/resources/test-models");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 20191001L;
    private static final int MIN_BAD = 10_000;

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(flinkConfig())
                            .build());

    private static InJvmKafka kafka;

    @TempDir Path checkpoints;

    private static Configuration flinkConfig() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        METRICS.addToConfiguration(config);
        return config;
    }

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = InJvmKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** What the job must do with a generated record. */
    enum Fate {
        DEAD_LETTER,
        LATE,
        DUPLICATE
    }

    /** The kinds of bad record the corpus holds, with how often each is drawn. */
    enum Kind {
        TRUNCATED_JSON(Fate.DEAD_LETTER, 10),
        INVALID_JSON(Fate.DEAD_LETTER, 10),
        WRONG_TYPE(Fate.DEAD_LETTER, 10),
        UNKNOWN_EVENT_TYPE(Fate.DEAD_LETTER, 8),
        MISSING_USER_ID(Fate.DEAD_LETTER, 8),
        NON_FINITE_PRICE(Fate.DEAD_LETTER, 8),
        NEGATIVE_PRICE(Fate.DEAD_LETTER, 8),
        HUGE_PRICE(Fate.DEAD_LETTER, 8),
        FAR_PAST(Fate.DEAD_LETTER, 8),
        FAR_FUTURE(Fate.DEAD_LETTER, 8),
        VERY_LONG_STRING(Fate.DEAD_LETTER, 2),
        INVALID_UTF8(Fate.DEAD_LETTER, 8),
        DUPLICATE(Fate.DUPLICATE, 10),
        OUT_OF_ORDER_BEYOND_LATENESS(Fate.LATE, 10);

        final Fate fate;
        final int weight;

        Kind(Fate fate, int weight) {
            this.fate = fate;
            this.weight = weight;
        }
    }

    /** One generated record: what was sent, what must happen to it, and what the reason says. */
    private record Bad(
            Kind kind, byte[] key, byte[] value, ShopperEvent event, String reasonPart) {}

    /** A sent bad record with where it landed. */
    private record Sent(Bad bad, int partition, long offset) {}

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldRouteEveryBadRecordAndProcessEveryGoodOneWithoutARestart() throws Exception {
        String events = "hostile-events";
        kafka.createTopics(2, events, "hostile-alerts");
        kafka.createTopics(1, "hostile-dead-letters", "hostile-late");

        // the real events with the generated corpus interleaved, in one ordered producer
        List<ShopperEvent> real = readRealEvents();
        Random random = new Random(SEED);
        List<Sent> sent = new ArrayList<>();
        List<ShopperEvent> parsedInOrder = new ArrayList<>();
        Map<ShopperEvent, Integer> unused = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.orderedProducer(events)) {
            List<Future<RecordMetadata>> goodSends = new ArrayList<>();
            List<Bad> badInOrder = new ArrayList<>();
            List<Future<RecordMetadata>> badSends = new ArrayList<>();
            Map<String, Long> latestOfUser = new HashMap<>();
            int index = 0;
            while (index < real.size() || badInOrder.size() < MIN_BAD) {
                ShopperEvent event = real.get(index % real.size());
                if (index < real.size()) {
                    goodSends.add(
                            producer.send(
                                    record(events, utf8(event.userId()), EventJson.write(event))));
                    parsedInOrder.add(event);
                    latestOfUser.merge(event.userId(), event.eventTimeMillis(), Math::max);
                }
                index++;
                // about 0.6 bad records per real one, so that 10,000 fit in the real data
                if (index <= real.size() && random.nextDouble() >= 0.62) {
                    continue;
                }
                Bad bad = generate(random, event, latestOfUser.get(event.userId()));
                badInOrder.add(bad);
                badSends.add(producer.send(new ProducerRecord<>(events, bad.key, bad.value)));
                if (bad.event != null) {
                    parsedInOrder.add(bad.event);
                }
            }
            producer.flush();
            for (Future<RecordMetadata> send : goodSends) {
                send.get(30, TimeUnit.SECONDS);
            }
            for (int i = 0; i < badInOrder.size(); i++) {
                RecordMetadata where = badSends.get(i).get(30, TimeUnit.SECONDS);
                sent.add(new Sent(badInOrder.get(i), where.partition(), where.offset()));
            }
        }
        assertThat(sent).hasSizeGreaterThanOrEqualTo(MIN_BAD);
        Map<Kind, Integer> perKind = new EnumMap<>(Kind.class);
        sent.forEach(s -> perKind.merge(s.bad.kind, 1, Integer::sum));
        assertThat(perKind)
                .as("every kind of bad record is in the corpus")
                .hasSize(Kind.values().length);

        // the independent reference for what is late or a duplicate: the parsed events replayed
        // per user in the order they were sent, as the job sees them per partition
        FeatureReplay replay = new FeatureReplay(featureConfig(), (e, outcome, s, f) -> {});
        List<ApplyOutcome> outcomes = new ArrayList<>();
        for (ShopperEvent event : parsedInOrder) {
            outcomes.add(replay.accept(event));
        }

        // the job as main wires it, restart strategy none, bounded at the topic's end
        JobClient job =
                JobRun.start(
                        new String[] {
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--events-topic", events,
                            "--alerts-topic", "hostile-alerts",
                            "--dead-letter-topic", "hostile-dead-letters",
                            "--late-topic", "hostile-late",
                            "--group-id", "hostile",
                            "--purchase-model", MODELS.resolve("purchase-intent.pmml").toString(),
                            "--churn-model", MODELS.resolve("churn-risk.pmml").toString(),
                            "--checkpoint-interval", "1s",
                            "--idleness", "10m",
                            "--checkpoint-dir", checkpoints.toUri().toString()
                        },
                        true,
                        source -> source,
                        ProcessingClock.SYSTEM,
                        config -> config.set(RestartStrategyOptions.RESTART_STRATEGY, "none"));
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        JobID jobId = job.getJobID();

        // dead letters: exactly the records meant for them, each with its reason
        Map<String, JsonNode> deadByPlace = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> letter :
                kafka.readAll("hostile-dead-letters", "read_uncommitted")) {
            JsonNode json = JSON.readTree(letter.value());
            assertThat(json.get("topic").asText()).isEqualTo(events);
            String place = json.get("partition").asInt() + "@" + json.get("offset").asLong();
            assertThat(deadByPlace.put(place, json)).as("one dead letter for %s", place).isNull();
        }
        Map<String, JsonNode> lateByPlace = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> late :
                kafka.readAll("hostile-late", "read_uncommitted")) {
            JsonNode json = JSON.readTree(late.value());
            String place = json.get("partition").asInt() + "@" + json.get("offset").asLong();
            assertThat(lateByPlace.put(place, json)).as("one late event for %s", place).isNull();
        }
        Map<Kind, Integer> deadPerKind = new TreeMap<>();
        int lateSent = 0;
        int duplicatesSent = 0;
        for (Sent s : sent) {
            String place = s.partition + "@" + s.offset;
            switch (s.bad.kind.fate) {
                case DEAD_LETTER -> {
                    JsonNode letter = deadByPlace.get(place);
                    assertThat(letter)
                            .as("dead letter for %s at %s", s.bad.kind, place)
                            .isNotNull();
                    assertThat(letter.get("reason").asText())
                            .as("reason for %s at %s", s.bad.kind, place)
                            .containsIgnoringCase(s.bad.reasonPart);
                    deadPerKind.merge(s.bad.kind, 1, Integer::sum);
                }
                case LATE -> {
                    JsonNode late = lateByPlace.get(place);
                    assertThat(late).as("late event at %s", place).isNotNull();
                    assertThat(late.get("reason").asText()).contains("allowed lateness");
                    assertThat(late.get("event").get("user_id").asText())
                            .isEqualTo(s.bad.event.userId());
                    lateSent++;
                }
                case DUPLICATE -> {
                    JsonNode resent = lateByPlace.get(place);
                    assertThat(resent).as("the duplicate at %s", place).isNotNull();
                    assertThat(resent.get("reason").asText()).startsWith("duplicate:");
                    duplicatesSent++;
                }
            }
        }
        int deadSent = deadPerKind.values().stream().mapToInt(Integer::intValue).sum();

        // late and duplicates as the independent replay decides them
        long replayLate = outcomes.stream().filter(o -> o == ApplyOutcome.LATE).count();
        long replayDuplicates = outcomes.stream().filter(o -> o == ApplyOutcome.DUPLICATE).count();
        // late events and every duplicate (the re-sent ones, and any in the real data)
        assertThat(lateByPlace).hasSize((int) (replayLate + replayDuplicates));
        assertThat(replayLate).isGreaterThanOrEqualTo(lateSent);
        assertThat(replayDuplicates).isGreaterThanOrEqualTo(duplicatesSent);
        assertThat(deadByPlace).as("no good record on the dead-letter topic").hasSize(deadSent);

        // every parsed record reached the per-user function; the counters agree with the replay
        assertThat(counter(jobId, "route-dead-letters", "deadLetters")).isEqualTo(deadSent);
        assertThat(counter(jobId, "route-dead-letters", "eventsParsed"))
                .isEqualTo(parsedInOrder.size());
        assertThat(counter(jobId, "user-activity", "eventsIn")).isEqualTo(parsedInOrder.size());
        assertThat(counter(jobId, "user-activity", "lateEvents")).isEqualTo(replayLate);
        assertThat(counter(jobId, "user-activity", "duplicateEvents")).isEqualTo(replayDuplicates);

        // the counts RELIABILITY.md reports (Flink's test logging is off: stdout, in the report)
        System.out.printf(
                "hostile input: %d real events, %d bad records (%d dead letters %s, %d late, %d"
                        + " duplicates sent); replay: %d late, %d duplicates; %d alerts%n",
                real.size(),
                sent.size(),
                deadSent,
                deadPerKind,
                lateSent,
                duplicatesSent,
                replayLate,
                replayDuplicates,
                kafka.readAll("hostile-alerts", "read_uncommitted").size());
    }

    private static long counter(JobID job, String operator, String name) {
        long sum = 0;
        int found = 0;
        for (Map.Entry<String, Metric> metric : METRICS.getMetricsByIdentifiers(job).entrySet()) {
            String id = metric.getKey();
            if (id.contains("." + operator + ".") && id.endsWith("." + name)) {
                sum += ((Counter) metric.getValue()).getCount();
                found++;
            }
        }
        assertThat(found).as("subtasks reporting %s.%s", operator, name).isEqualTo(2);
        return sum;
    }

    private static FeatureConfig featureConfig() {
        return new FeatureConfig(
                Duration.ofMinutes(30),
                Duration.ofMinutes(10),
                Duration.ofDays(90),
                ZoneId.of("UTC"));
    }

    private static List<ShopperEvent> readRealEvents() throws Exception {
        List<ShopperEvent> events = new ArrayList<>();
        try (EventFileReader reader =
                EventFileReader.open(
                        REES46, EventFormat.REES46, (source, line, reason, raw) -> {})) {
            reader.forEachRemaining(events::add);
        }
        assertThat(events).hasSizeGreaterThan(17_000);
        return events;
    }

    /** Draws one bad record, built from the real event just sent (its user, its fields). */
    private static Bad generate(Random random, ShopperEvent base, long latestOfUser)
            throws Exception {
        Kind kind = draw(random);
        String user = base.userId();
        byte[] key = random.nextInt(4) == 0 ? null : utf8(user);
        String good = EventJson.write(base);
        ObjectNode node = (ObjectNode) JSON.readTree(good);
        switch (kind) {
            case TRUNCATED_JSON:
                return dead(
                        kind,
                        key,
                        good.substring(0, 1 + random.nextInt(good.length() - 1)),
                        "malformed JSON");
            case INVALID_JSON:
                return invalidJson(random, key, good);
            case WRONG_TYPE:
                {
                    String[] fields = {
                        "user_id", "event_time", "event_type", "price", "brand", "session_id"
                    };
                    String field = fields[random.nextInt(fields.length)];
                    switch (random.nextInt(4)) {
                        case 0 -> node.put(field, random.nextBoolean());
                        case 1 -> node.putObject(field).put("x", 1);
                        case 2 -> node.putArray(field).add(1);
                        default -> {
                            // a number where a string belongs, a string where a number does
                            if (field.equals("price") || field.equals("event_time")) {
                                node.put(field, "x" + random.nextInt(1000));
                            } else {
                                node.put(field, random.nextInt(1000));
                            }
                        }
                    }
                    return dead(kind, key, JSON.writeValueAsString(node), field);
                }
            case UNKNOWN_EVENT_TYPE:
                {
                    String type = "teleport_" + random.nextInt(100);
                    node.put("event_type", type);
                    return dead(kind, key, JSON.writeValueAsString(node), type);
                }
            case MISSING_USER_ID:
                switch (random.nextInt(3)) {
                    case 0 -> node.remove("user_id");
                    case 1 -> node.putNull("user_id");
                    default -> node.put("user_id", "");
                }
                return dead(kind, null, JSON.writeValueAsString(node), "user_id");
            case NON_FINITE_PRICE:
                {
                    String[] values = {"NaN", "Infinity", "-Infinity"};
                    node.put("price", 1.0);
                    String raw =
                            JSON.writeValueAsString(node)
                                    .replace(
                                            "\"price\":1.0",
                                            "\"price\":" + values[random.nextInt(3)]);
                    return dead(kind, key, raw, "price");
                }
            case NEGATIVE_PRICE:
                node.put("price", -0.01 - random.nextInt(100_000) / 100.0);
                return dead(kind, key, JSON.writeValueAsString(node), "price");
            case HUGE_PRICE:
                node.put(
                        "price",
                        random.nextInt(10) == 0
                                ? Double.MAX_VALUE
                                : Math.pow(10, 13 + random.nextInt(296)));
                return dead(kind, key, JSON.writeValueAsString(node), "price");
            case FAR_PAST:
                // seconds instead of milliseconds, zero, or a date long before any shop
                switch (random.nextInt(3)) {
                    case 0 -> node.put("event_time", base.eventTimeMillis() / 1000);
                    case 1 -> node.put("event_time", 0);
                    default ->
                            node.put(
                                    "event_time",
                                    "1970-01-0" + (1 + random.nextInt(9)) + "T00:00:00Z");
                }
                return dead(kind, key, JSON.writeValueAsString(node), "before 2000");
            case FAR_FUTURE:
                node.put("event_time", 4_102_444_800_000L + random.nextInt(1_000_000_000)); // 2100
                return dead(kind, key, JSON.writeValueAsString(node), "after processing time");
            case VERY_LONG_STRING:
                node.put("brand", "b".repeat(70_000 + random.nextInt(30_000)));
                return dead(kind, key, JSON.writeValueAsString(node), "exceeds the limit");
            case INVALID_UTF8:
                {
                    byte[] bytes = utf8(good);
                    // a lone continuation byte, an overlong lead byte or a cut sequence, placed
                    // inside the user id's value
                    byte[][] broken = {
                        {(byte) 0x80},
                        {(byte) 0xC0, (byte) 0xAF},
                        {(byte) 0xE2, (byte) 0x82},
                        {(byte) 0xFF}
                    };
                    int at = good.indexOf(user) + random.nextInt(user.length());
                    byte[] insert = broken[random.nextInt(broken.length)];
                    byte[] value = new byte[bytes.length + insert.length];
                    System.arraycopy(bytes, 0, value, 0, at);
                    System.arraycopy(insert, 0, value, at, insert.length);
                    System.arraycopy(bytes, at, value, at + insert.length, bytes.length - at);
                    return new Bad(kind, key, value, null, "not valid UTF-8");
                }
            case DUPLICATE:
                return new Bad(kind, utf8(user), utf8(good), base, null);
            case OUT_OF_ORDER_BEYOND_LATENESS:
                {
                    // from 11 minutes to 3 days before the user's latest event
                    long lateBy = 660_000L + (long) (random.nextDouble() * 3 * 86_400_000L);
                    ShopperEvent late =
                            new ShopperEvent(
                                    user,
                                    latestOfUser - lateBy,
                                    base.type(),
                                    base.sessionId(),
                                    base.productId(),
                                    base.categoryId(),
                                    base.categoryCode(),
                                    base.brand(),
                                    base.price());
                    return new Bad(kind, utf8(user), utf8(EventJson.write(late)), late, null);
                }
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    private static Bad invalidJson(Random random, byte[] key, String good) {
        switch (random.nextInt(7)) {
            case 0:
                return dead(
                        Kind.INVALID_JSON,
                        key,
                        "this is not json " + random.nextInt(),
                        "malformed JSON");
            case 1:
                return dead(Kind.INVALID_JSON, key, "[" + good + "]", "expected a JSON object");
            case 2:
                return dead(Kind.INVALID_JSON, key, "null", "expected a JSON object");
            case 3:
                return dead(
                        Kind.INVALID_JSON,
                        key,
                        good + " " + random.nextInt(100),
                        "trailing content");
            case 4:
                return dead(
                        Kind.INVALID_JSON,
                        key,
                        good.replace("\"user_id\":", "'user_id':"),
                        "malformed JSON");
            case 5:
                return dead(
                        Kind.INVALID_JSON,
                        key,
                        good.replace("{", "{\"user_id\":\"twice\","),
                        "malformed JSON");
            default:
                return dead(Kind.INVALID_JSON, key, " ".repeat(random.nextInt(3)), "empty record");
        }
    }

    private static Bad dead(Kind kind, byte[] key, String raw, String reasonPart) {
        return new Bad(kind, key, utf8(raw), null, reasonPart);
    }

    private static Kind draw(Random random) {
        int total = 0;
        for (Kind kind : Kind.values()) {
            total += kind.weight;
        }
        int pick = random.nextInt(total);
        for (Kind kind : Kind.values()) {
            pick -= kind.weight;
            if (pick < 0) {
                return kind;
            }
        }
        throw new IllegalStateException();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, byte[] key, String value) {
        return new ProducerRecord<>(topic, key, utf8(value));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
