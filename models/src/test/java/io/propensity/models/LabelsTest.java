package io.propensity.models;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LabelsTest {

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    @Test
    void shouldLabelPurchaseStrictlyAfterWithinHorizon() {
        long[] purchases = {10 * HOUR, 40 * HOUR};
        // purchase 10 h after
        assertThat(Labels.purchaseWithin(0, purchases, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.POSITIVE);
        // the purchase event itself does not label itself; the next one is 30 h later
        assertThat(Labels.purchaseWithin(10 * HOUR, purchases, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.NEGATIVE);
        // exactly at the horizon counts
        assertThat(Labels.purchaseWithin(16 * HOUR, purchases, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.POSITIVE);
        // after the last purchase
        assertThat(Labels.purchaseWithin(41 * HOUR, purchases, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.NEGATIVE);
    }

    @Test
    void shouldCensorWhenTheWindowRunsPastTheData() {
        long[] purchases = {90 * HOUR};
        // window ends at 104 h > 100 h: left out even though a purchase is already seen
        assertThat(Labels.purchaseWithin(80 * HOUR, purchases, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.CENSORED);
        assertThat(Labels.purchaseWithin(76 * HOUR, purchases, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.POSITIVE);
    }

    @Test
    void shouldLabelChurnByTheFirstEventAfterTheCheck() {
        long[] events = {0, 60 * HOUR, 61 * HOUR};
        // check at 24 h: the next event (60 h) is 36 h later, after the 1-day window: churned
        assertThat(Labels.churnedAfter(24 * HOUR, events, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.POSITIVE);
        // check at 48 h: the next event is 12 h later: active
        assertThat(Labels.churnedAfter(48 * HOUR, events, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.NEGATIVE);
        // an event exactly at the end of the window counts as coming back
        assertThat(Labels.churnedAfter(36 * HOUR, events, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.NEGATIVE);
        // no event after the check at all
        assertThat(Labels.churnedAfter(62 * HOUR, events, DAY, 100 * HOUR))
                .isEqualTo(Labels.Outcome.POSITIVE);
    }

    @Test
    void shouldCensorChurnWhenTheWindowRunsPastTheData() {
        long[] events = {0};
        // window to 72 h > 60 h: unknown, whatever the observed part says
        assertThat(Labels.churnedAfter(48 * HOUR, events, DAY, 60 * HOUR))
                .isEqualTo(Labels.Outcome.CENSORED);
        // window to exactly the end: known
        assertThat(Labels.churnedAfter(36 * HOUR, events, DAY, 60 * HOUR))
                .isEqualTo(Labels.Outcome.POSITIVE);
    }
}
