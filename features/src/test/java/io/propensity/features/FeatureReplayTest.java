package io.propensity.features;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureReplayTest {

    static final long T0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;

    record Seen(String user, long time, ApplyOutcome outcome, double views24h) {}

    record Check(String user, long time, double secondsSincePrevious) {}

    @Test
    void shouldCallBackPerEventWithTheFeaturesAsOfTheUsersLatestEvent() {
        List<Seen> seen = new ArrayList<>();
        FeatureReplay replay =
                new FeatureReplay(
                        FeatureConfig.defaults(),
                        (event, outcome, state, features) ->
                                seen.add(
                                        new Seen(
                                                event.userId(),
                                                event.eventTimeMillis(),
                                                outcome,
                                                features[FeatureSchema.VIEW_COUNT_24H])));

        replay.accept(ShopperEvent.of("a", T0, EventType.VIEW));
        replay.accept(ShopperEvent.of("b", T0 + 1, EventType.VIEW));
        replay.accept(ShopperEvent.of("a", T0 + HOUR, EventType.VIEW));
        replay.accept(ShopperEvent.of("a", T0 + HOUR, EventType.VIEW));
        replay.accept(ShopperEvent.of("a", T0 - HOUR, EventType.VIEW));

        assertThat(seen)
                .containsExactly(
                        new Seen("a", T0, ApplyOutcome.APPLIED, 1),
                        new Seen("b", T0 + 1, ApplyOutcome.APPLIED, 1),
                        new Seen("a", T0 + HOUR, ApplyOutcome.APPLIED, 2),
                        new Seen("a", T0 + HOUR, ApplyOutcome.DUPLICATE, 2),
                        new Seen("a", T0 - HOUR, ApplyOutcome.LATE, 2));
        assertThat(replay.events()).isEqualTo(5);
        assertThat(replay.applied()).isEqualTo(3);
        assertThat(replay.duplicates()).isEqualTo(1);
        assertThat(replay.late()).isEqualTo(1);
        assertThat(replay.users()).isEqualTo(2);
        assertThat(replay.state("a").lastEventMillis()).isEqualTo(T0 + HOUR);
    }

    @Test
    void shouldFireTheInactivityChecksThatPassBeforeTheNextEventAndAtTheEnd() {
        List<Check> checks = new ArrayList<>();
        FeatureReplay replay =
                new FeatureReplay(
                        FeatureConfig.defaults(),
                        (event, outcome, state, features) -> {},
                        InactivitySchedule.parse("1d,2d"),
                        (user, time, state, features) ->
                                checks.add(
                                        new Check(
                                                user,
                                                time,
                                                features[
                                                        FeatureSchema
                                                                .SECONDS_SINCE_PREVIOUS_EVENT])));

        replay.accept(ShopperEvent.of("a", T0, EventType.VIEW));
        replay.accept(ShopperEvent.of("b", T0, EventType.VIEW));
        // a's check at T0 + 1d fires; the one at T0 + 2d does not (a came back before)
        replay.accept(ShopperEvent.of("a", T0 + DAY + 12 * HOUR, EventType.VIEW));
        // b's checks at T0 + 1d and T0 + 2d both passed; a's next check at T0 + 2.5d has not
        replay.finish(T0 + 2 * DAY);

        assertThat(checks)
                .containsExactly(
                        new Check("a", T0 + DAY, 86_400),
                        new Check("b", T0 + DAY, 86_400),
                        new Check("b", T0 + 2 * DAY, 2 * 86_400));
    }
}
