package io.propensity.features;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * When a quiet user is checked for churn risk: fixed offsets after the user's latest event, for
 * example 1, 2 and 3 days. The training labels its churn examples at exactly these instants and the
 * job schedules its timers at them, so both see the same moments.
 */
public final class InactivitySchedule {

    private final long[] offsetsMillis;

    private InactivitySchedule(long[] offsetsMillis) {
        this.offsetsMillis = offsetsMillis;
    }

    /**
     * A schedule of strictly increasing positive offsets.
     *
     * @throws IllegalArgumentException if the list is empty, not increasing, or not positive
     */
    public static InactivitySchedule of(List<Duration> offsets) {
        if (offsets.isEmpty()) {
            throw new IllegalArgumentException("an inactivity schedule needs at least one offset");
        }
        long[] millis = new long[offsets.size()];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = offsets.get(i).toMillis();
            if (millis[i] <= 0 || (i > 0 && millis[i] <= millis[i - 1])) {
                throw new IllegalArgumentException(
                        "inactivity offsets must be positive and strictly increasing: " + offsets);
            }
        }
        return new InactivitySchedule(millis);
    }

    /**
     * Parses a comma-separated list of ISO-8601 durations or short forms such as {@code 1d}, {@code
     * 36h}, {@code 90m}.
     */
    public static InactivitySchedule parse(String text) {
        List<Duration> offsets = new ArrayList<>();
        for (String part : text.split(",")) {
            offsets.add(Durations.parse(part.trim()));
        }
        return of(offsets);
    }

    /** The offsets, in increasing order. */
    public List<Duration> offsets() {
        List<Duration> list = new ArrayList<>(offsetsMillis.length);
        for (long millis : offsetsMillis) {
            list.add(Duration.ofMillis(millis));
        }
        return Collections.unmodifiableList(list);
    }

    /**
     * The first check after {@code afterMillis} for a user whose latest event is at {@code
     * lastEventMillis}, or {@link Long#MIN_VALUE} when the schedule has no later check.
     */
    public long nextCheck(long lastEventMillis, long afterMillis) {
        for (long offset : offsetsMillis) {
            long check = lastEventMillis + offset;
            if (check > afterMillis) {
                return check;
            }
        }
        return Long.MIN_VALUE;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (long millis : offsetsMillis) {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(Durations.format(Duration.ofMillis(millis)));
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InactivitySchedule
                && java.util.Arrays.equals(
                        offsetsMillis, ((InactivitySchedule) other).offsetsMillis);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(offsetsMillis);
    }
}
