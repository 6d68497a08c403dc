package io.propensity.features;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Random event sequences through {@link UserActivity} against {@link BruteForceFeatures}: equal
 * outcomes, and features equal to the bucket-aligned definitions (prices within rounding), and the
 * counts between the exact sliding windows one bucket shorter and full length.
 */
class UserActivityPropertiesTest {

    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    /** Builds a sequence in time order: mixed gaps, a few exact resends, optional session ids. */
    static List<ShopperEvent> sequence(long seed, int length, boolean sessionIds) {
        Random random = new Random(seed);
        long time = 1_700_000_000_000L + random.nextInt(1_000_000_000);
        List<ShopperEvent> events = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            if (!events.isEmpty() && random.nextInt(10) == 0) {
                events.add(events.get(events.size() - 1)); // a producer resend
                continue;
            }
            switch (random.nextInt(5)) {
                case 0:
                    time += random.nextInt(5) * 1000L;
                    break;
                case 1:
                    time += random.nextInt(40) * MINUTE + random.nextInt(60_000);
                    break;
                case 2:
                    time += random.nextInt(30) * HOUR + random.nextInt(3_600_000);
                    break;
                case 3:
                    time += random.nextInt(9) * DAY + random.nextInt(86_400_000);
                    break;
                default:
                    time += random.nextInt(120_000);
                    break;
            }
            EventType type = EventType.ofOrdinal(random.nextInt(EventType.count()));
            String session = sessionIds && random.nextInt(4) > 0 ? "s" + random.nextInt(3) : null;
            String product = random.nextInt(8) == 0 ? null : "p" + random.nextInt(4);
            double price = random.nextInt(4) == 0 ? Double.NaN : random.nextInt(10_000) / 100.0;
            events.add(new ShopperEvent("u", time, type, session, product, "c", null, null, price));
        }
        return events;
    }

    @Provide
    Arbitrary<FeatureConfig> configs() {
        return Combinators.combine(
                        Arbitraries.of(Duration.ofMinutes(30), Duration.ofMinutes(5)),
                        Arbitraries.of(Duration.ofMinutes(10), Duration.ZERO, Duration.ofHours(3)),
                        Arbitraries.of(
                                ZoneId.of("UTC"),
                                ZoneId.of("Asia/Shanghai"),
                                ZoneId.of("America/New_York")))
                .as(
                        (gap, lateness, zone) ->
                                new FeatureConfig(
                                        gap, lateness, FeatureConfig.DEFAULT_RETENTION, zone));
    }

    @Property(tries = 150)
    void shouldMatchTheBruteForceReferenceOnInOrderSequences(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 60) int length,
            @ForAll boolean sessionIds,
            @ForAll("configs") FeatureConfig config) {
        List<ShopperEvent> events = sequence(seed, length, sessionIds);
        UserActivity state = UserActivity.empty();
        BruteForceFeatures reference = new BruteForceFeatures(config);
        double[] actual = FeatureSchema.newVector();

        for (ShopperEvent event : events) {
            assertThat(state.apply(event, config)).isEqualTo(reference.apply(event));
            state.features(state.lastEventMillis(), config, actual);
            assertSameFeatures(actual, reference.features(state.lastEventMillis()), true);
        }
        Random random = new Random(seed);
        for (int i = 0; i < 5; i++) {
            long asOf = state.lastEventMillis() + (long) (random.nextDouble() * 40 * DAY);
            state.features(asOf, config, actual);
            assertSameFeatures(actual, reference.features(asOf), true);
            assertWithinBucketError(actual, reference, asOf);
        }
        assertThat(UserActivity.fromBytes(state.toBytes())).isEqualTo(state);
    }

    @Property(tries = 150)
    void shouldMatchTheReferenceWindowsWhenEventsArriveOutOfOrder(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 60) int length,
            @ForAll("configs") FeatureConfig config) {
        // jitter each event back by up to 15 minutes: some land within the lateness, some beyond
        Random random = new Random(~seed);
        List<ShopperEvent> events = new ArrayList<>();
        for (ShopperEvent e : sequence(seed, length, false)) {
            long jitter = random.nextInt(3) == 0 ? random.nextInt(15 * 60_000) : 0;
            events.add(
                    new ShopperEvent(
                            e.userId(),
                            e.eventTimeMillis() - jitter,
                            e.type(),
                            null,
                            e.productId(),
                            e.categoryId(),
                            null,
                            null,
                            e.price()));
        }
        UserActivity state = UserActivity.empty();
        BruteForceFeatures reference = new BruteForceFeatures(config);
        double[] actual = FeatureSchema.newVector();

        for (ShopperEvent event : events) {
            assertThat(state.apply(event, config)).isEqualTo(reference.apply(event));
            state.features(state.lastEventMillis(), config, actual);
            assertSameFeatures(actual, reference.features(state.lastEventMillis()), false);
        }
        long asOf = state.lastEventMillis() + (long) (random.nextDouble() * 20 * DAY);
        state.features(asOf, config, actual);
        assertSameFeatures(actual, reference.features(asOf), false);
        assertWithinBucketError(actual, reference, asOf);
    }

    private static void assertSameFeatures(double[] actual, double[] expected, boolean sessions) {
        for (int i = 0; i < actual.length; i++) {
            String name = FeatureSchema.names().get(i);
            if (!sessions && (name.startsWith("session") || name.startsWith("sessions"))) {
                continue;
            }
            if (Double.isNaN(expected[i])) {
                assertThat(actual[i]).as(name).isNaN();
            } else if (i == FeatureSchema.PURCHASE_VALUE_28D
                    || i == FeatureSchema.MEAN_VIEW_PRICE_24H) {
                // sums in another order: equal up to rounding
                assertThat(actual[i])
                        .as(name)
                        .isCloseTo(expected[i], within(1e-9 * Math.max(1, expected[i])));
            } else {
                assertThat(actual[i]).as(name).isEqualTo(expected[i]);
            }
        }
    }

    /**
     * The documented edge error: never more than the exact window, never less than one bucket
     * shorter.
     */
    private static void assertWithinBucketError(
            double[] actual, BruteForceFeatures reference, long asOf) {
        long[] lengths = {HOUR, DAY, 7 * DAY};
        long[] widths = {MINUTE, HOUR, HOUR};
        for (EventType type : EventType.values()) {
            for (int w = 0; w < lengths.length; w++) {
                double value = actual[type.ordinal() * 4 + w];
                assertThat(value)
                        .isLessThanOrEqualTo(reference.exactCount(type, asOf, lengths[w]))
                        .isGreaterThanOrEqualTo(
                                reference.exactCount(type, asOf, lengths[w] - widths[w]));
            }
        }
    }
}
