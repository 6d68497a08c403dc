package io.propensity.job.lifecycle;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The watermark strategy of the models control topic: always idle, never a watermark.
 *
 * <p>The per-user function has two inputs, and its event time is the minimum of both inputs'
 * watermarks over the inputs that are not idle. A control topic without watermarks would hold event
 * time (and every inactivity check) back forever; one that emitted the maximum watermark would fire
 * every timer as soon as the events went idle. Declared idle, it takes no part, and event time is
 * the events' alone, as it was with one input.
 */
public final class ModelControlWatermarks {

    private ModelControlWatermarks() {}

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
