package io.propensity.features;

import io.propensity.features.io.EventFormat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
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

    /**
     * The expected duplicates were counted independently with awk over (user, time, type, product):
     * the REES46 head repeats 6 rows exactly, the Taobao files none.
     */
    @Test
    void shouldReplayTheRealFilesInOrderWithOnlyTheirExactRepeatsRefused() throws IOException {
        FeatureReplay rees46 = new FeatureReplay(FeatureConfig.defaults(), (e, o, s, f) -> {});
        rees46.replay(
                Path.of("../data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz"),
                EventFormat.REES46,
                (source, line, reason, raw) -> {});
        FeatureReplay taobao = new FeatureReplay(FeatureConfig.defaults(), (e, o, s, f) -> {});
        for (String file :
                new String[] {
                    "../data/taobao-userbehavior-head/UserBehavior_head.csv.gz",
                    "../data/taobao-userbehavior-tail/UserBehavior_tail.csv.gz"
                }) {
            taobao.replay(Path.of(file), EventFormat.TAOBAO, (source, line, reason, raw) -> {});
        }

        assertThat(rees46.events()).isEqualTo(17_434);
        assertThat(rees46.duplicates()).isEqualTo(6);
        assertThat(rees46.late()).isZero();
        assertThat(rees46.badLines()).isEqualTo(1);
        assertThat(rees46.users()).isEqualTo(4_504);
        assertThat(taobao.applied()).isEqualTo(94_475);
        assertThat(taobao.late()).isZero();
        assertThat(taobao.duplicates()).isZero();
        assertThat(taobao.users()).isEqualTo(929);
    }
}
