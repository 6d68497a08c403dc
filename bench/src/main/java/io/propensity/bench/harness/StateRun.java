package io.propensity.bench.harness;

import io.propensity.bench.synthetic.SyntheticEventGenerator;
import io.propensity.bench.synthetic.SyntheticProfile;
import io.propensity.features.Durations;
import io.propensity.job.AlertRules;
import io.propensity.job.JobOptions;
import io.propensity.job.PropensityJob;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * State size per user and restore time. Runs the full job (compiled scorer) over a generated stream
 * while holding the job open after the last event, so every user is still in state (at the end of a
 * bounded input Flink would advance event time to the end and expire them all); then takes one full
 * checkpoint and divides its size on disk by the number of users. Then starts the same job from
 * that checkpoint and times submission to every task running (state restored), against the same job
 * started empty.
 *
 * <p>The stream is generated while the source reads it, so a million users need no memory up front;
 * the events' rate is then bounded by the generator too, which does not matter here.
 */
final class StateRun {

    private static final Logger LOG = LoggerFactory.getLogger(StateRun.class);

    private final BenchCluster cluster;
    private final PrintStream out;

    StateRun(BenchCluster cluster, PrintStream out) {
        this.cluster = cluster;
        this.out = out;
    }

    /**
     * @param spec {@code USERS[:EVENTS[:ARRIVAL_SPAN]]}
     */
    void run(String spec, long seed) throws Exception {
        String[] parts = spec.split(":");
        long users = Long.parseLong(parts[0].replace("_", ""));
        long maxEvents = parts.length > 1 ? Long.parseLong(parts[1].replace("_", "")) : 0;
        SyntheticProfile profile = SyntheticProfile.load();
        Duration span =
                parts.length > 2
                        ? Durations.parse(parts[2])
                        : Duration.ofMillis(profile.behaviour().windowMillis());
        SyntheticEventGenerator.Settings settings =
                new SyntheticEventGenerator.Settings(
                        seed,
                        Instant.parse("2024-01-01T00:00:00Z"),
                        users,
                        maxEvents > 0 ? maxEvents : Long.MAX_VALUE,
                        span,
                        0);
        // the number of events of complete histories is only known by generating them once
        long events = maxEvents > 0 ? maxEvents : count(profile, settings);
        ReplayedStream stream = ReplayedStream.generated(settings, events).install();
        AlertRules rules = EndToEnd.rules("compiled", null);
        double loadBefore = EndToEnd.loadAverage();

        // fill the state, checkpoint, cancel
        long start = System.nanoTime();
        JobID filled = cluster.submit(environment(stream.events(), rules), null);
        while (stream.users() == 0) {
            Thread.sleep(200);
        }
        long fillNanos = System.nanoTime() - start;
        // the barrier follows the last event, so the checkpoint holds every event's effect
        String checkpoint = cluster.checkpoint(filled);
        cluster.cancel(filled);
        long bytes = EndToEnd.directoryBytes(cluster.checkpoints().resolve(filled.toString()));
        LOG.info("state of {} users: {} bytes in {}", stream.users(), bytes, checkpoint);

        // restore it, and compare with an empty start of the same job
        // both read no events: the stream was read once, and the restored source is past its end
        JobID restored = cluster.submit(environment(0, rules), checkpoint);
        Duration restore = cluster.awaitAllRunning(restored, Duration.ofMinutes(10));
        cluster.cancel(restored);
        JobID empty = cluster.submit(environment(0, rules), null);
        Duration emptyStart = cluster.awaitAllRunning(empty, Duration.ofMinutes(10));
        cluster.cancel(empty);

        out.printf(
                "### State: %,d users, %,d events (%s)%n%n",
                stream.users(),
                events,
                maxEvents > 0
                        ? "stream cut after " + maxEvents + " events, arrival span " + spec(span)
                        : "complete histories, arrival span " + spec(span));
        out.println(
                "| users | events | checkpoint bytes | bytes per user | fill s |"
                        + " restore to running s | empty start s | load before/after |");
        out.println("|---|---|---|---|---|---|---|---|");
        out.printf(
                "| %,d | %,d | %,d | %.0f | %.1f | %.2f | %.2f | %.1f / %.1f |%n%n",
                stream.users(),
                events,
                bytes,
                (double) bytes / stream.users(),
                fillNanos / 1e9,
                restore.toMillis() / 1e3,
                emptyStart.toMillis() / 1e3,
                loadBefore,
                EndToEnd.loadAverage());
    }

    private static String spec(Duration span) {
        return Durations.format(span);
    }

    private StreamExecutionEnvironment environment(long events, AlertRules rules) {
        // checkpoints only when the harness asks: one checkpoint is then all there is on disk
        JobOptions options =
                JobOptions.parse(
                        new String[] {
                            "--checkpoint-interval",
                            "1d",
                            "--checkpoint-dir",
                            cluster.checkpoints().toUri().toString()
                        });
        Configuration config = PropensityJob.configuration(options);
        StreamExecutionEnvironment env = BenchCluster.environment(config, 1);
        Variant.job(ReplaySource.of(events, 0, true), rules).build(env);
        return env;
    }

    private static long count(SyntheticProfile profile, SyntheticEventGenerator.Settings settings) {
        SyntheticEventGenerator generator = new SyntheticEventGenerator(profile, settings);
        long n = 0;
        while (generator.hasNext()) {
            generator.next();
            n++;
        }
        return n;
    }
}
