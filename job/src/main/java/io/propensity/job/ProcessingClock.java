package io.propensity.job;

import java.io.Serializable;

/**
 * The wall clock the job reads for processing-time facts: {@code emitted_at} of alerts, {@code
 * received_at} of dead letters, and the "too far in the future" bound on event timestamps. Event
 * time never comes from here. Tests hand the job a fixed clock so those fields are predictable.
 */
@FunctionalInterface
public interface ProcessingClock extends Serializable {

    /** The system clock. */
    ProcessingClock SYSTEM = System::currentTimeMillis;

    /** Now, in epoch milliseconds. */
    long millis();
}
