package io.propensity.job;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends parsed events on and refused records to the {@link #DEAD_LETTERS} side output, counting
 * both ({@code eventsParsed}, {@code deadLetters}).
 */
public class DeadLetterSplit extends ProcessFunction<SourceRecord, SourceRecord> {

    private static final long serialVersionUID = 1L;

    /** Records that did not parse or broke a limit. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private transient Counter eventsParsed;
    private transient Counter deadLetters;

    @Override
    public void open(OpenContext openContext) {
        eventsParsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<SourceRecord> out) {
        if (record.isEvent()) {
            eventsParsed.inc();
            out.collect(record);
        } else {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, record.deadLetter());
        }
    }
}
