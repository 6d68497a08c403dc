package io.propensity.models;

import io.propensity.features.EventType;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureSchema;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.ShopperEvent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingExamplesTest {

    private static final long HOUR = 3_600_000L;
    private static final FeatureConfig CONFIG = FeatureConfig.defaults();

    @Test
    void shouldLabelEachEventWithPurchasesStrictlyAfterIt() {
        EventLog log =
                EventLog.of(
                        List.of(
                                ShopperEvent.of("a", 0, EventType.VIEW),
                                ShopperEvent.of("a", HOUR, EventType.CART),
                                ShopperEvent.of("a", 2 * HOUR, EventType.PURCHASE),
                                ShopperEvent.of("a", 50 * HOUR, EventType.VIEW),
                                // the last event: its window runs past the end of the data
                                ShopperEvent.of("b", 90 * HOUR, EventType.VIEW)));
        TrainingExamples built =
                TrainingExamples.build(
                        log, Task.PURCHASE_INTENT, CONFIG, Duration.ofHours(24), null, done -> {});
        ExampleSet examples = built.examples();
        assertThat(examples.size()).isEqualTo(4);
        assertThat(examples.labels(new int[] {0, 1, 2, 3})).containsExactly(1, 1, 0, 0);
        assertThat(built.censored()).isEqualTo(1);
        // the view at 0 must not see the cart that came an hour later
        int cart24h = FeatureSchema.CART_COUNT_24H;
        assertThat(examples.feature(0, cart24h)).isEqualTo(0f);
        assertThat(examples.feature(1, cart24h)).isEqualTo(1f);
        assertThat(examples.feature(2, FeatureSchema.PURCHASE_COUNT_24H)).isEqualTo(1f);
        assertThat(examples.time(3)).isEqualTo(50 * HOUR);
        assertThat(examples.labelEnd(3)).isEqualTo(74 * HOUR);
    }

    @Test
    void shouldCheckQuietUsersOnTheScheduleWithFeaturesAsOfTheCheck() {
        EventLog log =
                EventLog.of(
                        List.of(
                                ShopperEvent.of("a", 0, EventType.VIEW),
                                ShopperEvent.of("a", 60 * HOUR, EventType.VIEW),
                                // only sets the end of the data at 200 h
                                ShopperEvent.of("z", 200 * HOUR, EventType.VIEW)));
        TrainingExamples built =
                TrainingExamples.build(
                        log,
                        Task.CHURN_RISK,
                        CONFIG,
                        Duration.ofHours(24),
                        InactivitySchedule.parse("1d,2d,3d"),
                        done -> {});
        ExampleSet examples = built.examples();
        // after 0: checks at 24 h (next event at 60 h is after 48 h: churn) and 48 h (active);
        // 72 h is after the next event. After 60 h: 84, 108 and 132 h, no event follows: churn.
        assertThat(examples.size()).isEqualTo(5);
        long[] times = new long[5];
        for (int row = 0; row < 5; row++) {
            times[row] = examples.time(row) / HOUR;
        }
        assertThat(times).containsExactly(24, 48, 84, 108, 132);
        assertThat(examples.labels(new int[] {0, 1, 2, 3, 4})).containsExactly(1, 0, 1, 1, 1);
        // user z's checks at 224 h and later are after the data end: not examples, not censored
        assertThat(built.censored()).isZero();
        // features as of the check: the previous event is 24 h before the first check
        assertThat(examples.feature(0, FeatureSchema.SECONDS_SINCE_PREVIOUS_EVENT))
                .isEqualTo(86_400f);
        assertThat(examples.feature(2, FeatureSchema.SECONDS_SINCE_PREVIOUS_EVENT))
                .isEqualTo(86_400f);
        assertThat(examples.feature(4, FeatureSchema.SECONDS_SINCE_PREVIOUS_EVENT))
                .isEqualTo(72 * 3_600f);
    }

    @Test
    void shouldNotCheckAtTheInstantOfTheNextEventNorAfterTheEndOfTheData() {
        EventLog log =
                EventLog.of(
                        List.of(
                                ShopperEvent.of("a", 0, EventType.VIEW),
                                // exactly at a's first check: a was not quiet at 24 h
                                ShopperEvent.of("a", 24 * HOUR, EventType.VIEW),
                                ShopperEvent.of("a", 24 * HOUR, EventType.CART),
                                // sets the end of the data at 84 h
                                ShopperEvent.of("z", 84 * HOUR, EventType.VIEW)));
        TrainingExamples built =
                TrainingExamples.build(
                        log,
                        Task.CHURN_RISK,
                        CONFIG,
                        Duration.ofHours(24),
                        InactivitySchedule.parse("1d,2d,3d"),
                        done -> {});
        // after a's events at 24 h: 48 h (window to 72 h, known: churned), 72 h (window to
        // 96 h > 84 h: censored); 96 h is after the end. z's checks are all after the end.
        ExampleSet examples = built.examples();
        assertThat(examples.size()).isEqualTo(1);
        assertThat(examples.time(0)).isEqualTo(48 * HOUR);
        assertThat(examples.label(0)).isEqualTo(1);
        assertThat(built.censored()).isEqualTo(1);
        // the check sees both events at 24 h
        assertThat(examples.feature(0, FeatureSchema.CART_COUNT_28D)).isEqualTo(1f);
        assertThat(examples.feature(0, FeatureSchema.VIEW_COUNT_28D)).isEqualTo(2f);
    }

    @Test
    void shouldMakeNoPurchaseExampleOfARepeatedEvent() {
        EventLog log =
                EventLog.of(
                        List.of(
                                ShopperEvent.of("a", 0, EventType.VIEW),
                                ShopperEvent.of("a", 0, EventType.VIEW),
                                ShopperEvent.of("a", 48 * HOUR, EventType.VIEW)));
        TrainingExamples built =
                TrainingExamples.build(
                        log, Task.PURCHASE_INTENT, CONFIG, Duration.ofHours(24), null, done -> {});
        assertThat(built.examples().size()).isEqualTo(1);
        assertThat(built.notApplied()).isEqualTo(1);
        assertThat(built.censored()).isEqualTo(1);
    }
}
