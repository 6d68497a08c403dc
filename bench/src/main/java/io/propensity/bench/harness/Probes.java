package io.propensity.bench.harness;

import io.propensity.job.Alert;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The harness's sinks: they count what leaves the job and, for latency runs, record how long each
 * event-triggered alert took from the moment its event entered the source ({@link
 * ReplayedStream#line}) to the moment the alert reached the sink. The MiniCluster runs in this JVM,
 * so results are kept in static fields and read after the job ends.
 *
 * <p>Inactivity-check alerts are counted but have no latency: no event triggers them (the watermark
 * does).
 */
final class Probes {

    private static final AtomicLong RECORDS = new AtomicLong();
    private static final AtomicLong ALERTS = new AtomicLong();
    private static volatile Map<String, Integer> latencyIndex;
    private static volatile int latencyFrom;
    private static long[] latencies = new long[0];
    private static int latencyCount;
    private static long unmatched;

    private Probes() {}

    /**
     * Forgets the last run; with an index, records latencies of alerts of lines from {@code from}.
     */
    static synchronized void reset(Map<String, Integer> index, int from) {
        RECORDS.set(0);
        ALERTS.set(0);
        latencyIndex = index;
        latencyFrom = from;
        latencies = new long[1024];
        latencyCount = 0;
        unmatched = 0;
    }

    static long records() {
        return RECORDS.get();
    }

    static long alerts() {
        return ALERTS.get();
    }

    /** Latencies recorded since {@link #reset}, in nanoseconds, sorted. */
    static synchronized long[] latencies() {
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        return sorted;
    }

    /** Event-triggered alerts whose event could not be found (or had no entry stamp). */
    static synchronized long unmatched() {
        return unmatched;
    }

    private static void recordAlert(Alert alert, long leftNanos) {
        ALERTS.incrementAndGet();
        Map<String, Integer> index = latencyIndex;
        if (index == null || !Alert.TRIGGER_EVENT.equals(alert.triggerKind())) {
            return;
        }
        Integer line = index.get(ReplayedStream.key(alert.userId(), alert.triggerTime()));
        long entered = line == null ? 0 : ReplayedStream.current().enteredNanos(line);
        synchronized (Probes.class) {
            if (entered == 0) {
                unmatched++;
            } else if (line >= latencyFrom) {
                if (latencyCount == latencies.length) {
                    latencies = Arrays.copyOf(latencies, latencies.length * 2);
                }
                latencies[latencyCount++] = leftNanos - entered;
            }
        }
    }

    /** Alerts: counted, and timed when a latency index is set. */
    static final class AlertSink implements Sink<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Alert> createWriter(WriterInitContext context) {
            return new Writer<>() {
                @Override
                public void write(Alert alert, Context context) {
                    recordAlert(alert, System.nanoTime());
                }
            };
        }
    }

    /** Anything: counted and dropped (the pass-through variant's end). */
    static final class CountingSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new Writer<>() {
                @Override
                public void write(T element, Context context) {
                    RECORDS.incrementAndGet();
                }
            };
        }
    }

    private abstract static class Writer<T> implements SinkWriter<T> {
        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
    }
}
