package io.propensity.job.reliability;

import io.propensity.features.EventType;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureReplay;
import io.propensity.features.ShopperEvent;
import io.propensity.features.UserActivity;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;
import io.propensity.job.Alert;
import io.propensity.job.AlertRules;
import io.propensity.job.JobOptions;
import io.propensity.job.ProcessingClock;
import io.propensity.job.PropensityJob;
import io.propensity.job.SourceRecord;
import io.propensity.job.UserActivityFunction;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upgrades: the job is stopped with a savepoint and a changed job starts from it.
 *
 * <p>The old job writes the per-user state in {@code UserActivity} format version 1 (the format of
 * the build before version 2; {@code --state-format-version 1} writes exactly its bytes, which the
 * features module's {@code UserActivityFormatEvolutionTest} pins against bytes of that build) and
 * serves the test models at version {@code test-1}, threshold 0.9, parallelism 1. It reads the
 * first {@value #FIRST} events of the REES46 slice and is stopped with a savepoint. The new job
 * writes version 2 (one more aggregate, the total purchases), serves {@code test-2} at threshold
 * 0.6, runs at parallelism 2 (the keyed state is split over two subtasks), restores the savepoint
 * and reads the rest of the slice; it is stopped with a savepoint in turn. Both savepoints are read
 * back with the State Processor API and compared with an uninterrupted replay of the same events by
 * the features module ({@link FeatureReplay}), and the total purchases with a count by hand.
 *
 * <p>The source emits a fixed range of the events and then waits (a rate limiter that stops
 * granting), so the job is stopped while running, not drained: at the end of a bounded input Flink
 * would fire every timer. Restored, the same source continues where the savepoint left it.
 */
class StateUpgradeTest {

    private static final Path REES46 =
            Path.of("../data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz");
    private static final Path MODELS = Path.of("src/test/resources/test-models");
    private static final int FIRST = 8_000;

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    /** Alerts of the running job (the sink runs in this JVM). */
    private static final Queue<Alert> ALERTS = new ConcurrentLinkedQueue<>();

    private static List<ShopperEvent> events;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(flinkConfig())
                            .build());

    @TempDir Path dir;

    private static Configuration flinkConfig() {
        Configuration config = new Configuration();
        // bounded: an incompatible restore must stop the job at once, not after these attempts
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        METRICS.addToConfiguration(config);
        return config;
    }

    @BeforeAll
    static void readEvents() throws Exception {
        List<ShopperEvent> read = new ArrayList<>();
        try (EventFileReader reader =
                EventFileReader.open(REES46, EventFormat.REES46, (s, l, r, raw) -> {})) {
            reader.forEachRemaining(read::add);
        }
        assertThat(read).hasSizeGreaterThan(2 * FIRST);
        events = read;
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldKeepEveryUsersStateAcrossAnUpgradeAndStartTheNewAggregateFromTheOldState()
            throws Exception {
        Path newModels = newModelVersion();

        // the old job: format version 1, test-1 at 0.9, parallelism 1
        ALERTS.clear();
        JobClient old = start(args("--state-format-version", "1"), 1, FIRST, null);
        awaitEvents(old, FIRST, 1);
        String first = stopWithSavepoint(old);
        List<Alert> oldAlerts = new ArrayList<>(ALERTS);

        Map<String, byte[]> saved1 = readActivity(first);
        List<ShopperEvent> before = events.subList(0, FIRST);
        assertThat(saved1.keySet()).isEqualTo(users(before));
        assertThat(saved1.values()).allSatisfy(bytes -> assertThat(bytes[0]).isEqualTo((byte) 1));
        assertThat(compatibilityRecord(first)).contains("state_format_versions=1");
        assertThat(oldAlerts)
                .isNotEmpty()
                .allSatisfy(
                        alert -> {
                            assertThat(alert.modelVersion()).isEqualTo("test-1");
                            assertThat(alert.threshold()).isIn(0.9, 0.8);
                        });

        // the new job: format version 2, test-2 at 0.6, parallelism 2, from the savepoint
        ALERTS.clear();
        JobClient upgraded =
                start(
                        args(
                                "--purchase-model",
                                newModels.resolve("purchase-intent.pmml").toString(),
                                "--purchase-threshold",
                                "0.6"),
                        2,
                        events.size() - FIRST,
                        first);
        awaitEvents(upgraded, events.size() - FIRST, 2);
        String second = stopWithSavepoint(upgraded);
        List<Alert> newAlerts = new ArrayList<>(ALERTS);

        // every user of the whole slice, each state equal to an uninterrupted replay's
        Map<String, byte[]> saved2 = readActivity(second);
        FeatureReplay replay = new FeatureReplay(featureConfig(), (e, o, s, f) -> {});
        events.forEach(replay::accept);
        assertThat(saved2.keySet()).isEqualTo(users(events)).isEqualTo(replay.states().keySet());
        Set<String> after = users(events.subList(FIRST, events.size()));
        Map<String, Long> purchases = purchasesByHand(events);
        int migratedBuyers = 0;
        for (Map.Entry<String, byte[]> user : saved2.entrySet()) {
            String id = user.getKey();
            byte[] bytes = user.getValue();
            UserActivity state = UserActivity.fromBytes(bytes);
            assertThat(state).as("state of %s", id).isEqualTo(replay.state(id));
            assertThat(state.totalPurchases())
                    .as("total purchases of %s", id)
                    .isEqualTo(purchases.getOrDefault(id, 0L));
            if (after.contains(id)) {
                // rewritten by the new job, in the new format
                assertThat(bytes[0]).as("format of %s", id).isEqualTo((byte) 2);
                if (saved1.containsKey(id)
                        && UserActivity.fromBytes(saved1.get(id)).totalPurchases() > 0) {
                    migratedBuyers++;
                }
            } else {
                // untouched since the old job: the very bytes it saved, read by the new build
                assertThat(bytes).as("bytes of %s", id).isEqualTo(saved1.get(id));
            }
        }
        // the migration was exercised: users who bought under version 1 and came back
        assertThat(migratedBuyers).isPositive();
        System.out.printf(
                "upgrade: %d events (%d before the savepoint), %d users in the first savepoint,"
                        + " %d in the second (%d rewritten in version 2, %d with purchases under"
                        + " version 1), alerts %d before and %d after%n",
                events.size(),
                FIRST,
                saved1.size(),
                saved2.size(),
                saved2.keySet().stream().filter(after::contains).count(),
                migratedBuyers,
                oldAlerts.size(),
                newAlerts.size());
        assertThat(compatibilityRecord(second)).contains("state_format_versions=1,2");

        // the new model version and threshold serve after the restore
        assertThat(newAlerts).isNotEmpty();
        List<Alert> purchaseAlerts =
                newAlerts.stream().filter(a -> a.type().equals(Alert.PURCHASE_INTENT)).toList();
        assertThat(purchaseAlerts)
                .isNotEmpty()
                .allSatisfy(
                        alert -> {
                            assertThat(alert.modelVersion()).isEqualTo("test-2");
                            assertThat(alert.threshold()).isEqualTo(0.6);
                            assertThat(alert.score()).isGreaterThanOrEqualTo(0.6);
                        });
        // alerts the old threshold would not have raised
        assertThat(purchaseAlerts).anySatisfy(alert -> assertThat(alert.score()).isLessThan(0.9));
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shouldStopAtStartUpNamingWhatDiffersWhenTheFeatureConfigurationChanged() throws Exception {
        JobClient old = start(args(), 1, 2_000, null);
        awaitEvents(old, 2_000, 1);
        String savepoint = stopWithSavepoint(old);

        JobClient changed =
                start(
                        args("--session-gap", "45m", "--allowed-lateness", "5m"),
                        1,
                        2_000,
                        savepoint);

        Throwable failure =
                assertThatThrownBy(() -> changed.getJobExecutionResult().get(120, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .actual();
        String chain = ExceptionUtils.stringifyException(failure);
        assertThat(chain)
                .contains("session_gap: saved 30m, this job 45m (--session-gap)")
                .contains("allowed_lateness: saved 10m, this job 5m (--allowed-lateness)")
                .contains("without the savepoint");
        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                .isPresent();
        // no attempt got as far as a user: the failure came before processing, not on a read
        assertThat(counterIfAny(changed.getJobID(), "eventsIn")).isZero();
        // and the savepoint still restores under the saved configuration
        JobClient same = start(args(), 1, 10, savepoint);
        awaitEvents(same, 10, 1);
        same.cancel().get(60, TimeUnit.SECONDS);
    }

    private static String[] args(String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--purchase-model",
                                MODELS.resolve("purchase-intent.pmml").toString(),
                                "--churn-model",
                                MODELS.resolve("churn-risk.pmml").toString()));
        for (int i = 0; i < extra.length; i += 2) {
            int at = args.indexOf(extra[i]);
            if (at >= 0) {
                args.set(at + 1, extra[i + 1]);
            } else {
                args.add(extra[i]);
                args.add(extra[i + 1]);
            }
        }
        return args.toArray(new String[0]);
    }

    /**
     * Starts the job as {@code PropensityJob.main} resolves it (options, model cards), on the
     * events from where the source stands (0, or where the savepoint left it), {@code limit} of
     * them, alerts into {@link #ALERTS}.
     */
    private static JobClient start(String[] args, int parallelism, int limit, String savepoint)
            throws Exception {
        JobOptions options = JobOptions.parse(args);
        AlertRules rules = AlertRules.resolve(options);
        Configuration config = new Configuration();
        if (savepoint != null) {
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        // the generator reads the static list: the MiniCluster runs in this JVM
        DataGeneratorSource<SourceRecord> source =
                new DataGeneratorSource<>(
                        StateUpgradeTest::record,
                        events.size(),
                        new StopAfter(limit),
                        TypeInformation.of(SourceRecord.class));
        new PropensityJob(
                        source,
                        new AlertSink(),
                        new DiscardingSink<>(),
                        new DiscardingSink<>(),
                        rules,
                        options.outOfOrderness,
                        options.idleness,
                        ProcessingClock.SYSTEM)
                .build(env);
        return env.executeAsync("state-upgrade-test");
    }

    private static SourceRecord record(long index) {
        return SourceRecord.ofEvent(events.get((int) index), "events", 0, index);
    }

    private String stopWithSavepoint(JobClient job) throws Exception {
        return job.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(90, TimeUnit.SECONDS);
    }

    /**
     * Waits until the per-user function's subtasks counted {@code expected} events in all; fails at
     * once when the job restarted (a failure on some user's state).
     */
    private static void awaitEvents(JobClient job, long expected, int subtasks) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            Map<String, Metric> metrics;
            try {
                metrics = METRICS.getMetricsByIdentifiers(job.getJobID());
            } catch (IllegalStateException e) {
                // a second attempt registered the same metrics again
                throw new AssertionError("the job restarted: " + failureOf(job), e);
            }
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                    .as(() -> "job status; its failure: " + failureOf(job))
                    .isIn(JobStatus.INITIALIZING, JobStatus.CREATED, JobStatus.RUNNING);
            seen = counter(metrics, "eventsIn", subtasks);
            if (seen >= expected) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(seen).as("events counted by user-activity").isEqualTo(expected);
    }

    private static String failureOf(JobClient job) {
        try {
            job.getJobExecutionResult().get(100, TimeUnit.MILLISECONDS);
            return "finished";
        } catch (ExecutionException e) {
            return ExceptionUtils.stringifyException(e);
        } catch (Exception e) {
            return "still running";
        }
    }

    private static long counter(Map<String, Metric> metrics, String name, int subtasks) {
        long sum = 0;
        int found = 0;
        for (Map.Entry<String, Metric> metric : metrics.entrySet()) {
            String id = metric.getKey();
            if (id.contains(".user-activity.") && id.endsWith("." + name)) {
                sum += ((Counter) metric.getValue()).getCount();
                found++;
            }
        }
        return found == subtasks ? sum : -1;
    }

    private static long counterIfAny(JobID job, String name) {
        long sum = 0;
        for (Map.Entry<String, Metric> metric : METRICS.getMetricsByIdentifiers(job).entrySet()) {
            String id = metric.getKey();
            if (id.contains(".user-activity.") && id.endsWith("." + name)) {
                sum += ((Counter) metric.getValue()).getCount();
            }
        }
        return sum;
    }

    /** The test purchase model and card as version {@code test-2}. */
    private Path newModelVersion() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models-test-2"));
        for (String file : List.of("purchase-intent.pmml", "purchase-intent.card.json")) {
            String text = Files.readString(MODELS.resolve(file), StandardCharsets.UTF_8);
            assertThat(text).contains("test-1");
            Files.writeString(models.resolve(file), text.replace("test-1", "test-2"));
        }
        return models;
    }

    private static FeatureConfig featureConfig() {
        return new FeatureConfig(
                Duration.ofMinutes(30),
                Duration.ofMinutes(10),
                Duration.ofDays(90),
                ZoneId.of("UTC"));
    }

    private static Set<String> users(List<ShopperEvent> events) {
        Set<String> users = new HashSet<>();
        events.forEach(e -> users.add(e.userId()));
        return users;
    }

    /**
     * Purchases per user, a resend (same time and product) counted once. The slice spans less than
     * the 28 days that version 1 kept, so the migrated total loses nothing here.
     */
    private static Map<String, Long> purchasesByHand(List<ShopperEvent> events) {
        Map<String, Set<String>> distinct = new HashMap<>();
        for (ShopperEvent e : events) {
            if (e.type() == EventType.PURCHASE) {
                distinct.computeIfAbsent(e.userId(), u -> new HashSet<>())
                        .add(e.eventTimeMillis() + "/" + e.productId());
            }
        }
        long first = events.stream().mapToLong(ShopperEvent::eventTimeMillis).min().orElseThrow();
        long last = events.stream().mapToLong(ShopperEvent::eventTimeMillis).max().orElseThrow();
        assertThat(last - first).isLessThan(Duration.ofDays(27).toMillis());
        Map<String, Long> counts = new HashMap<>();
        distinct.forEach((user, set) -> counts.put(user, (long) set.size()));
        return counts;
    }

    /** Every user's {@code activity} bytes in a savepoint of the job. */
    private static Map<String, byte[]> readActivity(String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SavepointReader reader = SavepointReader.read(env, savepoint, new HashMapStateBackend());
        AlertRules rules = AlertRules.resolve(JobOptions.parse(args()));
        Map<String, byte[]> users = new HashMap<>();
        try (CloseableIterator<ActivityBytes> it =
                reader.readKeyedState(
                                OperatorIdentifier.forUid("user-activity"),
                                new ActivityReader(rules),
                                Types.STRING,
                                TypeInformation.of(ActivityBytes.class))
                        .executeAndCollect()) {
            it.forEachRemaining(user -> users.put(user.userId, user.bytes));
        }
        return users;
    }

    /** The state compatibility record the user-activity operator saved. */
    private static List<String> compatibilityRecord(String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SavepointReader reader = SavepointReader.read(env, savepoint, new HashMapStateBackend());
        List<String> entries = new ArrayList<>();
        try (CloseableIterator<String> it =
                reader.readUnionState(
                                OperatorIdentifier.forUid("user-activity"),
                                "state-compatibility",
                                Types.STRING)
                        .executeAndCollect()) {
            it.forEachRemaining(entries::add);
        }
        return entries;
    }

    /** One user's activity bytes. */
    public static class ActivityBytes {
        public String userId;
        public byte[] bytes;

        public ActivityBytes() {}
    }

    /** Reads the activity's bytes of the {@code user} state with the job's own descriptor. */
    static class ActivityReader extends KeyedStateReaderFunction<String, ActivityBytes> {
        private final AlertRules rules;
        private transient ValueState<byte[]> activity;

        ActivityReader(AlertRules rules) {
            this.rules = rules;
        }

        @Override
        public void open(OpenContext openContext) {
            activity =
                    getRuntimeContext().getState(UserActivityFunction.userStateDescriptor(rules));
        }

        @Override
        public void readKey(String key, Context ctx, Collector<ActivityBytes> out)
                throws Exception {
            byte[] value = activity.value();
            if (value != null) {
                ActivityBytes user = new ActivityBytes();
                user.userId = key;
                user.bytes =
                        Arrays.copyOfRange(
                                value, UserActivityFunction.ACTIVITY_OFFSET, value.length);
                out.collect(user);
            }
        }
    }

    /** Grants {@code limit} records per reader, then never again: the source idles. */
    static final class StopAfter implements RateLimiterStrategy {
        private final int limit;

        StopAfter(int limit) {
            this.limit = limit;
        }

        @Override
        public RateLimiter createRateLimiter(int parallelism) {
            return new RateLimiter() {
                private long granted;

                @Override
                public CompletionStage<Void> acquire(int permits) {
                    granted += permits;
                    return granted <= limit
                            ? CompletableFuture.completedFuture(null)
                            : new CompletableFuture<>();
                }
            };
        }
    }

    /** Collects alerts into {@link #ALERTS}. */
    static final class AlertSink implements Sink<Alert> {
        @Override
        public SinkWriter<Alert> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Alert element, Context context) {
                    ALERTS.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
