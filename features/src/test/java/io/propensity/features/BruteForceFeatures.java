package io.propensity.features;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The reference for {@link UserActivity}: keeps every raw event and recomputes each feature from
 * the whole list, straight from the definitions, with java.time for calendars. Slow and obviously
 * correct; nothing is shared with the production code except the schema's indices.
 */
final class BruteForceFeatures {

    private final FeatureConfig config;
    private final List<ShopperEvent> accepted = new ArrayList<>();
    private final Set<List<Object>> seen = new HashSet<>();
    private long latest = Long.MIN_VALUE;

    BruteForceFeatures(FeatureConfig config) {
        this.config = config;
    }

    /**
     * The outcome by the definitions: too old is late, the same time, type and product twice is a
     * duplicate.
     */
    ApplyOutcome apply(ShopperEvent event) {
        if (!accepted.isEmpty()
                && event.eventTimeMillis() < latest - config.allowedLateness().toMillis()) {
            return ApplyOutcome.LATE;
        }
        List<Object> key =
                List.of(event.eventTimeMillis(), event.type(), Objects.toString(event.productId()));
        if (!seen.add(key)) {
            return ApplyOutcome.DUPLICATE;
        }
        accepted.add(event);
        latest = Math.max(latest, event.eventTimeMillis());
        return ApplyOutcome.APPLIED;
    }

    List<ShopperEvent> accepted() {
        return accepted;
    }

    /** Bucket index of a time at a fixed width in milliseconds. */
    private static long bucket(long time, long width) {
        return Math.floorDiv(time, width);
    }

    private long localDay(long time) {
        return Instant.ofEpochMilli(time).atZone(config.zone()).toLocalDate().toEpochDay();
    }

    /**
     * Whether {@code time} falls in the window of {@code n} buckets of {@code width} ending at the
     * bucket of {@code asOf}.
     */
    private static boolean inWindow(long time, long asOf, long width, int n) {
        return time <= asOf && bucket(time, width) > bucket(asOf, width) - n;
    }

    private boolean inDayWindow(long time, long asOf, int n) {
        return time <= asOf && localDay(time) > localDay(asOf) - n;
    }

    /** Events of a type in the exact sliding window (asOf - length, asOf]. */
    long exactCount(EventType type, long asOf, long length) {
        return accepted.stream()
                .filter(e -> e.type() == type)
                .filter(e -> e.eventTimeMillis() <= asOf && e.eventTimeMillis() > asOf - length)
                .count();
    }

    /**
     * The features by the documented definitions. Session features assume the events arrived in
     * time order (the documented limitation for late events is tested elsewhere).
     */
    double[] features(long asOfMillis) {
        double[] out = FeatureSchema.newVector();
        long last =
                accepted.stream()
                        .mapToLong(ShopperEvent::eventTimeMillis)
                        .max()
                        .orElse(Long.MIN_VALUE);
        long t = accepted.isEmpty() ? asOfMillis : Math.max(asOfMillis, last);
        long minute = 60_000L;
        long hour = 3_600_000L;

        EventType[] types = EventType.values();
        for (int k = 0; k < types.length; k++) {
            EventType type = types[k];
            out[k * 4] =
                    count(e -> e.type() == type && inWindow(e.eventTimeMillis(), t, minute, 60));
            out[k * 4 + 1] =
                    count(e -> e.type() == type && inWindow(e.eventTimeMillis(), t, hour, 24));
            out[k * 4 + 2] =
                    count(e -> e.type() == type && inWindow(e.eventTimeMillis(), t, hour, 168));
            out[k * 4 + 3] =
                    count(e -> e.type() == type && inDayWindow(e.eventTimeMillis(), t, 28));
        }

        // sessions, replayed in arrival order
        List<long[]> sessions = new ArrayList<>(); // start, last, events, views, carts
        String currentId = null;
        long previous = Long.MIN_VALUE;
        for (ShopperEvent e : accepted) {
            long time = e.eventTimeMillis();
            boolean starts =
                    sessions.isEmpty()
                            || (e.sessionId() != null
                                    ? !e.sessionId().equals(currentId)
                                    : currentId != null
                                            || time - previous > config.sessionGap().toMillis());
            if (starts) {
                sessions.add(new long[] {time, time, 0, 0, 0});
                currentId = e.sessionId();
            }
            long[] s = sessions.get(sessions.size() - 1);
            s[1] = Math.max(s[1], time);
            s[2]++;
            s[3] += e.type() == EventType.VIEW ? 1 : 0;
            s[4] += e.type() == EventType.CART ? 1 : 0;
            previous = Math.max(previous, time);
        }
        out[FeatureSchema.SESSIONS_7D] =
                sessions.stream().filter(s -> inWindow(s[0], t, hour, 168)).count();
        out[FeatureSchema.SESSIONS_28D] =
                sessions.stream().filter(s -> inDayWindow(s[0], t, 28)).count();
        out[FeatureSchema.ACTIVE_DAYS_28D] =
                accepted.stream()
                        .filter(e -> inDayWindow(e.eventTimeMillis(), t, 28))
                        .mapToLong(e -> localDay(e.eventTimeMillis()))
                        .distinct()
                        .count();

        boolean open = !accepted.isEmpty() && t - last <= config.sessionGap().toMillis();
        long[] current = sessions.isEmpty() ? new long[5] : sessions.get(sessions.size() - 1);
        out[FeatureSchema.SESSION_EVENTS] = open ? current[2] : 0;
        out[FeatureSchema.SESSION_DURATION_SECONDS] = open ? (last - current[0]) / 1000.0 : 0;
        out[FeatureSchema.SESSION_VIEWS] = open ? current[3] : 0;
        out[FeatureSchema.SESSION_CARTS] = open ? current[4] : 0;

        out[FeatureSchema.SECONDS_SINCE_PREVIOUS_EVENT] =
                secondsSince(
                        t,
                        accepted.stream()
                                .mapToLong(ShopperEvent::eventTimeMillis)
                                .filter(x -> x < t)
                                .max()
                                .orElse(Long.MIN_VALUE));
        out[FeatureSchema.SECONDS_SINCE_LAST_CART] = secondsSince(t, latestOf(EventType.CART));
        out[FeatureSchema.SECONDS_SINCE_LAST_PURCHASE] =
                secondsSince(t, latestOf(EventType.PURCHASE));
        out[FeatureSchema.TENURE_SECONDS] =
                secondsSince(
                        t,
                        accepted.stream()
                                .mapToLong(ShopperEvent::eventTimeMillis)
                                .min()
                                .orElse(Long.MIN_VALUE));

        List<ShopperEvent> purchases28d =
                accepted.stream()
                        .filter(
                                e ->
                                        e.type() == EventType.PURCHASE
                                                && inDayWindow(e.eventTimeMillis(), t, 28))
                        .toList();
        out[FeatureSchema.PURCHASE_VALUE_28D] =
                purchases28d.stream().anyMatch(e -> !e.hasPrice())
                        ? Double.NaN
                        : purchases28d.stream().mapToDouble(ShopperEvent::price).sum();
        out[FeatureSchema.MEAN_VIEW_PRICE_24H] =
                accepted.stream()
                        .filter(
                                e ->
                                        e.type() == EventType.VIEW
                                                && e.hasPrice()
                                                && inWindow(e.eventTimeMillis(), t, hour, 24))
                        .mapToDouble(ShopperEvent::price)
                        .average()
                        .orElse(Double.NaN);
        out[FeatureSchema.VIEW_TO_CART_RATIO_7D] =
                divide(out[FeatureSchema.CART_COUNT_7D], out[FeatureSchema.VIEW_COUNT_7D]);
        out[FeatureSchema.VIEW_TO_CART_RATIO_28D] =
                divide(out[FeatureSchema.CART_COUNT_28D], out[FeatureSchema.VIEW_COUNT_28D]);
        out[FeatureSchema.CART_TO_PURCHASE_RATIO_7D] =
                divide(out[FeatureSchema.PURCHASE_COUNT_7D], out[FeatureSchema.CART_COUNT_7D]);
        out[FeatureSchema.CART_TO_PURCHASE_RATIO_28D] =
                divide(out[FeatureSchema.PURCHASE_COUNT_28D], out[FeatureSchema.CART_COUNT_28D]);

        double recent = count(e -> inWindow(e.eventTimeMillis(), t, hour, 168));
        double before =
                count(
                        e ->
                                inWindow(e.eventTimeMillis(), t, hour, 336)
                                        && !inWindow(e.eventTimeMillis(), t, hour, 168));
        out[FeatureSchema.ACTIVITY_TREND_7D] = divide(recent - before, recent + before);

        ZonedDateTime local = Instant.ofEpochMilli(t).atZone(config.zone());
        out[FeatureSchema.HOUR_OF_DAY] = local.getHour();
        out[FeatureSchema.DAY_OF_WEEK] = local.getDayOfWeek().getValue();
        return out;
    }

    private double count(java.util.function.Predicate<ShopperEvent> filter) {
        return accepted.stream().filter(filter).count();
    }

    private long latestOf(EventType type) {
        return accepted.stream()
                .filter(e -> e.type() == type)
                .mapToLong(ShopperEvent::eventTimeMillis)
                .max()
                .orElse(Long.MIN_VALUE);
    }

    private static double secondsSince(long now, long then) {
        return then == Long.MIN_VALUE ? Double.NaN : (now - then) / 1000.0;
    }

    private static double divide(double numerator, double denominator) {
        return denominator == 0 ? Double.NaN : numerator / denominator;
    }
}
