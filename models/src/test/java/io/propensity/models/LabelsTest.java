package io.propensity.models;

import io.propensity.features.InactivitySchedule;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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
    void shouldCheckOnlyWhileTheUserIsQuiet() {
        InactivitySchedule schedule = InactivitySchedule.parse("1d,2d,3d");
        List<String> checks = new ArrayList<>();
        // next event 2.5 days later: checks at 1 d and 2 d exist, 3 d does not
        Labels.churnChecks(
                0,
                60 * HOUR,
                schedule,
                DAY,
                30 * DAY,
                (check, outcome) -> checks.add(check / HOUR + "h " + outcome));
        // at 1 d the next event (60 h) is after 48 h: churned; at 2 d it is within 72 h: active
        assertThat(checks).containsExactly("24h POSITIVE", "48h NEGATIVE");
    }

    @Test
    void shouldLabelChurnWhenNoEventFollowsWithinTheWindow() {
        InactivitySchedule schedule = InactivitySchedule.parse("1d,2d");
        List<String> checks = new ArrayList<>();
        Labels.churnChecks(
                0,
                Long.MAX_VALUE,
                schedule,
                2 * DAY,
                10 * DAY,
                (check, outcome) -> checks.add(check / HOUR + "h " + outcome));
        assertThat(checks).containsExactly("24h POSITIVE", "48h POSITIVE");
    }

    @Test
    void shouldNotCheckAtTheInstantOfTheNextEvent() {
        List<String> checks = new ArrayList<>();
        Labels.churnChecks(
                0,
                DAY,
                InactivitySchedule.parse("1d"),
                DAY,
                10 * DAY,
                (check, outcome) -> checks.add(check / HOUR + "h " + outcome));
        assertThat(checks).isEmpty();
    }

    @Test
    void shouldCensorChecksWhoseWindowPassesTheEndAndSkipChecksAfterIt() {
        List<String> checks = new ArrayList<>();
        Labels.churnChecks(
                0,
                Long.MAX_VALUE,
                InactivitySchedule.parse("1d,2d,3d"),
                DAY,
                60 * HOUR,
                (check, outcome) -> checks.add(check / HOUR + "h " + outcome));
        // 24 h: window to 48 h, inside; 48 h: window to 72 h > 60 h; 72 h: after the data
        assertThat(checks).containsExactly("24h POSITIVE", "48h CENSORED");
    }
}
