package io.propensity.bench.synthetic;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Computes the {@link SyntheticProfile.Behaviour} part of a profile from real events with complete
 * per-user histories: events per user, sessions (split on a gap), gaps within and between sessions,
 * the event-type mix and the type-to-type transitions within sessions.
 *
 * <p>Events may arrive in any order: they are grouped by user and sorted by time (stably, so ties
 * keep their input order) before anything is counted. It holds every accepted event in memory
 * (about 60 bytes each), which suits the small calibration files in {@code data/} (about 100,000
 * events); it is not meant for full-size logs. Not thread-safe.
 */
public final class BehaviourCalibrator {

    private static final int TYPES = EventType.count();

    private final Duration sessionGap;
    private final Instant windowStart;
    private final Instant windowEnd;
    private final Map<String, List<Step>> byUser = new HashMap<>();
    private long outsideWindow;

    /**
     * @param sessionGap a gap of at least this long between a user's events starts a new session
     * @param windowStart events before this instant are left out, or {@code null} for no bound
     * @param windowEnd events at or after this instant are left out, or {@code null} for no bound
     */
    public BehaviourCalibrator(Duration sessionGap, Instant windowStart, Instant windowEnd) {
        this.sessionGap = Objects.requireNonNull(sessionGap, "sessionGap");
        if (sessionGap.isNegative() || sessionGap.isZero()) {
            throw new IllegalArgumentException("session gap must be positive, was " + sessionGap);
        }
        if (windowStart != null && windowEnd != null && !windowStart.isBefore(windowEnd)) {
            throw new IllegalArgumentException(
                    "calibration window start "
                            + windowStart
                            + " is not before its end "
                            + windowEnd);
        }
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
    }

    /** Takes one event; returns {@code false} (and counts it) when it is outside the window. */
    public boolean accept(ShopperEvent event) {
        long time = event.eventTimeMillis();
        if ((windowStart != null && time < windowStart.toEpochMilli())
                || (windowEnd != null && time >= windowEnd.toEpochMilli())) {
            outsideWindow++;
            return false;
        }
        byUser.computeIfAbsent(event.userId(), user -> new ArrayList<>())
                .add(new Step(time, event.type(), event.productId()));
        return true;
    }

    /** Events left out because they were outside the window. */
    public long outsideWindow() {
        return outsideWindow;
    }

    /**
     * The statistics of everything accepted so far.
     *
     * @throws IllegalStateException when no event was accepted, or when no user has two events
     *     within or between sessions (gaps would be undefined)
     */
    public SyntheticProfile.Behaviour result() {
        if (byUser.isEmpty()) {
            throw new IllegalStateException("no events to calibrate behaviour on");
        }
        long gapMillis = sessionGap.toMillis();
        List<Double> eventsPerUser = new ArrayList<>();
        List<Double> eventsPerSession = new ArrayList<>();
        List<Double> gapsWithin = new ArrayList<>();
        List<Double> gapsBetween = new ArrayList<>();
        long[] typeCounts = new long[TYPES];
        long[] sessionStarts = new long[TYPES];
        long[][] transitions = new long[TYPES][TYPES];
        long[] repeats = new long[TYPES];
        long[] repeatCandidates = new long[TYPES];
        long events = 0;
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;

        for (List<Step> steps : byUser.values()) {
            steps.sort(Comparator.comparingLong(Step::time));
            eventsPerUser.add((double) steps.size());
            events += steps.size();
            minTime = Math.min(minTime, steps.get(0).time());
            maxTime = Math.max(maxTime, steps.get(steps.size() - 1).time());
            int sessionLength = 0;
            Step previous = null;
            Set<String> sessionProducts = new HashSet<>();
            for (Step step : steps) {
                typeCounts[step.type().ordinal()]++;
                long gap = previous == null ? Long.MAX_VALUE : step.time() - previous.time();
                if (gap >= gapMillis) {
                    if (previous != null) {
                        gapsBetween.add((double) gap);
                        eventsPerSession.add((double) sessionLength);
                    }
                    sessionLength = 0;
                    sessionProducts.clear();
                    sessionStarts[step.type().ordinal()]++;
                } else {
                    gapsWithin.add((double) gap);
                    transitions[previous.type().ordinal()][step.type().ordinal()]++;
                    // only events with a known product can say anything about repeats
                    if (step.product() != null && !sessionProducts.isEmpty()) {
                        repeatCandidates[step.type().ordinal()]++;
                        if (sessionProducts.contains(step.product())) {
                            repeats[step.type().ordinal()]++;
                        }
                    }
                }
                if (step.product() != null) {
                    sessionProducts.add(step.product());
                }
                sessionLength++;
                previous = step;
            }
            eventsPerSession.add((double) sessionLength);
        }
        if (gapsWithin.isEmpty() || gapsBetween.isEmpty()) {
            throw new IllegalStateException(
                    "calibration needs users with several events both within and across sessions"
                            + " (within-session gaps: "
                            + gapsWithin.size()
                            + ", between-session gaps: "
                            + gapsBetween.size()
                            + ")");
        }

        Map<String, Map<String, Double>> transitionShares = new LinkedHashMap<>();
        Map<String, Double> repeatShares = new LinkedHashMap<>();
        for (EventType from : EventType.values()) {
            long[] row = transitions[from.ordinal()];
            // a type never followed within a session has no row: the generator then starts from
            // the session-start mix
            if (sum(row) > 0) {
                transitionShares.put(from.wireName(), shares(row));
            }
            long candidates = repeatCandidates[from.ordinal()];
            repeatShares.put(
                    from.wireName(),
                    candidates == 0 ? 0.0 : round6((double) repeats[from.ordinal()] / candidates));
        }
        long windowMillis =
                windowStart != null && windowEnd != null
                        ? windowEnd.toEpochMilli() - windowStart.toEpochMilli()
                        : maxTime - minTime;
        return new SyntheticProfile.Behaviour(
                windowStart == null ? null : windowStart.toString(),
                windowEnd == null ? null : windowEnd.toString(),
                windowMillis,
                gapMillis,
                byUser.size(),
                events,
                eventsPerSession.size(),
                Quantiles.ofSample(toArray(eventsPerUser), 3),
                Quantiles.ofSample(toArray(eventsPerSession), 3),
                Quantiles.ofSample(toArray(gapsWithin), 1),
                Quantiles.ofSample(toArray(gapsBetween), 1),
                shares(typeCounts),
                shares(sessionStarts),
                transitionShares,
                repeatShares);
    }

    /** Shares per type (wire names, enum order), rounded to 6 decimals. */
    static Map<String, Double> shares(long[] counts) {
        long total = sum(counts);
        Map<String, Double> shares = new LinkedHashMap<>();
        for (EventType type : EventType.values()) {
            shares.put(
                    type.wireName(),
                    total == 0 ? 0.0 : round6((double) counts[type.ordinal()] / total));
        }
        return shares;
    }

    static double round6(double value) {
        return Math.round(value * 1e6) / 1e6;
    }

    private static long sum(long[] values) {
        long sum = 0;
        for (long value : values) {
            sum += value;
        }
        return sum;
    }

    private static double[] toArray(List<Double> values) {
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private record Step(long time, EventType type, String product) {}
}
