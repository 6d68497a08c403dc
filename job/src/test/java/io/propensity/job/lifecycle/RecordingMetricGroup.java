package io.propensity.job.lifecycle;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import java.util.Map;
import java.util.TreeMap;

/**
 * A metric group for unit tests that keeps the counters and gauges registered through it and its
 * subgroups, by their dotted path ({@code model.purchase_intent.version.v1.active}), so a test can
 * read a metric the way a reporter would.
 */
final class RecordingMetricGroup extends UnregisteredMetricsGroup {

    private final String path;
    private final Map<String, Object> metrics;

    RecordingMetricGroup() {
        this("", new TreeMap<>());
    }

    private RecordingMetricGroup(String path, Map<String, Object> metrics) {
        this.path = path;
        this.metrics = metrics;
    }

    private String child(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    @Override
    public MetricGroup addGroup(String name) {
        return new RecordingMetricGroup(child(name), metrics);
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
        return new RecordingMetricGroup(child(key + "." + value), metrics);
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        metrics.put(child(name), counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        metrics.put(child(name), gauge);
        return gauge;
    }

    /** The gauge's current value at {@code path}, or {@code null} when there is none. */
    Object gaugeValue(String path) {
        Object metric = metrics.get(path);
        return metric instanceof Gauge<?> gauge ? gauge.getValue() : null;
    }

    /** The counter's count at {@code path}. */
    long count(String path) {
        return ((Counter) metrics.get(path)).getCount();
    }
}
