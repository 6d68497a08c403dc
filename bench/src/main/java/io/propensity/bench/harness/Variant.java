package io.propensity.bench.harness;

import io.propensity.job.AlertRules;
import io.propensity.job.DeadLetterSplit;
import io.propensity.job.ProcessingClock;
import io.propensity.job.PropensityJob;
import io.propensity.job.SourceRecord;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.time.Duration;

/**
 * The four pipelines the harness compares on the same stream. All of them parse every record in the
 * source; the last three are the real {@link PropensityJob} and differ only in the models they are
 * handed.
 */
enum Variant {
    /** Parse, keyBy user, discard: the cost of the plumbing. */
    PASS_THROUGH("pass-through", "parse, keyBy user, discard"),
    /** The job with models that answer 0 without evaluating: state update and feature vector. */
    FEATURES("features only", "state update and feature vector, no scoring"),
    /** The job with the JPMML-Evaluator scorer. */
    JPMML("features + JPMML", "the job, JPMML-Evaluator scorer"),
    /** The job with the compiled scorer (the default). */
    COMPILED("features + compiled", "the job, compiled scorer (production default)");

    static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    static final Duration IDLENESS = Duration.ofSeconds(30);

    final String label;
    final String description;

    Variant(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /**
     * Adds this variant's pipeline to {@code env}.
     *
     * @param compiled the job's rules with the compiled scorer
     * @param jpmml the same rules with the JPMML scorer
     */
    void build(
            StreamExecutionEnvironment env,
            Source<SourceRecord, ?, ?> source,
            AlertRules compiled,
            AlertRules jpmml) {
        switch (this) {
            case PASS_THROUGH -> {
                // the same source, watermarks and dead-letter split as the job, then keyBy and drop
                WatermarkStrategy<SourceRecord> watermarks =
                        WatermarkStrategy.<SourceRecord>forBoundedOutOfOrderness(OUT_OF_ORDERNESS)
                                .withTimestampAssigner(
                                        (record, time) ->
                                                record.isEvent()
                                                        ? record.event().eventTimeMillis()
                                                        : Long.MIN_VALUE)
                                .withIdleness(IDLENESS);
                env.fromSource(source, watermarks, "events")
                        .uid("events-source")
                        .process(new DeadLetterSplit())
                        .uid("route-dead-letters")
                        .keyBy(record -> record.event().userId())
                        .sinkTo(new Probes.CountingSink<>())
                        .uid("discard");
            }
            case FEATURES -> job(source, unevaluated(compiled)).build(env);
            case JPMML -> job(source, jpmml).build(env);
            case COMPILED -> job(source, compiled).build(env);
        }
    }

    static PropensityJob job(Source<SourceRecord, ?, ?> source, AlertRules rules) {
        return new PropensityJob(
                source,
                new Probes.AlertSink(),
                new DiscardingSink<>(),
                new DiscardingSink<>(),
                rules,
                OUT_OF_ORDERNESS,
                IDLENESS,
                ProcessingClock.SYSTEM);
    }

    private static AlertRules unevaluated(AlertRules rules) {
        return new AlertRules(
                rules.purchaseModel().unevaluated(),
                rules.churnModel().unevaluated(),
                rules.scorerKind(),
                rules.purchaseThreshold(),
                rules.churnThreshold(),
                rules.cooldownMillis(),
                rules.schedule(),
                rules.featureConfig());
    }
}
