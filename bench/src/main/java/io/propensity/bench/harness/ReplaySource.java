package io.propensity.bench.harness;

import io.propensity.job.DeadLetter;
import io.propensity.job.InputLimits;
import io.propensity.job.SourceRecord;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The job's source for harness runs: reads the {@link ReplayedStream} line by line and admits each
 * line with the job's own {@link InputLimits#admitJson}, exactly what the Kafka deserializer does
 * with a record's value, so parsing and the input checks are part of every measurement.
 *
 * <p>Built on Flink's {@link DataGeneratorSource} (one split, optional rate limit). With {@code
 * holdOpen} the source does not finish after the last event: it then emits one idle dead letter
 * every 10 ms, which never reaches user state and never moves the watermark, so the job stays
 * running with every user in state until the harness checkpoints and cancels it (a finished bounded
 * input would advance event time to the end and expire every user).
 */
final class ReplaySource {

    /** The topic name the records claim to come from. */
    static final String TOPIC = "harness.events";

    private ReplaySource() {}

    static DataGeneratorSource<SourceRecord> of(
            long events, double ratePerSecond, boolean holdOpen) {
        long count = holdOpen ? Long.MAX_VALUE : events;
        RateLimiterStrategy rate =
                ratePerSecond > 0
                        ? RateLimiterStrategy.perSecond(ratePerSecond)
                        : RateLimiterStrategy.noOp();
        return new DataGeneratorSource<>(
                new AdmitLine(events), count, rate, TypeInformation.of(SourceRecord.class));
    }

    /** Index to record: the line's bytes through the job's input checks and JSON parser. */
    private static final class AdmitLine implements GeneratorFunction<Long, SourceRecord> {

        private static final long serialVersionUID = 1L;

        private final long events;
        private final InputLimits limits = new InputLimits(InputLimits.DEFAULT_MAX_RECORD_BYTES);
        private transient ReplayedStream stream;

        AdmitLine(long events) {
            this.events = events;
        }

        @Override
        public SourceRecord map(Long index) throws Exception {
            if (stream == null) {
                stream = ReplayedStream.current();
            }
            long i = index;
            if (i < events) {
                return limits.admitJson(stream.line(i), TOPIC, 0, i, System.currentTimeMillis());
            }
            // past the end while holding the job open: a trickle of records that touch no state
            Thread.sleep(10);
            return SourceRecord.ofDeadLetter(
                    new DeadLetter(
                            "harness: end of stream, holding the job open",
                            "",
                            TOPIC,
                            0,
                            i,
                            System.currentTimeMillis()));
        }
    }
}
