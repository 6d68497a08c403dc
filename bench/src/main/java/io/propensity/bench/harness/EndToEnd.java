package io.propensity.bench.harness;

import io.propensity.bench.synthetic.SyntheticEventGenerator;
import io.propensity.bench.synthetic.SyntheticProfile;
import io.propensity.features.Durations;
import io.propensity.job.AlertRules;
import io.propensity.job.JobOptions;
import io.propensity.job.PropensityJob;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import jdk.jfr.Recording;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The end-to-end performance harness: the Propensity job on a local MiniCluster (RocksDB,
 * checkpoints, parallelism 1) over a synthetic stream held in memory as JSON lines, which the job
 * parses as it parses Kafka records.
 *
 * <p>Phases, each optional: throughput of the four {@link Variant}s on the same stream, with ratios
 * to the pass-through; latency of purchase-intent alerts at a fixed offered rate (half the compiled
 * variant's measured rate unless given); state size per user and restore time ({@link StateRun});
 * the same job through a real Kafka broker ({@link KafkaRun}). Results print as Markdown tables on
 * stdout; progress goes to the log. Speed is reported, never asserted.
 */
@Command(
        name = "end-to-end",
        mixinStandardHelpOptions = true,
        description = "Runs the job on a local MiniCluster and reports events per second per core.")
public final class EndToEnd implements Callable<Integer> {

    @Option(
            names = "--events",
            description =
                    "events in the stream of the throughput, latency and Kafka runs; 0 skips"
                            + " them [1000000]")
    long events = 1_000_000;

    @Option(names = "--seed", description = "generator seed [42]")
    long seed = 42;

    @Option(
            names = "--variants",
            split = ",",
            description = "variants to time: PASS_THROUGH,FEATURES,JPMML,COMPILED [all]")
    List<Variant> variants = List.of(Variant.values());

    @Option(
            names = "--warmup-events",
            description = "events of the untimed warm-up runs before the timed ones [100000]")
    long warmupEvents = 100_000;

    @Option(
            names = "--rounds",
            description = "runs of each variant, interleaved; best kept; 0 skips them [1]")
    int rounds = 1;

    @Option(names = "--latency-seconds", description = "seconds of the latency run, 0 to skip [60]")
    int latencySeconds = 60;

    @Option(
            names = "--latency-warmup",
            description = "seconds of the latency run not recorded [10]")
    int latencyWarmup = 10;

    @Option(
            names = "--latency-rate",
            description = "offered events per second [half the compiled variant's rate]")
    double latencyRate;

    @Option(
            names = "--latency-threshold",
            description =
                    "purchase-intent threshold of the latency run, with cooldown 1ms; lower it"
                            + " to get more alerts, but every alert is also explained, so the"
                            + " offered rate is then no longer half load [the model card's]")
    Double latencyThreshold;

    @Option(
            names = "--buffer-timeout",
            description =
                    "Flink network buffer timeout of the latency run [Flink's default, 100ms]")
    String bufferTimeout;

    @Option(
            names = "--state",
            split = ",",
            description =
                    "state runs USERS[:EVENTS[:ARRIVAL_SPAN]] (complete histories over the"
                            + " profile's 9 days without EVENTS)")
    List<String> stateRuns = new ArrayList<>();

    @Option(names = "--kafka", description = "bootstrap servers of a broker for the Kafka runs")
    String kafka;

    @Option(
            names = "--kafka-parallelism",
            split = ",",
            description = "parallelism of the Kafka runs [1,2]")
    List<Integer> kafkaParallelism = List.of(1, 2);

    @Option(names = "--profile", description = "JFR recording of the compiled variant's run")
    Path profile;

    @Option(names = "--work-dir", description = "checkpoints and scratch [target/harness]")
    Path workDir = Path.of("target/harness");

    private final PrintStream out;

    public EndToEnd() {
        this(System.out);
    }

    EndToEnd(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EndToEnd()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(workDir);
        out.printf("## End-to-end run %s%n%n", Instant.now());
        out.printf(
                "machine: %d cores, JVM %s %s, max heap %d MiB, load average %.2f%n%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                loadAverage());
        try (BenchCluster cluster = new BenchCluster(workDir)) {
            Map<Variant, RunResult> best = new EnumMap<>(Variant.class);
            if (events > 0) {
                ReplayedStream stream = generate();
                if (rounds > 0) {
                    best = throughput(cluster, stream);
                }
                if (latencySeconds > 0) {
                    double rate = latencyRate;
                    if (rate <= 0) {
                        RunResult compiled = best.get(Variant.COMPILED);
                        if (compiled == null) {
                            throw new IllegalArgumentException(
                                    "--latency-rate is needed when COMPILED is not timed");
                        }
                        rate = compiled.eventsPerSecond() / 2;
                    }
                    latency(cluster, stream, rate);
                }
                if (kafka != null) {
                    new KafkaRun(cluster, kafka, workDir, out)
                            .run(stream, kafkaParallelism, best.get(Variant.COMPILED));
                }
            }
            for (String spec : stateRuns) {
                new StateRun(cluster, out).run(spec, seed);
            }
        }
        return 0;
    }

    private ReplayedStream generate() {
        SyntheticEventGenerator.Settings settings =
                new SyntheticEventGenerator.Settings(
                        seed,
                        Instant.parse("2024-01-01T00:00:00Z"),
                        0,
                        events,
                        Duration.ofMillis(SyntheticProfile.load().behaviour().windowMillis()),
                        0);
        long start = System.nanoTime();
        ReplayedStream stream = ReplayedStream.inMemory(settings).install();
        out.printf(
                "stream: %,d synthetic events of %,d users (seed %d, 9-day arrival span),"
                        + " generated in %.1f s and held in memory as JSON lines%n%n",
                stream.events(), stream.users(), seed, (System.nanoTime() - start) / 1e9);
        return stream;
    }

    private Map<Variant, RunResult> throughput(BenchCluster cluster, ReplayedStream stream)
            throws Exception {
        AlertRules compiled = rules("compiled", null);
        AlertRules jpmml = rules("jpmml", null);
        Map<Variant, RunResult> best = new EnumMap<>(Variant.class);
        // on a shared machine the wall-clock rate drops when other processes take the cores, the
        // CPU time per event much less: keep the best round of each measure on its own
        Map<Variant, RunResult> bestCpu = new EnumMap<>(Variant.class);
        // untimed: JIT-compile the parser, the state code and the scorers before the first timing
        long warmup = Math.min(stream.events(), warmupEvents);
        if (warmup > 0) {
            for (Variant variant : List.of(Variant.FEATURES, Variant.JPMML, Variant.COMPILED)) {
                timed(
                        cluster,
                        stream,
                        "warm-up",
                        1,
                        env ->
                                variant.build(
                                        env, ReplaySource.of(warmup, 0, false), compiled, jpmml));
            }
        }
        for (int round = 1; round <= rounds; round++) {
            for (Variant variant : variants) {
                Recording recording = null;
                if (profile != null && variant == Variant.COMPILED && round == rounds) {
                    recording = new Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                    recording.start();
                }
                RunResult result =
                        timed(
                                cluster,
                                stream,
                                variant.label,
                                1,
                                env ->
                                        variant.build(
                                                env,
                                                ReplaySource.of(stream.events(), 0, false),
                                                compiled,
                                                jpmml));
                if (recording != null) {
                    recording.stop();
                    recording.dump(profile);
                    recording.close();
                }
                org.slf4j.LoggerFactory.getLogger(EndToEnd.class)
                        .info(
                                "round {} {}: {} events/s, {} events/CPU-s",
                                round,
                                variant.label,
                                Math.round(result.eventsPerSecond()),
                                Math.round(result.eventsPerCpuSecond()));
                RunResult previous = best.get(variant);
                if (previous == null || result.wallNanos() < previous.wallNanos()) {
                    best.put(variant, result);
                }
                RunResult previousCpu = bestCpu.get(variant);
                if (previousCpu == null || result.cpuNanos() < previousCpu.cpuNanos()) {
                    bestCpu.put(variant, result);
                }
            }
        }
        printThroughput(best, bestCpu);
        if (profile != null && best.containsKey(Variant.COMPILED)) {
            out.printf("### Where the time goes (JFR, %s, compiled variant)%n%n", profile);
            HotMethods.print(profile, out, 15);
        }
        return best;
    }

    private void printThroughput(Map<Variant, RunResult> best, Map<Variant, RunResult> bestCpu) {
        RunResult base = best.get(Variant.PASS_THROUGH);
        RunResult baseCpu = bestCpu.get(Variant.PASS_THROUGH);
        out.printf(
                "### Throughput (parallelism 1, RocksDB, checkpoints every 10 s; best of %d"
                        + " rounds, wall and CPU columns each from its own best round)%n%n",
                rounds);
        out.println(
                "| variant | events/s (wall) | events per CPU-second | CPU us per event | cores"
                        + " busy | ratio to pass-through (wall) | ratio (CPU) | sink records"
                        + " (alerts) | load before/after |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<Variant, RunResult> entry : best.entrySet()) {
            RunResult r = entry.getValue();
            RunResult c = bestCpu.get(entry.getKey());
            out.printf(
                    "| %s | %,.0f | %,.0f | %.1f | %.2f | %s | %s | %,d | %.1f / %.1f |%n",
                    r.name(),
                    r.eventsPerSecond(),
                    c.eventsPerCpuSecond(),
                    1e6 / c.eventsPerCpuSecond(),
                    r.coresUsed(),
                    base == null
                            ? "-"
                            : String.format("%.2f", r.eventsPerSecond() / base.eventsPerSecond()),
                    baseCpu == null
                            ? "-"
                            : String.format(
                                    "%.2f", c.eventsPerCpuSecond() / baseCpu.eventsPerCpuSecond()),
                    r.alerts(),
                    r.loadBefore(),
                    r.loadAfter());
        }
        out.println();
    }

    private void latency(BenchCluster cluster, ReplayedStream stream, double rate)
            throws Exception {
        long n = Math.min(stream.events(), Math.round(rate * latencySeconds));
        int warmupLines = (int) Math.min(n, Math.round(rate * latencyWarmup));
        AlertRules rules = rules("compiled", latencyThreshold);
        Probes.reset(stream.indexByUserAndTime((int) n), warmupLines);
        stream.resetStamps();
        Configuration config = jobConfiguration("10s");
        config.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.AT_LEAST_ONCE);
        if (bufferTimeout != null) {
            config.set(
                    org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT,
                    Durations.parse(bufferTimeout));
        }
        double loadBefore = loadAverage();
        StreamExecutionEnvironment env = BenchCluster.environment(config, 1);
        Variant.job(ReplaySource.of(n, rate, false), rules).build(env);
        JobID id = cluster.submit(env, null);
        cluster.awaitSuccess(id);
        long[] latencies = Probes.latencies();
        out.printf(
                "### Latency (compiled, at-least-once checkpoints every 10 s, parallelism 1)%n%n"
                        + "offered %,.0f events/s for %,d events (%d s); alerts at %s;"
                        + " buffer timeout %s;"
                        + " the first %d s not recorded; load %.1f / %.1f%n%n",
                rate,
                n,
                latencySeconds,
                latencyThreshold == null
                        ? "the job's defaults (model card's threshold, one per session)"
                        : "purchase-intent threshold " + latencyThreshold + " and cooldown 1ms",
                bufferTimeout == null ? "100ms (default)" : bufferTimeout,
                latencyWarmup,
                loadBefore,
                loadAverage());
        out.println("| alerts timed | p50 ms | p99 ms | p99.9 ms | max ms | unmatched |");
        out.println("|---|---|---|---|---|---|");
        out.printf(
                "| %,d | %.2f | %.2f | %.2f | %.2f | %d |%n%n",
                latencies.length,
                quantileMillis(latencies, 0.50),
                quantileMillis(latencies, 0.99),
                quantileMillis(latencies, 0.999),
                latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1] / 1e6,
                Probes.unmatched());
        Probes.reset(null, 0);
    }

    /** Nearest-rank quantile of sorted nanoseconds, in milliseconds. */
    static double quantileMillis(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /** Runs one pipeline over the whole stream and times it. */
    RunResult timed(
            BenchCluster cluster,
            ReplayedStream stream,
            String name,
            int parallelism,
            java.util.function.Consumer<StreamExecutionEnvironment> pipeline)
            throws Exception {
        Probes.reset(null, 0);
        stream.resetStamps();
        System.gc();
        double loadBefore = loadAverage();
        StreamExecutionEnvironment env =
                BenchCluster.environment(jobConfiguration("10s"), parallelism);
        pipeline.accept(env);
        long submitted = System.nanoTime();
        JobID id = cluster.submit(env, null);
        cluster.awaitSuccess(id);
        long end = System.nanoTime();
        long cpuEnd = ReplayedStream.processCpuNanos();
        return new RunResult(
                name,
                stream.events(),
                end - stream.firstEventNanos(),
                end - submitted,
                cpuEnd - stream.firstEventCpuNanos(),
                Probes.alerts() + Probes.records(),
                loadBefore,
                loadAverage());
    }

    /** The job's own configuration (RocksDB, incremental retained checkpoints). */
    Configuration jobConfiguration(String checkpointInterval) {
        JobOptions options =
                JobOptions.parse(
                        new String[] {
                            "--checkpoint-interval",
                            checkpointInterval,
                            "--checkpoint-dir",
                            workDir.resolve("checkpoints").toAbsolutePath().toUri().toString()
                        });
        return PropensityJob.configuration(options);
    }

    /** The job's rules with the bundled default models. */
    static AlertRules rules(String scorer, Double purchaseThreshold) {
        List<String> args = new ArrayList<>(List.of("--scorer", scorer));
        if (purchaseThreshold != null) {
            args.addAll(
                    List.of(
                            "--purchase-threshold",
                            purchaseThreshold.toString(),
                            "--cooldown",
                            "1ms"));
        }
        return AlertRules.resolve(JobOptions.parse(args.toArray(String[]::new)));
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static long directoryBytes(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            file -> {
                                try {
                                    return Files.size(file);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        }
    }
}
