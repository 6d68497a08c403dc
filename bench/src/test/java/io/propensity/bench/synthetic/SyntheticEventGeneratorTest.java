package io.propensity.bench.synthetic;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Checks the synthetic stream against the committed profile with statistics computed here
 * independently (nearest-rank quantiles over plain lists), not with the calibration code.
 */
class SyntheticEventGeneratorTest {

    private static final SyntheticProfile PROFILE = SyntheticProfile.load();

    /** About 200,000 events: 2,000 users with complete histories. */
    private static List<ShopperEvent> stream;

    @BeforeAll
    static void generate() {
        stream = drain(settings(2_000, 42));
    }

    @Test
    void shouldMatchTheRealEventMixWithinTwoPercentagePoints() {
        Map<EventType, Integer> counts = new EnumMap<>(EventType.class);
        stream.forEach(event -> counts.merge(event.type(), 1, Integer::sum));
        for (EventType type : EventType.values()) {
            double share = counts.getOrDefault(type, 0) / (double) stream.size();
            assertThat(share)
                    .as("share of %s", type.wireName())
                    .isCloseTo(PROFILE.behaviour().eventMix().get(type.wireName()), within(0.02));
        }
        assertThat(counts).doesNotContainKey(EventType.REMOVE_FROM_CART);
    }

    @Test
    void shouldMatchTheRealEventsPerUserWithinTenPercent() {
        Map<String, Integer> perUser = new HashMap<>();
        stream.forEach(event -> perUser.merge(event.userId(), 1, Integer::sum));
        List<Double> counts = new ArrayList<>();
        perUser.values().forEach(n -> counts.add((double) n));

        assertThat(perUser).hasSize(2_000);
        assertClose(counts, PROFILE.behaviour().eventsPerUser(), 0.10);
    }

    @Test
    void shouldMatchTheRealGapsAndSessionLengths() {
        long sessionGap = PROFILE.behaviour().sessionGapMillis();
        Map<String, List<ShopperEvent>> byUser = new HashMap<>();
        stream.forEach(e -> byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e));
        List<Double> within = new ArrayList<>();
        List<Double> between = new ArrayList<>();
        List<Double> sessionLengths = new ArrayList<>();
        for (List<ShopperEvent> events : byUser.values()) {
            int length = 1;
            for (int i = 1; i < events.size(); i++) {
                long gap = events.get(i).eventTimeMillis() - events.get(i - 1).eventTimeMillis();
                boolean sameSessionId =
                        events.get(i).sessionId().equals(events.get(i - 1).sessionId());
                // sessions derived from gaps must agree with the generator's session ids
                assertThat(sameSessionId).isEqualTo(gap < sessionGap);
                if (sameSessionId) {
                    within.add((double) gap);
                    length++;
                } else {
                    between.add((double) gap);
                    sessionLengths.add((double) length);
                    length = 1;
                }
            }
            sessionLengths.add((double) length);
        }
        assertClose(within, PROFILE.behaviour().gapWithinSessionMillis(), 0.10);
        assertClose(between, PROFILE.behaviour().gapBetweenSessionsMillis(), 0.10);
        // a user's last session is cut to the events it has left, which shortens the longest
        // sessions a little: small integers, so compare within two events
        List<Double> sortedLengths = new ArrayList<>(sessionLengths);
        Collections.sort(sortedLengths);
        Quantiles realLengths = PROFILE.behaviour().eventsPerSession();
        assertThat(nearestRank(sortedLengths, 50)).isEqualTo(realLengths.median());
        assertThat(nearestRank(sortedLengths, 90))
                .isCloseTo(realLengths.percentiles()[90], within(2.0));
    }

    @Test
    void shouldMatchTheRealPricesWithinFifteenPercent() {
        List<Double> prices = new ArrayList<>();
        stream.forEach(event -> prices.add(event.price()));
        assertClose(prices, PROFILE.catalogue().eventPrice(), 0.15);
    }

    @Test
    void shouldEmitEventsInEventTimeOrder() {
        for (int i = 1; i < stream.size(); i++) {
            assertThat(stream.get(i).eventTimeMillis())
                    .as("event %d", i)
                    .isGreaterThanOrEqualTo(stream.get(i - 1).eventTimeMillis());
        }
        assertThat(stream.get(0).eventTimeMillis()).isEqualTo(1_704_067_200_000L);
    }

    @Test
    void shouldGiveTheSameStreamForTheSameSeedOnly() {
        List<ShopperEvent> again = drain(settings(2_000, 42).withMaxEvents(20_000));
        List<ShopperEvent> other = drain(settings(2_000, 43).withMaxEvents(20_000));

        assertThat(again).hasSize(20_000).isEqualTo(stream.subList(0, 20_000));
        assertThat(other).hasSize(20_000).isNotEqualTo(again);
    }

    @Test
    void shouldStopAtTheEventLimitWhenUsersAreDerivedFromIt() {
        SyntheticEventGenerator.Settings settings =
                new SyntheticEventGenerator.Settings(
                        7,
                        SyntheticEventGenerator.Settings.forUsers(PROFILE, 1, 7).start(),
                        0,
                        12_345,
                        Duration.ofDays(9),
                        0);
        assertThat(drain(settings)).hasSize(12_345);
    }

    @Test
    void shouldKeepOnlyConcurrentlyActiveUsersInMemory() {
        // 1,000,000 users spread over ten years: 2,000,000 events reach about 20,000 of them,
        // and only those whose history overlaps the current time are held
        SyntheticEventGenerator generator =
                new SyntheticEventGenerator(
                        PROFILE,
                        settings(1_000_000, 5)
                                .withArrivalSpan(Duration.ofDays(3650))
                                .withMaxEvents(2_000_000));
        long previousTime = Long.MIN_VALUE;
        long count = 0;
        long outOfOrder = 0;
        while (generator.hasNext()) {
            ShopperEvent event = generator.next();
            // checked inline: holding 2,000,000 events would defeat the point of the test
            if (event.eventTimeMillis() < previousTime) {
                outOfOrder++;
            }
            previousTime = event.eventTimeMillis();
            count++;
        }
        assertThat(count).isEqualTo(2_000_000);
        assertThat(outOfOrder).isZero();
        assertThat(generator.usersStarted()).isGreaterThan(15_000);
        // arrivals of 274 users a day times lifetimes of a few days to three weeks
        assertThat(generator.peakActiveUsers()).isLessThan(6_000);
    }

    private static SyntheticEventGenerator.Settings settings(long users, long seed) {
        return SyntheticEventGenerator.Settings.forUsers(PROFILE, users, seed);
    }

    private static List<ShopperEvent> drain(SyntheticEventGenerator.Settings settings) {
        SyntheticEventGenerator generator = new SyntheticEventGenerator(PROFILE, settings);
        List<ShopperEvent> events = new ArrayList<>();
        generator.forEachRemaining(events::add);
        return events;
    }

    /** Median and 90th percentile of the sample within {@code tolerance} (relative). */
    private static void assertClose(List<Double> sample, Quantiles expected, double tolerance) {
        List<Double> sorted = new ArrayList<>(sample);
        Collections.sort(sorted);
        for (int percentile : new int[] {50, 90}) {
            double actual = nearestRank(sorted, percentile);
            double target = expected.percentiles()[percentile];
            assertThat(actual)
                    .as("p%d (target %s)", percentile, target)
                    .isCloseTo(target, within(Math.max(1.0, tolerance * target)));
        }
    }

    private static double nearestRank(List<Double> sorted, int percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
