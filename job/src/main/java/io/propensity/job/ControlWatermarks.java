package io.propensity.job;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The watermark strategy of the control inputs (the models control topic or directory, and the
 * erasure requests): always idle, never a watermark.
 *
 * <p>A control input joins the events (a union before the keyBy, or the per-user function's second
 * input), and event time downstream is the minimum of the inputs' watermarks over the inputs that
 * are not idle. A control input without watermarks would hold event time (and every inactivity
 * check) back until it went idle, after the idleness timeout, on every start and restore; one that
 * emitted the maximum watermark would fire every timer as soon as the events went idle. Declared
 * idle from the start, it takes no part, and event time is the events' alone.
 */
public final class ControlWatermarks {

    private ControlWatermarks() {}

    /** The strategy; records keep no timestamps (the control messages have no event time). */
    public static <T> WatermarkStrategy<T> alwaysIdle() {
        return WatermarkStrategy.forGenerator(context -> new Idle<T>());
    }

    private static final class Idle<T> implements WatermarkGenerator<T> {

        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
            output.markIdle();
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
        }
    }
}
