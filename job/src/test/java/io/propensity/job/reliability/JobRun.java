package io.propensity.job.reliability;

import io.propensity.job.AlertRules;
import io.propensity.job.JobOptions;
import io.propensity.job.KafkaConnectors;
import io.propensity.job.ProcessingClock;
import io.propensity.job.PropensityJob;
import io.propensity.job.SourceRecord;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Runs the job the way {@code PropensityJob.main} wires it (options parsed, models resolved, the
 * real Kafka source and sinks), with what the tests change: a source bounded at the topic's end (or
 * unbounded), an optional wrapper around the source, the processing clock and extra Flink
 * configuration (restart strategy, savepoint to start from).
 */
final class JobRun {

    private JobRun() {}

    static JobClient start(
            String[] args,
            boolean bounded,
            UnaryOperator<Source<SourceRecord, ?, ?>> wrapSource,
            ProcessingClock clock,
            Consumer<Configuration> configure)
            throws Exception {
        JobOptions options = JobOptions.parse(args);
        AlertRules rules = AlertRules.resolve(options);
        Configuration config = PropensityJob.configuration(options);
        configure.accept(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        Source<SourceRecord, ?, ?> source =
                KafkaConnectors.kafkaSource(
                        options, clock, bounded ? OffsetsInitializer.latest() : null);
        new PropensityJob(
                        wrapSource.apply(source),
                        KafkaConnectors.alertSink(options),
                        KafkaConnectors.deadLetterSink(options),
                        KafkaConnectors.lateEventSink(options),
                        rules,
                        options.outOfOrderness,
                        options.idleness,
                        clock)
                .build(env);
        return env.executeAsync("propensity-reliability-" + options.groupId);
    }
}
