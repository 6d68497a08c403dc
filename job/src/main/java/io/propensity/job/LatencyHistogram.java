package io.propensity.job;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

import java.util.Arrays;

/**
 * A Flink {@link Histogram} over the latest {@value #WINDOW} samples, with no dependency beyond
 * flink-metrics-core, so it works on a stock cluster (Flink's own implementations live in
 * flink-runtime or need flink-metrics-dropwizard). Updates are O(1) under a lock that only a metric
 * reporter's snapshot contends for; statistics sort a copy.
 */
final class LatencyHistogram implements Histogram {

    static final int WINDOW = 1024;

    private final long[] samples = new long[WINDOW];
    private long count;

    @Override
    public synchronized void update(long value) {
        samples[(int) (count % WINDOW)] = value;
        count++;
    }

    @Override
    public synchronized long getCount() {
        return count;
    }

    @Override
    public HistogramStatistics getStatistics() {
        long[] values;
        synchronized (this) {
            values = Arrays.copyOf(samples, (int) Math.min(count, WINDOW));
        }
        Arrays.sort(values);
        return new Snapshot(values);
    }

    /** Statistics of sorted samples; quantiles by nearest rank. */
    private static final class Snapshot extends HistogramStatistics {
        private final long[] sorted;

        Snapshot(long[] sorted) {
            this.sorted = sorted;
        }

        @Override
        public double getQuantile(double quantile) {
            if (sorted.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(quantile * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }

        @Override
        public long[] getValues() {
            return sorted.clone();
        }

        @Override
        public int size() {
            return sorted.length;
        }

        @Override
        public double getMean() {
            if (sorted.length == 0) {
                return 0;
            }
            double sum = 0;
            for (long value : sorted) {
                sum += value;
            }
            return sum / sorted.length;
        }

        @Override
        public double getStdDev() {
            if (sorted.length < 2) {
                return 0;
            }
            double mean = getMean();
            double squares = 0;
            for (long value : sorted) {
                squares += (value - mean) * (value - mean);
            }
            return Math.sqrt(squares / (sorted.length - 1));
        }

        @Override
        public long getMax() {
            return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
        }

        @Override
        public long getMin() {
            return sorted.length == 0 ? 0 : sorted[0];
        }
    }
}
