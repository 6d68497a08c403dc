package io.propensity.models;

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

    /**
     * The churn-risk label of a check at {@code checkMillis}: churned when the user's next event
     * after the check (the smallest of {@code eventMillis} above it) is more than {@code
     * windowMillis} later, or there is none. Which checks exist is the replay's business ({@link
     * io.propensity.features.FeatureReplay}, the job's rules); this only labels them.
     *
     * @param eventMillis the user's event times, sorted ascending
     */
    public static Outcome churnedAfter(
            long checkMillis, long[] eventMillis, long windowMillis, long dataEndMillis) {
        long windowEnd = checkMillis + windowMillis;
        if (windowEnd > dataEndMillis) {
            return Outcome.CENSORED;
        }
        return firstAfter(eventMillis, checkMillis) > windowEnd
                ? Outcome.POSITIVE
                : Outcome.NEGATIVE;
    }
}
