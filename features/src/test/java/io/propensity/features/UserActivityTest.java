package io.propensity.features;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static io.propensity.features.FeatureSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Hand-computed expectations on small event sequences. */
class UserActivityTest {

    /** 2024-01-01T00:00:00Z, a Monday. */
    static final long T0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();

    static final long SECOND = 1000L;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    static final FeatureConfig CONFIG = FeatureConfig.defaults();

    static ShopperEvent event(long time, EventType type, String product) {
        return new ShopperEvent("u1", time, type, null, product, null, null, null, Double.NaN);
    }

    static ShopperEvent priced(long time, EventType type, String product, double price) {
        return new ShopperEvent("u1", time, type, null, product, null, null, null, price);
    }

    static ShopperEvent inSession(long time, EventType type, String session) {
        return new ShopperEvent("u1", time, type, session, "p", null, null, null, Double.NaN);
    }

    @Test
    void shouldCountAnEventOnlyWhileItsBucketIsInsideTheWindow() {
        UserActivity user = UserActivity.empty();
        long at = T0 + 10 * HOUR + 30 * SECOND; // 10:00:30 Monday

        assertThat(user.apply(event(at, EventType.VIEW, "p"), CONFIG))
                .isEqualTo(ApplyOutcome.APPLIED);

        // 1 hour window: the minute of the scoring time and the 59 before
        assertThat(user.features(at, CONFIG)[VIEW_COUNT_1H]).isEqualTo(1);
        assertThat(user.features(T0 + 10 * HOUR + 59 * MINUTE + 59 * SECOND, CONFIG)[VIEW_COUNT_1H])
                .isEqualTo(1);
        // 59.5 minutes after the event its minute bucket has left the window
        assertThat(user.features(T0 + 11 * HOUR, CONFIG)[VIEW_COUNT_1H]).isEqualTo(0);

        // 24 hour window: the hour of the scoring time and the 23 before
        assertThat(user.features(T0 + DAY + 9 * HOUR + 59 * MINUTE, CONFIG)[VIEW_COUNT_24H])
                .isEqualTo(1);
        assertThat(user.features(T0 + DAY + 10 * HOUR, CONFIG)[VIEW_COUNT_24H]).isEqualTo(0);

        // 7 day window: 168 hour buckets
        assertThat(user.features(T0 + 7 * DAY + 9 * HOUR + 59 * MINUTE, CONFIG)[VIEW_COUNT_7D])
                .isEqualTo(1);
        assertThat(user.features(T0 + 7 * DAY + 10 * HOUR, CONFIG)[VIEW_COUNT_7D]).isEqualTo(0);

        // 28 day window: the UTC day of the scoring time and the 27 before
        double[] day27 = user.features(T0 + 27 * DAY + 23 * HOUR, CONFIG);
        assertThat(day27[VIEW_COUNT_28D]).isEqualTo(1);
        assertThat(day27[ACTIVE_DAYS_28D]).isEqualTo(1);
        double[] day28 = user.features(T0 + 28 * DAY, CONFIG);
        assertThat(day28[VIEW_COUNT_28D]).isEqualTo(0);
        assertThat(day28[ACTIVE_DAYS_28D]).isEqualTo(0);
    }

    @Test
    void shouldMergeALateEventWithinTheLatenessAndRefuseAnOlderOne() {
        UserActivity user = UserActivity.empty();
        user.apply(event(T0 + HOUR, EventType.VIEW, "a"), CONFIG);
        user.apply(event(T0 + HOUR + 20 * MINUTE, EventType.VIEW, "b"), CONFIG);

        // 8 minutes behind the latest event: within the default 10 minutes
        assertThat(user.apply(event(T0 + HOUR + 12 * MINUTE, EventType.CART, "a"), CONFIG))
                .isEqualTo(ApplyOutcome.APPLIED);
        byte[] before = user.toBytes();
        // 10 minutes and 1 second behind: too late, nothing changes
        assertThat(
                        user.apply(
                                event(T0 + HOUR + 9 * MINUTE + 59 * SECOND, EventType.CART, "c"),
                                CONFIG))
                .isEqualTo(ApplyOutcome.LATE);
        assertThat(user.toBytes()).isEqualTo(before);

        double[] f = user.features(T0 + HOUR + 20 * MINUTE, CONFIG);
        assertThat(user.lastEventMillis()).isEqualTo(T0 + HOUR + 20 * MINUTE);
        assertThat(f[CART_COUNT_1H]).isEqualTo(1);
        assertThat(f[VIEW_COUNT_1H]).isEqualTo(2);
        assertThat(f[SECONDS_SINCE_LAST_CART]).isEqualTo(8 * 60);
        // the latest event strictly before the scoring time is the late cart at 01:12
        assertThat(f[SECONDS_SINCE_PREVIOUS_EVENT]).isEqualTo(8 * 60);
        assertThat(f[SESSION_EVENTS]).isEqualTo(3);
        assertThat(f[SESSION_CARTS]).isEqualTo(1);
        assertThat(f[SESSION_DURATION_SECONDS]).isEqualTo(20 * 60);
        assertThat(f[SESSIONS_7D]).isEqualTo(1);
    }

    @Test
    void shouldIgnoreAnExactDuplicateButNotAnEventThatDiffersInProductOrType() {
        UserActivity user = UserActivity.empty();
        long at = T0 + 5 * HOUR;

        assertThat(user.apply(event(at, EventType.VIEW, "p1"), CONFIG))
                .isEqualTo(ApplyOutcome.APPLIED);
        assertThat(user.apply(event(at, EventType.VIEW, "p1"), CONFIG))
                .isEqualTo(ApplyOutcome.DUPLICATE);
        assertThat(user.apply(event(at, EventType.VIEW, "p2"), CONFIG))
                .isEqualTo(ApplyOutcome.APPLIED);
        assertThat(user.apply(event(at, EventType.CART, "p1"), CONFIG))
                .isEqualTo(ApplyOutcome.APPLIED);
        assertThat(user.apply(event(at + 1, EventType.VIEW, "p1"), CONFIG))
                .isEqualTo(ApplyOutcome.APPLIED);
        // a resend of an older event that is still within the lateness
        assertThat(user.apply(event(at, EventType.VIEW, "p2"), CONFIG))
                .isEqualTo(ApplyOutcome.DUPLICATE);

        double[] f = user.features(at + 1, CONFIG);
        assertThat(f[VIEW_COUNT_1H]).isEqualTo(3);
        assertThat(f[CART_COUNT_1H]).isEqualTo(1);
        assertThat(f[SESSION_EVENTS]).isEqualTo(4);
    }

    @Test
    void shouldSplitDerivedSessionsOnAGapLongerThanThirtyMinutes() {
        UserActivity user = UserActivity.empty();
        user.apply(event(T0, EventType.VIEW, "a"), CONFIG);
        user.apply(event(T0 + 30 * MINUTE, EventType.VIEW, "b"), CONFIG); // exactly the gap
        assertThat(user.currentSessionStartMillis()).isEqualTo(T0);

        long third = T0 + 60 * MINUTE + 1; // 30 min and 1 ms after the previous event
        user.apply(event(third, EventType.CART, "b"), CONFIG);

        assertThat(user.currentSessionStartMillis()).isEqualTo(third);
        double[] f = user.features(third, CONFIG);
        assertThat(f[SESSIONS_7D]).isEqualTo(2);
        assertThat(f[SESSIONS_28D]).isEqualTo(2);
        assertThat(f[SESSION_EVENTS]).isEqualTo(1);
        assertThat(f[SESSION_VIEWS]).isEqualTo(0);
        assertThat(f[SESSION_CARTS]).isEqualTo(1);
        assertThat(f[SESSION_DURATION_SECONDS]).isEqualTo(0);
        // the session counts as ended once the gap has passed without an event
        assertThat(user.features(third + 30 * MINUTE, CONFIG)[SESSION_EVENTS]).isEqualTo(1);
        assertThat(user.features(third + 30 * MINUTE + 1, CONFIG)[SESSION_EVENTS]).isEqualTo(0);
    }

    @Test
    void shouldFollowSourceSessionIdsWhenEventsCarryThem() {
        UserActivity user = UserActivity.empty();
        user.apply(inSession(T0, EventType.VIEW, "s1"), CONFIG);
        user.apply(inSession(T0 + 40 * MINUTE, EventType.VIEW, "s1"), CONFIG); // same id, long gap
        user.apply(inSession(T0 + 41 * MINUTE, EventType.VIEW, "s2"), CONFIG);
        user.apply(inSession(T0 + 42 * MINUTE, EventType.CART, "s2"), CONFIG);

        double[] f = user.features(T0 + 42 * MINUTE, CONFIG);
        assertThat(f[SESSIONS_7D]).isEqualTo(2);
        assertThat(f[SESSION_EVENTS]).isEqualTo(2);
        assertThat(f[SESSION_DURATION_SECONDS]).isEqualTo(60);
        assertThat(user.currentSessionStartMillis()).isEqualTo(T0 + 41 * MINUTE);
    }

    @Test
    void shouldEvaluateAQuietUserDaysAfterTheLatestEvent() {
        UserActivity user = UserActivity.empty();
        user.apply(priced(T0 + 10 * HOUR, EventType.VIEW, "p", 10.0), CONFIG);
        user.apply(priced(T0 + 10 * HOUR + 5 * MINUTE, EventType.CART, "p", 10.0), CONFIG);
        user.apply(priced(T0 + 10 * HOUR + 10 * MINUTE, EventType.PURCHASE, "p", 20.0), CONFIG);

        long asOf = T0 + 3 * DAY + 12 * HOUR; // Thursday 12:00
        double[] f = user.features(asOf, CONFIG);

        assertThat(f[VIEW_COUNT_1H]).isEqualTo(0);
        assertThat(f[VIEW_COUNT_24H]).isEqualTo(0);
        assertThat(f[VIEW_COUNT_7D]).isEqualTo(1);
        assertThat(f[PURCHASE_COUNT_28D]).isEqualTo(1);
        assertThat(f[SESSIONS_7D]).isEqualTo(1);
        assertThat(f[ACTIVE_DAYS_28D]).isEqualTo(1);
        assertThat(f[SESSION_EVENTS]).isEqualTo(0);
        assertThat(f[SESSION_DURATION_SECONDS]).isEqualTo(0);
        assertThat(f[SECONDS_SINCE_PREVIOUS_EVENT]).isEqualTo(3 * 86_400 + 110 * 60);
        assertThat(f[SECONDS_SINCE_LAST_PURCHASE]).isEqualTo(3 * 86_400 + 110 * 60);
        assertThat(f[SECONDS_SINCE_LAST_CART]).isEqualTo(3 * 86_400 + 115 * 60);
        assertThat(f[TENURE_SECONDS]).isEqualTo(3 * 86_400 + 120 * 60);
        assertThat(f[PURCHASE_VALUE_28D]).isEqualTo(20.0);
        assertThat(f[MEAN_VIEW_PRICE_24H]).isNaN();
        assertThat(f[VIEW_TO_CART_RATIO_7D]).isEqualTo(1.0);
        assertThat(f[CART_TO_PURCHASE_RATIO_28D]).isEqualTo(1.0);
        assertThat(f[ACTIVITY_TREND_7D]).isEqualTo(1.0);
        assertThat(f[HOUR_OF_DAY]).isEqualTo(12);
        assertThat(f[DAY_OF_WEEK]).isEqualTo(4);

        // at the purchase itself
        double[] atPurchase = user.features(T0 + 10 * HOUR + 10 * MINUTE, CONFIG);
        assertThat(atPurchase[SESSION_EVENTS]).isEqualTo(3);
        assertThat(atPurchase[SESSION_DURATION_SECONDS]).isEqualTo(600);
        assertThat(atPurchase[SECONDS_SINCE_PREVIOUS_EVENT]).isEqualTo(300);
        assertThat(atPurchase[MEAN_VIEW_PRICE_24H]).isEqualTo(10.0);
        assertThat(atPurchase[DAY_OF_WEEK]).isEqualTo(1);

        // two weeks later the trend has turned fully negative, then vanishes
        assertThat(user.features(T0 + 8 * DAY, CONFIG)[ACTIVITY_TREND_7D]).isEqualTo(-1.0);
        assertThat(user.features(T0 + 15 * DAY, CONFIG)[ACTIVITY_TREND_7D]).isNaN();
    }

    @Test
    void shouldReportMissingValuesForAUserWithoutHistory() {
        double[] f = UserActivity.empty().features(T0, CONFIG);

        assertThat(f[VIEW_COUNT_28D]).isEqualTo(0);
        assertThat(f[SESSION_EVENTS]).isEqualTo(0);
        assertThat(f[PURCHASE_VALUE_28D]).isEqualTo(0);
        assertThat(f[SECONDS_SINCE_PREVIOUS_EVENT]).isNaN();
        assertThat(f[SECONDS_SINCE_LAST_CART]).isNaN();
        assertThat(f[TENURE_SECONDS]).isNaN();
        assertThat(f[VIEW_TO_CART_RATIO_7D]).isNaN();
        assertThat(f[ACTIVITY_TREND_7D]).isNaN();
        assertThat(f[HOUR_OF_DAY]).isEqualTo(0);
    }

    @Test
    void shouldLeaveThePurchaseValueMissingWhenAPurchaseHadNoPrice() {
        UserActivity user = UserActivity.empty();
        user.apply(priced(T0, EventType.PURCHASE, "a", 5.0), CONFIG);
        assertThat(user.features(T0, CONFIG)[PURCHASE_VALUE_28D]).isEqualTo(5.0);

        user.apply(event(T0 + MINUTE, EventType.PURCHASE, "b"), CONFIG);
        assertThat(user.features(T0 + MINUTE, CONFIG)[PURCHASE_VALUE_28D]).isNaN();
    }

    @Test
    void shouldUseTheConfiguredZoneForCalendarFeatures() {
        FeatureConfig shanghai =
                new FeatureConfig(
                        FeatureConfig.DEFAULT_SESSION_GAP,
                        FeatureConfig.DEFAULT_ALLOWED_LATENESS,
                        FeatureConfig.DEFAULT_RETENTION,
                        ZoneId.of("Asia/Shanghai"));
        UserActivity user = UserActivity.empty();
        // 15:30 and 16:30 UTC on Monday are 23:30 Monday and 00:30 Tuesday in Shanghai
        user.apply(event(T0 + 15 * HOUR + 30 * MINUTE, EventType.VIEW, "a"), shanghai);
        user.apply(event(T0 + 16 * HOUR + 30 * MINUTE, EventType.VIEW, "b"), shanghai);

        double[] f = user.features(T0 + 16 * HOUR + 30 * MINUTE, shanghai);
        assertThat(f[HOUR_OF_DAY]).isEqualTo(0);
        assertThat(f[DAY_OF_WEEK]).isEqualTo(2);
        assertThat(f[ACTIVE_DAYS_28D]).isEqualTo(2);
        UserActivity utcUser = UserActivity.empty();
        utcUser.apply(event(T0 + 15 * HOUR + 30 * MINUTE, EventType.VIEW, "a"), CONFIG);
        utcUser.apply(event(T0 + 16 * HOUR + 30 * MINUTE, EventType.VIEW, "b"), CONFIG);
        assertThat(utcUser.features(T0 + 16 * HOUR + 30 * MINUTE, CONFIG)[ACTIVE_DAYS_28D])
                .isEqualTo(1);
    }

    @Test
    void shouldExpireAUserOnlyAfterTheRetention() {
        UserActivity user = UserActivity.empty();
        assertThat(user.isExpired(T0, CONFIG)).isTrue();
        user.apply(event(T0, EventType.VIEW, "a"), CONFIG);

        assertThat(user.isExpired(T0 + 90 * DAY, CONFIG)).isFalse();
        assertThat(user.isExpired(T0 + 90 * DAY + 1, CONFIG)).isTrue();
        FeatureConfig shortRetention =
                new FeatureConfig(
                        FeatureConfig.DEFAULT_SESSION_GAP,
                        FeatureConfig.DEFAULT_ALLOWED_LATENESS,
                        Duration.ofDays(1),
                        ZoneId.of("UTC"));
        assertThat(user.isExpired(T0 + DAY + 1, shortRetention)).isTrue();
    }

    @Test
    void shouldSerializeAndReadBackTheSameState() {
        UserActivity user = UserActivity.empty();
        user.apply(priced(T0, EventType.VIEW, "a", 3.5), CONFIG);
        user.apply(inSession(T0 + MINUTE, EventType.CART, "s"), CONFIG);
        user.apply(priced(T0 + 3 * DAY, EventType.PURCHASE, "a", 7.25), CONFIG);

        UserActivity back = UserActivity.fromBytes(user.toBytes());

        assertThat(back).isEqualTo(user);
        assertThat(back.features(T0 + 4 * DAY, CONFIG))
                .containsExactly(user.features(T0 + 4 * DAY, CONFIG));
        assertThat(UserActivity.fromBytes(UserActivity.empty().toBytes()).isEmpty()).isTrue();
    }
}
