package io.propensity.bench;

import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureSchema;
import io.propensity.features.ShopperEvent;
import io.propensity.features.UserActivity;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Nanoseconds per event of the per-user feature state on real Taobao events (read at setup, in file
 * order: grouped by user, time-ordered within a user, as Kafka delivers them per key).
 *
 * <ul>
 *   <li>{@code applyAndFeatures}: {@link UserActivity#apply} plus the feature vector, the work of
 *       every event with the state already in memory (the offline replay).
 *   <li>{@code toBytes}, {@code fromBytes}: serializing and reading the states as they are after
 *       each event, what the job pays for its RocksDB write and read.
 *   <li>{@code jobPath}: read the state from bytes, apply, features, write back: the whole
 *       per-event cost of the features module inside the job.
 * </ul>
 *
 * The setup also prints the serialized bytes per user of the users' final states (mean, median,
 * p99, max), the size the job keeps per user in RocksDB before the job's own 33 bytes and RocksDB's
 * key and overhead.
 *
 * <p>Each invocation processes {@link #EVENTS} events; the scores are per event. Run from the
 * repository root (the default path is relative to it):
 *
 * <pre>java -jar bench/target/benchmarks.jar FeatureUpdate -f 1 -wi 2 -i 3</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FeatureUpdateBenchmark {

    /** Events per invocation: a prefix of the file, whole users. */
    static final int EVENTS = 50_000;

    @Param({"data/taobao-userbehavior-head/UserBehavior_head.csv.gz"})
    public String events;

    private final FeatureConfig config = FeatureConfig.defaults();
    private final double[] features = FeatureSchema.newVector();

    private ShopperEvent[] sequence;
    private int[] userOf;
    private int users;
    private UserActivity[] statesAfter;
    private byte[][] bytesAfter;

    @Setup
    public void load() throws IOException {
        List<ShopperEvent> list = new ArrayList<>(EVENTS);
        try (EventFileReader reader =
                EventFileReader.open(
                        Path.of(events), EventFormat.TAOBAO, (source, line, reason, raw) -> {})) {
            while (reader.hasNext() && list.size() < EVENTS) {
                list.add(reader.next());
            }
        }
        if (list.size() < EVENTS) {
            throw new IllegalStateException(
                    events + " has " + list.size() + " events, the benchmark needs " + EVENTS);
        }
        sequence = list.toArray(new ShopperEvent[0]);
        userOf = new int[EVENTS];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            userOf[i] = index.computeIfAbsent(sequence[i].userId(), id -> index.size());
        }
        users = index.size();

        // the state of each event's user right before the event, as live objects and as bytes
        statesAfter = new UserActivity[EVENTS];
        bytesAfter = new byte[EVENTS][];
        UserActivity[] states = freshStates();
        for (int i = 0; i < EVENTS; i++) {
            bytesAfter[i] = states[userOf[i]].toBytes();
            statesAfter[i] = UserActivity.fromBytes(bytesAfter[i]);
            states[userOf[i]].apply(sequence[i], config);
        }
        System.out.println(bytesPerUser(states));
    }

    /** The serialized size of each user's final state, summarised in one line. */
    static String bytesPerUser(UserActivity[] states) {
        int[] sizes = new int[states.length];
        long total = 0;
        for (int u = 0; u < states.length; u++) {
            sizes[u] = states[u].toBytes().length;
            total += sizes[u];
        }
        java.util.Arrays.sort(sizes);
        return String.format(
                "serialized bytes per user (final state of %d users): mean %.0f, median %d, p99 %d,"
                        + " max %d",
                sizes.length,
                (double) total / sizes.length,
                sizes[(sizes.length - 1) / 2],
                sizes[(int) Math.ceil(0.99 * sizes.length) - 1],
                sizes[sizes.length - 1]);
    }

    private UserActivity[] freshStates() {
        UserActivity[] states = new UserActivity[users];
        for (int u = 0; u < users; u++) {
            states[u] = UserActivity.empty();
        }
        return states;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void applyAndFeatures(Blackhole blackhole) {
        UserActivity[] states = freshStates();
        for (int i = 0; i < EVENTS; i++) {
            UserActivity state = states[userOf[i]];
            blackhole.consume(state.apply(sequence[i], config));
            state.features(state.lastEventMillis(), config, features);
            blackhole.consume(features[FeatureSchema.VIEW_COUNT_24H]);
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void toBytes(Blackhole blackhole) {
        for (int i = 0; i < EVENTS; i++) {
            blackhole.consume(statesAfter[i].toBytes());
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void fromBytes(Blackhole blackhole) {
        for (int i = 0; i < EVENTS; i++) {
            blackhole.consume(UserActivity.fromBytes(bytesAfter[i]));
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void jobPath(Blackhole blackhole) {
        byte[][] stored = new byte[users][];
        for (int i = 0; i < EVENTS; i++) {
            int user = userOf[i];
            UserActivity state =
                    stored[user] == null
                            ? UserActivity.empty()
                            : UserActivity.fromBytes(stored[user]);
            blackhole.consume(state.apply(sequence[i], config));
            state.features(state.lastEventMillis(), config, features);
            blackhole.consume(features[FeatureSchema.VIEW_COUNT_24H]);
            stored[user] = state.toBytes();
        }
    }
}
