package io.propensity.models;

import io.propensity.features.InactivitySchedule;

import java.util.Arrays;

/**
 * The labelling rules of both tasks, as pure functions of event times, so they can be checked by
 * hand without replaying features.
 *
 * <p>Purchase intent: an example at event time {@code t} is positive when the same user has a
 * purchase at a time {@code p} with {@code t < p <= t + horizon}. "After" is strict: a purchase at
 * the very same millisecond (or the purchase event itself) does not count, so a purchase example is
 * never labelled by itself.
 *
 * <p>Churn risk: a check at {@code c} exists only when the user has no event in {@code (last, c]};
 * it is positive (churned) when the user has no event in {@code (c, c + window]}.
 *
 * <p>Censoring: an example whose label window {@code (t, t + horizon]} is not fully inside the data
 * ({@code t + horizon > dataEnd}) is left out, whatever happened in the observed part. Keeping the
 * early positives while leaving out the unknown negatives would inflate the positive rate near the
 * end of the data.
 */
public final class Labels {

    private Labels() {}

    /** What the data says about one example. */
    public enum Outcome {
        POSITIVE,
        NEGATIVE,
        CENSORED
    }

    /**
     * The purchase-intent label of an example at {@code eventMillis}.
     *
     * @param purchaseMillis the user's purchase times, sorted ascending
     */
    public static Outcome purchaseWithin(
            long eventMillis, long[] purchaseMillis, long horizonMillis, long dataEndMillis) {
        long windowEnd = eventMillis + horizonMillis;
        if (windowEnd > dataEndMillis) {
            return Outcome.CENSORED;
        }
        long next = firstAfter(purchaseMillis, eventMillis);
        return next != Long.MAX_VALUE && next <= windowEnd ? Outcome.POSITIVE : Outcome.NEGATIVE;
    }

    /** The smallest value strictly greater than {@code millis}, or {@link Long#MAX_VALUE}. */
    static long firstAfter(long[] sortedMillis, long millis) {
        int index = Arrays.binarySearch(sortedMillis, millis);
        if (index < 0) {
            index = -index - 1;
        } else {
            // skip every copy of millis itself
            while (index < sortedMillis.length && sortedMillis[index] == millis) {
                index++;
            }
        }
        return index < sortedMillis.length ? sortedMillis[index] : Long.MAX_VALUE;
    }

    /** Receives the churn checks after one quiet period. */
    @FunctionalInterface
    public interface CheckListener {
        /** A check at {@code checkMillis} with its outcome (never called past the data end). */
        void onCheck(long checkMillis, Outcome outcome);
    }

    /**
     * The churn checks between a user's event at {@code lastEventMillis} and their next event at
     * {@code nextEventMillis} ({@link Long#MAX_VALUE} when there is none in the data), in schedule
     * order. Checks after the data end are not reported: the data cannot tell whether they would
     * have happened.
     */
    public static void churnChecks(
            long lastEventMillis,
            long nextEventMillis,
            InactivitySchedule schedule,
            long windowMillis,
            long dataEndMillis,
            CheckListener listener) {
        long after = lastEventMillis;
        while (true) {
            long check = schedule.nextCheck(lastEventMillis, after);
            if (check == Long.MIN_VALUE || check > dataEndMillis || nextEventMillis <= check) {
                return;
            }
            Outcome outcome;
            if (check + windowMillis > dataEndMillis) {
                outcome = Outcome.CENSORED;
            } else {
                outcome =
                        nextEventMillis > check + windowMillis
                                ? Outcome.POSITIVE
                                : Outcome.NEGATIVE;
            }
            listener.onCheck(check, outcome);
            after = check;
        }
    }
}
