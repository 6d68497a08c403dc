package io.propensity.features;

import io.propensity.features.io.EventFormat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureReplayTest {

    static final long T0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    static final ZoneOffset UTC = ZoneOffset.UTC;

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

    /** A replay with checks at 1 d and 2 d that writes what it hears, in order, to a log. */
    static FeatureReplay logging(FeatureConfig config, List<String> log) {
        return new FeatureReplay(
                config,
                (event, outcome, state, features) ->
                        log.add(
                                "event "
                                        + event.userId()
                                        + " "
                                        + hours(event.eventTimeMillis())
                                        + " "
                                        + outcome
                                        + " views28d="
                                        + (int) features[FeatureSchema.VIEW_COUNT_28D]),
                InactivitySchedule.parse("1d,2d"),
                (user, time, state, features) ->
                        log.add(
                                "check "
                                        + user
                                        + " "
                                        + hours(time)
                                        + " quiet="
                                        + (long)
                                                        features[
                                                                FeatureSchema
                                                                        .SECONDS_SINCE_PREVIOUS_EVENT]
                                                / 3600
                                        + "h"));
    }

    static String hours(long millis) {
        return (millis - T0) / HOUR + "h";
    }

    @Test
    void shouldKeepTheChecksOfTheLatestEventThroughOlderLateAndDuplicateEvents() {
        List<String> log = new ArrayList<>();
        FeatureReplay replay = logging(FeatureConfig.defaults(), log);

        replay.accept(ShopperEvent.of("a", T0 + 10 * HOUR, EventType.VIEW));
        // 5 min older: applied within the 10 min lateness, but not a new latest event
        replay.accept(ShopperEvent.of("a", T0 + 10 * HOUR - 300_000, EventType.CART));
        replay.accept(ShopperEvent.of("a", T0 + 10 * HOUR, EventType.VIEW));
        replay.accept(ShopperEvent.of("a", T0 + 8 * HOUR, EventType.VIEW));
        // the checks of the event at 10 h are at 34 h and 58 h; this event at 58 h stops the 2nd
        replay.accept(ShopperEvent.of("a", T0 + 58 * HOUR, EventType.VIEW));
        replay.finish(T0 + 82 * HOUR);

        assertThat(log)
                .containsExactly(
                        "event a 10h APPLIED views28d=1",
                        // 9 h 55 min, printed in whole hours
                        "event a 9h APPLIED views28d=1",
                        "event a 10h DUPLICATE views28d=1",
                        "event a 8h LATE views28d=1",
                        "check a 34h quiet=24h",
                        "event a 58h APPLIED views28d=2",
                        "check a 82h quiet=24h");
    }

    @Test
    void shouldFireEachCheckOnceWhenTimeAdvancesInSteps() {
        List<String> log = new ArrayList<>();
        FeatureReplay replay = logging(FeatureConfig.defaults(), log);

        replay.accept(ShopperEvent.of("a", T0, EventType.VIEW));
        replay.advanceTime(T0 + 24 * HOUR);
        replay.advanceTime(T0 + 30 * HOUR);
        replay.advanceTime(T0 + 20 * HOUR);
        replay.accept(ShopperEvent.of("a", T0 + 50 * HOUR, EventType.VIEW));
        // Flink's end of a bounded input: every pending check, no overflow at the far end
        replay.finish(Long.MAX_VALUE);

        assertThat(log)
                .containsExactly(
                        "event a 0h APPLIED views28d=1",
                        "check a 24h quiet=24h",
                        "check a 48h quiet=48h",
                        "event a 50h APPLIED views28d=2",
                        "check a 74h quiet=24h",
                        "check a 98h quiet=48h");
        // every user expired at the end of time
        assertThat(replay.users()).isZero();
        assertThat(replay.expired()).isEqualTo(1);
    }

    @Test
    void shouldFireTheChecksOfAnEventBehindTheAdvancedTimeAtOnce() {
        List<String> log = new ArrayList<>();
        FeatureReplay replay = logging(FeatureConfig.defaults(), log);

        replay.accept(ShopperEvent.of("a", T0 + 100 * HOUR, EventType.VIEW));
        replay.advanceTime(T0 + 100 * HOUR);
        // b's first event is 30 h behind event time: its check at 94 h is due already
        replay.accept(ShopperEvent.of("b", T0 + 70 * HOUR, EventType.VIEW));

        assertThat(log)
                .containsExactly(
                        "event a 100h APPLIED views28d=1",
                        "event b 70h APPLIED views28d=1",
                        "check b 94h quiet=24h");
    }

    @Test
    void shouldNotCheckPastTheRetentionAndForgetUsersQuietForLonger() {
        FeatureConfig config =
                new FeatureConfig(
                        Duration.ofMinutes(30), Duration.ofMinutes(10), Duration.ofHours(36), UTC);
        List<String> log = new ArrayList<>();
        FeatureReplay replay = logging(config, log);

        replay.accept(ShopperEvent.of("a", T0, EventType.VIEW));
        replay.accept(ShopperEvent.of("b", T0, EventType.VIEW));
        // a's check at 24 h fires; the one at 48 h is past the 36 h retention; at 72 h a is
        // forgotten and starts again (1 view in 28 days, not 2)
        replay.accept(ShopperEvent.of("a", T0 + 72 * HOUR, EventType.VIEW));
        assertThat(replay.expired()).isEqualTo(1);
        // b: 24 h fires, and b is forgotten once time passes 36 h
        replay.advanceTime(T0 + 36 * HOUR + 1);

        assertThat(log)
                .containsExactly(
                        "event a 0h APPLIED views28d=1",
                        "event b 0h APPLIED views28d=1",
                        "check a 24h quiet=24h",
                        "event a 72h APPLIED views28d=1",
                        "check b 24h quiet=24h");
        assertThat(replay.expired()).isEqualTo(2);
        assertThat(replay.state("b")).isNull();
        assertThat(replay.state("a").firstEventMillis()).isEqualTo(T0 + 72 * HOUR);
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
