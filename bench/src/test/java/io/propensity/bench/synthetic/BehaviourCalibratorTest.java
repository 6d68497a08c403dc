package io.propensity.bench.synthetic;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class BehaviourCalibratorTest {

    private static final long MINUTE = 60_000;

    private static ShopperEvent event(String user, long minutes, EventType type, String product) {
        return new ShopperEvent(
                user, minutes * MINUTE, type, null, product, null, null, null, Double.NaN);
    }

    @Test
    void shouldComputeSessionsGapsMixAndTransitionsAsCountedByHand() {
        BehaviourCalibrator calibrator =
                new BehaviourCalibrator(
                        Duration.ofMinutes(30), Instant.EPOCH, Instant.ofEpochMilli(1000 * MINUTE));
        // given out of order on purpose: the calibrator sorts each user's events
        calibrator.accept(event("a", 2, EventType.CART, "p1"));
        calibrator.accept(event("a", 0, EventType.VIEW, "p1"));
        calibrator.accept(event("a", 1, EventType.VIEW, "p2"));
        calibrator.accept(event("a", 182, EventType.PURCHASE, "p1"));
        calibrator.accept(event("b", 10, EventType.VIEW, "p3"));
        assertThat(calibrator.accept(event("b", 1000, EventType.VIEW, "p3"))).isFalse();

        SyntheticProfile.Behaviour behaviour = calibrator.result();

        // a: [view p1, view p2, cart p1] then 180 minutes later [purchase p1]; b: [view p3]
        assertThat(calibrator.outsideWindow()).isEqualTo(1);
        assertThat(behaviour.users()).isEqualTo(2);
        assertThat(behaviour.events()).isEqualTo(5);
        assertThat(behaviour.sessions()).isEqualTo(3);
        assertThat(behaviour.windowMillis()).isEqualTo(1000 * MINUTE);
        assertThat(behaviour.eventsPerUser().median()).isEqualTo(2.5);
        assertThat(behaviour.eventsPerSession().median()).isEqualTo(1.0);
        assertThat(behaviour.eventsPerSession().at(1)).isEqualTo(3.0);
        assertThat(behaviour.gapWithinSessionMillis().at(0)).isEqualTo(60_000.0);
        assertThat(behaviour.gapWithinSessionMillis().at(1)).isEqualTo(60_000.0);
        assertThat(behaviour.gapBetweenSessionsMillis().median()).isEqualTo(180 * 60_000.0);
        assertThat(behaviour.eventMix())
                .containsEntry("view", 0.6)
                .containsEntry("cart", 0.2)
                .containsEntry("purchase", 0.2)
                .containsEntry("favorite", 0.0);
        assertThat(behaviour.sessionStartMix())
                .containsEntry("view", 0.666667)
                .containsEntry("purchase", 0.333333);
        // within sessions only view -> view and view -> cart happen
        assertThat(behaviour.transitions()).containsOnlyKeys("view");
        assertThat(behaviour.transitions().get("view"))
                .contains(entry("view", 0.5), entry("cart", 0.5), entry("purchase", 0.0));
        // the second view (p2) is new, the cart (p1) comes back to the first product
        assertThat(behaviour.productSeenEarlierInSession())
                .containsEntry("view", 0.0)
                .containsEntry("cart", 1.0)
                .containsEntry("purchase", 0.0);
    }
}
