package io.propensity.bench.harness;

/**
 * What one timed run measured.
 *
 * @param name what ran
 * @param events events in the stream
 * @param wallNanos from the first event entering the source to the end of the job (0 if unknown)
 * @param submitToEndNanos from job submission to the end of the job (includes start-up)
 * @param cpuNanos process CPU time over the {@code wallNanos} window (every thread of this JVM)
 * @param alerts records that reached the harness's sink: alerts, or every event for the
 *     pass-through
 * @param loadBefore the machine's 1-minute load average before the run
 * @param loadAfter the same after the run
 */
record RunResult(
        String name,
        long events,
        long wallNanos,
        long submitToEndNanos,
        long cpuNanos,
        long alerts,
        double loadBefore,
        double loadAfter) {

    /** Events per wall-clock second, first event to end. */
    double eventsPerSecond() {
        return wallNanos == 0 ? Double.NaN : events * 1e9 / wallNanos;
    }

    /** Events per second of process CPU time: the per-core rate. */
    double eventsPerCpuSecond() {
        return cpuNanos <= 0 ? Double.NaN : events * 1e9 / cpuNanos;
    }

    /** Events per wall-clock second, submission to end. */
    double eventsPerSecondFromSubmit() {
        return events * 1e9 / submitToEndNanos;
    }

    /** Cores kept busy on average. */
    double coresUsed() {
        return wallNanos == 0 || cpuNanos <= 0 ? Double.NaN : (double) cpuNanos / wallNanos;
    }
}
