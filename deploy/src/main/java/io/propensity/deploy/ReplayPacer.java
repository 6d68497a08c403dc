package io.propensity.deploy;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Spaces out a replay so that event time passes {@code speedUp} times faster than wall time: with a
 * speed-up of 3600, an hour of events takes a second. The first event fixes both origins; an event
 * that is due already (or older than its predecessor) is sent at once, so a replay never reorders
 * and never falls behind by sleeping. A speed-up of 0 means as fast as possible.
 */
final class ReplayPacer {

    /** Sleeps; a seam for tests. */
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double speedUp;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private boolean started;
    private long firstEventMillis;
    private long startNanos;

    ReplayPacer(double speedUp, LongSupplier nanoClock, Sleeper sleeper) {
        if (!(speedUp >= 0) || Double.isInfinite(speedUp)) {
            throw new IllegalArgumentException(
                    "speed-up must be a finite number >= 0 (0 = as fast as possible), was "
                            + speedUp);
        }
        this.speedUp = speedUp;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    /** A pacer on the system clock. */
    static ReplayPacer withSystemClock(double speedUp) {
        return new ReplayPacer(speedUp, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    /** Waits until an event with this time is due. */
    void awaitTurn(long eventTimeMillis) throws InterruptedException {
        long delay = delayNanos(eventTimeMillis);
        if (delay > 0) {
            sleeper.sleepNanos(delay);
        }
    }

    /** How long to wait before the event with this time is due; 0 or less means now. */
    long delayNanos(long eventTimeMillis) {
        if (speedUp == 0) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        if (!started) {
            started = true;
            firstEventMillis = eventTimeMillis;
            startNanos = now;
            return 0;
        }
        double eventOffsetNanos = (eventTimeMillis - firstEventMillis) * 1_000_000.0;
        long dueNanos = startNanos + Math.round(eventOffsetNanos / speedUp);
        return dueNanos - now;
    }
}
