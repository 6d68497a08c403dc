package io.propensity.job;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;
import io.propensity.job.privacy.AuditRecord;
import io.propensity.job.privacy.ErasureRequest;
import io.propensity.job.privacy.PrivacyRules;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Erasure proven on the state the job actually persists: the pipeline runs on a MiniCluster with
 * RocksDB, processes events of three users and two erasure requests, and is stopped with a
 * savepoint; Flink's State Processor API then reads every key of the {@code user-activity} operator
 * from that savepoint. The erased user must not be there at all, the suppressed user only with the
 * suppression marker, and the untouched user with a profile and a timer (proof that the reader sees
 * what is there).
 *
 * <p>The source emits a fixed list and then waits forever (a rate limiter that stops granting), so
 * the job stays running and is not drained: at the end of a bounded input Flink would fire every
 * timer and the retention would clear everyone, proving nothing.
 */
class ErasureSavepointTest {

    private static final long T0 = Instant.parse("2019-10-01T10:00:00Z").toEpochMilli();
    private static final String KEPT = "kept-user";
    private static final String ERASED = "erased-user";
    private static final String SUPPRESSED = "suppressed-user";
    private static final int RECORDS = 8;

    /** Audit records written by the running job (the sink runs in this JVM). */
    private static final Queue<AuditRecord> AUDIT = new ConcurrentLinkedQueue<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .setConfiguration(flinkConfig())
                            .build());

    @TempDir Path savepoints;

    private static Configuration flinkConfig() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        return config;
    }

    /** The input, in order: what each user did, then the two requests, then a dropped event. */
    static SourceRecord record(long index) {
        switch ((int) index) {
            case 0:
                return event(KEPT, T0, EventType.CART);
            case 1:
                return event(KEPT, T0 + 10_000, EventType.CART);
            case 2:
                return event(ERASED, T0, EventType.CART);
            case 3:
                return event(ERASED, T0 + 10_000, EventType.CART);
            case 4:
                return event(SUPPRESSED, T0, EventType.VIEW);
            case 5:
                return erasure(ERASED, "req-erase", false, index);
            case 6:
                return erasure(SUPPRESSED, "req-suppress", true, index);
            case 7:
                return event(SUPPRESSED, T0 + 20_000, EventType.CART);
            default:
                throw new IllegalArgumentException("no record " + index);
        }
    }

    private static SourceRecord event(String user, long time, EventType type) {
        return SourceRecord.ofEvent(ShopperEvent.of(user, time, type), "events", 0, time - T0);
    }

    private static SourceRecord erasure(
            String user, String requestId, boolean suppress, long offset) {
        return SourceRecord.ofErasure(
                new ErasureRequest(requestId, user, T0, suppress), "erasures", 0, offset);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shouldLeaveNothingOfAnErasedUserInTheSavepoint() throws Exception {
        AUDIT.clear();
        AlertRules rules = TestModels.rules();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataGeneratorSource<SourceRecord> source =
                new DataGeneratorSource<>(
                        ErasureSavepointTest::record,
                        Long.MAX_VALUE,
                        new StopAfter(RECORDS),
                        TypeInformation.of(SourceRecord.class));
        new PropensityJob(
                        source,
                        new DiscardingSink<>(),
                        new DiscardingSink<>(),
                        new DiscardingSink<>(),
                        rules,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30),
                        ProcessingClock.SYSTEM)
                .withPrivacy(PrivacyRules.DEFAULT, null, new AuditSink())
                .build(env);
        JobClient job = env.executeAsync("erasure-savepoint-test");

        // both requests applied (the job runs with parallelism 1: everything before them too)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (AUDIT.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(AUDIT).hasSize(2);
        String savepoint =
                job.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(90, TimeUnit.SECONDS);

        Map<String, PersistedUser> users = readUsers(savepoint, rules);

        assertThat(users).containsOnlyKeys(KEPT, SUPPRESSED);
        assertThat(users.get(KEPT).activity).isTrue();
        assertThat(users.get(KEPT).marker).isNull();
        assertThat(users.get(KEPT).timers).hasSize(1);
        assertThat(users.get(SUPPRESSED).activity).isFalse();
        assertThat(users.get(SUPPRESSED).marker).isEqualTo(UserActivityFunction.SUPPRESSED);
        assertThat(users.get(SUPPRESSED).timers).isEmpty();

        List<AuditRecord> audit = new ArrayList<>(AUDIT);
        assertThat(audit)
                .extracting(AuditRecord::requestId, AuditRecord::userId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("req-erase", ERASED),
                        org.assertj.core.groups.Tuple.tuple("req-suppress", SUPPRESSED));
        assertThat(audit.get(0).cleared()).containsExactly("activity", "alert-state", "timer");
        assertThat(audit.get(1).kept()).containsExactly("suppression");
    }

    private static Map<String, PersistedUser> readUsers(String savepoint, AlertRules rules)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // a canonical savepoint is independent of the state backend that wrote it
        SavepointReader reader = SavepointReader.read(env, savepoint, new HashMapStateBackend());
        Map<String, PersistedUser> users = new TreeMap<>();
        try (CloseableIterator<PersistedUser> it =
                reader.readKeyedState(
                                OperatorIdentifier.forUid("user-activity"),
                                new UserStateReader(rules),
                                TypeInformation.of(String.class),
                                TypeInformation.of(PersistedUser.class))
                        .executeAndCollect()) {
            it.forEachRemaining(user -> users.put(user.userId, user));
        }
        return users;
    }

    /** What the savepoint holds for one key. */
    public static class PersistedUser {
        public String userId;

        /** Whether the key has a {@code user} value (bookkeeping and activity). */
        public boolean activity;

        public Byte marker;
        public List<Long> timers;

        public PersistedUser() {}
    }

    /** Reads the two per-user states, with the job's own descriptors, and the key's timers. */
    static class UserStateReader extends KeyedStateReaderFunction<String, PersistedUser> {
        private final AlertRules rules;
        private transient ValueState<byte[]> activity;
        private transient ValueState<Byte> marker;

        UserStateReader(AlertRules rules) {
            this.rules = rules;
        }

        @Override
        public void open(OpenContext openContext) {
            activity =
                    getRuntimeContext().getState(UserActivityFunction.userStateDescriptor(rules));
            marker = getRuntimeContext().getState(UserActivityFunction.privacyMarkerDescriptor());
        }

        @Override
        public void readKey(String key, Context ctx, Collector<PersistedUser> out)
                throws Exception {
            PersistedUser user = new PersistedUser();
            user.userId = key;
            byte[] value = activity.value();
            user.activity = value != null && UserActivityFunction.activityOf(value) != null;
            user.marker = marker.value();
            user.timers = new ArrayList<>(ctx.registeredEventTimeTimers());
            out.collect(user);
        }
    }

    /** Grants the first {@code limit} records at once, then never again: the source idles. */
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

    /** Collects audit records into {@link #AUDIT}. */
    static final class AuditSink implements Sink<AuditRecord> {
        @Override
        public SinkWriter<AuditRecord> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(AuditRecord element, Context context) {
                    AUDIT.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
