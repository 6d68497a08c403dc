package io.propensity.job;

import io.propensity.job.privacy.PrivacyRules;
import io.propensity.job.privacy.Pseudonymiser;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends parsed events (and erasure requests) on and refused records to the {@link #DEAD_LETTERS}
 * side output, counting both ({@code eventsParsed}, {@code deadLetters}). With {@code
 * --pseudonymise-user-ids} dead letters leave without their raw record (see {@link
 * DeadLetter#pseudonymised}).
 */
public class DeadLetterSplit extends ProcessFunction<SourceRecord, SourceRecord> {

    private static final long serialVersionUID = 1L;

    /** Records that did not parse or broke a limit. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final PrivacyRules privacy;

    private transient Counter eventsParsed;
    private transient Counter deadLetters;
    private transient Pseudonymiser pseudonymiser;

    /** Dead letters keep their raw records. */
    public DeadLetterSplit() {
        this(PrivacyRules.DEFAULT);
    }

    public DeadLetterSplit(PrivacyRules privacy) {
        this.privacy = privacy;
    }

    @Override
    public void open(OpenContext openContext) {
        pseudonymiser = privacy.openPseudonymiser();
        eventsParsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<SourceRecord> out) {
        if (record.isDeadLetter()) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, record.deadLetter().pseudonymised(pseudonymiser));
        } else {
            if (record.isEvent()) {
                eventsParsed.inc();
            }
            out.collect(record);
        }
    }
}
