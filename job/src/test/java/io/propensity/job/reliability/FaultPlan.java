package io.propensity.job.reliability;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where and when a {@link FaultInjectingSource} throws, and what it has seen so far. Lives in
 * static fields of the test JVM, which the MiniCluster shares, so that it survives the job's
 * restarts: each fault is thrown once, the record count keeps growing over replays.
 *
 * <p>A fault fires at its point once at least {@code afterRecords} records were emitted (counted
 * over all source subtasks and attempts) and at least one checkpoint has completed, so that every
 * restart recovers from a checkpoint, not from the beginning.
 */
final class FaultPlan {

    /** Where a fault is thrown. */
    enum Point {
        /** While the source emits a record: a task failure in the middle of processing. */
        EMITTING,
        /** In the source reader's {@code snapshotState}: a failure during a checkpoint. */
        SNAPSHOT,
        /**
         * In {@code notifyCheckpointComplete}: after the checkpoint completed, while the sinks
         * commit their transactions.
         */
        CHECKPOINT_COMPLETE
    }

    /** One fault, thrown once. */
    static final class Fault {
        final Point point;
        final long afterRecords;
        final AtomicBoolean fired = new AtomicBoolean();
        volatile long recordsAtFailure;
        volatile long checkpointAtFailure;

        Fault(Point point, long afterRecords) {
            this.point = point;
            this.afterRecords = afterRecords;
        }

        @Override
        public String toString() {
            return point
                    + " after "
                    + afterRecords
                    + " records"
                    + (fired.get()
                            ? " (fired at record "
                                    + recordsAtFailure
                                    + ", latest completed checkpoint "
                                    + checkpointAtFailure
                                    + ")"
                            : " (not fired)");
        }
    }

    /** The exception a fault throws, recognisable in the job's failure history. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }

    private static final Map<String, FaultPlan> PLANS = new ConcurrentHashMap<>();

    final List<Fault> faults;

    /** Every how many records the source sleeps a millisecond, so checkpoints fall in between. */
    final int recordsPerMillisecond;

    final AtomicLong records = new AtomicLong();
    final AtomicLong latestCompletedCheckpoint = new AtomicLong();

    private FaultPlan(int recordsPerMillisecond, List<Fault> faults) {
        this.recordsPerMillisecond = recordsPerMillisecond;
        this.faults = faults;
    }

    static FaultPlan register(String name, int recordsPerMillisecond, Fault... faults) {
        FaultPlan plan = new FaultPlan(recordsPerMillisecond, List.of(faults));
        PLANS.put(name, plan);
        return plan;
    }

    static FaultPlan named(String name) {
        FaultPlan plan = PLANS.get(name);
        if (plan == null) {
            throw new IllegalStateException("no fault plan " + name);
        }
        return plan;
    }

    void onRecord() throws InterruptedException {
        long n = records.incrementAndGet();
        if (recordsPerMillisecond > 0 && n % recordsPerMillisecond == 0) {
            Thread.sleep(1);
        }
        check(Point.EMITTING);
    }

    void onCheckpointComplete(long checkpointId) {
        latestCompletedCheckpoint.accumulateAndGet(checkpointId, Math::max);
        check(Point.CHECKPOINT_COMPLETE);
    }

    void check(Point point) {
        long checkpoint = latestCompletedCheckpoint.get();
        for (Fault fault : faults) {
            if (fault.point == point
                    && checkpoint > 0
                    && records.get() >= fault.afterRecords
                    && fault.fired.compareAndSet(false, true)) {
                fault.recordsAtFailure = records.get();
                fault.checkpointAtFailure = checkpoint;
                throw new InjectedFailure("injected failure: " + fault);
            }
        }
    }
}
