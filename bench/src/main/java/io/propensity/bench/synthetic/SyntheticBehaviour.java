package io.propensity.bench.synthetic;

import io.propensity.features.EventType;

import java.util.Map;

/**
 * The behaviour part of a profile turned into samplers: each method maps uniform numbers to one
 * random quantity of a synthetic user's life. Thread-safe (immutable).
 */
final class SyntheticBehaviour {

    private static final int TYPES = EventType.count();

    private final Quantiles eventsPerUser;
    private final Quantiles eventsPerSession;
    private final Quantiles gapWithin;
    private final Quantiles gapBetween;
    private final long sessionGapMillis;
    private final double[] sessionStartCumulative;
    private final double[][] transitionCumulative;
    private final double[] productSeenEarlier;

    SyntheticBehaviour(SyntheticProfile.Behaviour profile) {
        this.eventsPerUser = profile.eventsPerUser();
        this.eventsPerSession = profile.eventsPerSession();
        this.gapWithin = profile.gapWithinSessionMillis();
        this.gapBetween = profile.gapBetweenSessionsMillis();
        this.sessionGapMillis = profile.sessionGapMillis();
        this.sessionStartCumulative = cumulative(profile.sessionStartMix(), "session_start_mix");
        this.transitionCumulative = new double[TYPES][];
        this.productSeenEarlier = new double[TYPES];
        for (EventType type : EventType.values()) {
            Map<String, Double> row = profile.transitions().get(type.wireName());
            // a type never followed by another in the real sessions starts afresh
            transitionCumulative[type.ordinal()] =
                    row == null
                            ? sessionStartCumulative
                            : cumulative(row, "transitions." + type.wireName());
            productSeenEarlier[type.ordinal()] =
                    profile.productSeenEarlierInSession().getOrDefault(type.wireName(), 0.0);
        }
    }

    /** Mean events per user of the profile's distribution. */
    double meanEventsPerUser() {
        return eventsPerUser.mean();
    }

    int eventsPerUser(double u) {
        return (int) Math.max(1, Math.round(eventsPerUser.sample(u)));
    }

    int eventsPerSession(double u) {
        return (int) Math.max(1, Math.round(eventsPerSession.sample(u)));
    }

    /** A gap within a session: always shorter than the session gap. */
    long gapWithinSession(double u) {
        return Math.min(sessionGapMillis - 1, Math.max(0, Math.round(gapWithin.sample(u))));
    }

    /** A gap between sessions: always at least the session gap. */
    long gapBetweenSessions(double u) {
        return Math.max(sessionGapMillis, Math.round(gapBetween.sample(u)));
    }

    int sessionStartType(double u) {
        return pick(sessionStartCumulative, u);
    }

    int nextType(int current, double u) {
        return pick(transitionCumulative[current], u);
    }

    /** Probability that an event of this type concerns a product seen earlier in the session. */
    double productSeenEarlierInSession(int type) {
        return productSeenEarlier[type];
    }

    private static int pick(double[] cumulative, double u) {
        for (int i = 0; i < cumulative.length - 1; i++) {
            if (u < cumulative[i]) {
                return i;
            }
        }
        // the last type with a positive share takes the rounding remainder
        int last = cumulative.length - 1;
        while (last > 0 && cumulative[last] == cumulative[last - 1]) {
            last--;
        }
        return last;
    }

    private static double[] cumulative(Map<String, Double> shares, String field) {
        double[] cumulative = new double[TYPES];
        double total = 0;
        for (EventType type : EventType.values()) {
            double share = shares.getOrDefault(type.wireName(), 0.0);
            if (!(share >= 0)) {
                throw new IllegalArgumentException(
                        "profile field "
                                + field
                                + "."
                                + type.wireName()
                                + " is negative: "
                                + share);
            }
            total += share;
            cumulative[type.ordinal()] = total;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("profile field " + field + " has no positive share");
        }
        for (int i = 0; i < TYPES; i++) {
            cumulative[i] /= total;
        }
        return cumulative;
    }
}
