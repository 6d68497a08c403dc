package io.propensity.bench.harness;

import io.propensity.bench.synthetic.SyntheticEventGenerator;
import io.propensity.bench.synthetic.SyntheticProfile;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventJson;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The stream a harness run replays: synthetic events as JSON lines in the events topic's wire
 * format, handed to the job's source as bytes so that the job parses them as it parses Kafka
 * records.
 *
 * <p>Either held in memory (generated before the run, so generation costs nothing during the
 * measurement) or generated while the source reads (for streams too large to hold, such as a
 * million users; generation is then part of the source's cost). The MiniCluster runs in this JVM,
 * so the source reaches the stream through {@link #current()} instead of shipping it with the job
 * graph. One stream at a time; the harness runs jobs one after the other.
 */
final class ReplayedStream {

    private static volatile ReplayedStream current;

    private final byte[][] lines;
    private final SyntheticEventGenerator generator;
    private final long events;
    private final long[] enteredNanos;
    private long nextGenerated;
    private volatile long firstEventNanos;
    private volatile long firstEventCpuNanos;
    private volatile long usersStarted;

    private ReplayedStream(byte[][] lines, SyntheticEventGenerator generator, long events) {
        this.lines = lines;
        this.generator = generator;
        this.events = events;
        this.enteredNanos = lines == null ? null : new long[lines.length];
    }

    /** Generates {@code settings}' stream into memory now. */
    static ReplayedStream inMemory(SyntheticEventGenerator.Settings settings) {
        SyntheticEventGenerator generator =
                new SyntheticEventGenerator(SyntheticProfile.load(), settings);
        int capacity = (int) Math.min(settings.maxEvents(), 1 << 20);
        byte[][] lines = new byte[capacity][];
        int n = 0;
        while (generator.hasNext()) {
            if (n == lines.length) {
                lines = java.util.Arrays.copyOf(lines, lines.length * 2);
            }
            lines[n++] = EventJson.write(generator.next()).getBytes(StandardCharsets.UTF_8);
        }
        ReplayedStream stream = new ReplayedStream(java.util.Arrays.copyOf(lines, n), null, n);
        stream.usersStarted = generator.usersStarted();
        return stream;
    }

    /** Generates {@code settings}' stream while the source reads it, in index order. */
    static ReplayedStream generated(SyntheticEventGenerator.Settings settings, long events) {
        return new ReplayedStream(
                null, new SyntheticEventGenerator(SyntheticProfile.load(), settings), events);
    }

    /** Makes this the stream that sources read. */
    ReplayedStream install() {
        current = this;
        return this;
    }

    static ReplayedStream current() {
        ReplayedStream stream = current;
        if (stream == null) {
            throw new IllegalStateException("no replayed stream installed");
        }
        return stream;
    }

    long events() {
        return events;
    }

    /** Users whose first event is in the stream (known up front in memory, at the end else). */
    long users() {
        return usersStarted;
    }

    /** The line at {@code index}; stamps when it entered the source. */
    byte[] line(long index) {
        if (index == 0) {
            firstEventNanos = System.nanoTime();
            firstEventCpuNanos = processCpuNanos();
        }
        if (lines != null) {
            enteredNanos[(int) index] = System.nanoTime();
            return lines[(int) index];
        }
        return nextGeneratedLine(index);
    }

    private synchronized byte[] nextGeneratedLine(long index) {
        if (index != nextGenerated) {
            throw new IllegalStateException(
                    "generated streams are read once, in order: asked for "
                            + index
                            + ", next is "
                            + nextGenerated);
        }
        nextGenerated++;
        ShopperEvent event = generator.next();
        if (!generator.hasNext() || nextGenerated == events) {
            usersStarted = generator.usersStarted();
        }
        return EventJson.write(event).getBytes(StandardCharsets.UTF_8);
    }

    /** The line as held in memory, without stamping (for producing to Kafka). */
    byte[] heldLine(int index) {
        return lines[index];
    }

    /** When line {@code index} entered the source, {@link System#nanoTime()}, or 0. */
    long enteredNanos(int index) {
        return enteredNanos[index];
    }

    /** Clears the entry stamps before another run over the same lines. */
    void resetStamps() {
        java.util.Arrays.fill(enteredNanos, 0);
        firstEventNanos = 0;
        firstEventCpuNanos = 0;
    }

    long firstEventNanos() {
        return firstEventNanos;
    }

    long firstEventCpuNanos() {
        return firstEventCpuNanos;
    }

    /**
     * Index of the event behind each event-triggered alert: user id and event time to line. Events
     * of one user at the same millisecond keep the first line.
     */
    Map<String, Integer> indexByUserAndTime(int upTo) {
        Map<String, Integer> index = new HashMap<>(upTo * 2);
        for (int i = 0; i < upTo; i++) {
            try {
                ShopperEvent event = EventJson.parse(lines[i]);
                index.putIfAbsent(key(event.userId(), event.eventTimeMillis()), i);
            } catch (io.propensity.features.io.MalformedEventException e) {
                throw new IllegalStateException("generated line " + i + " does not parse", e);
            }
        }
        return index;
    }

    static String key(String userId, long eventTimeMillis) {
        return userId + '@' + eventTimeMillis;
    }

    /** CPU time of this whole process (every thread: Flink, RocksDB, GC, the JIT). */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }
}
