package io.propensity.job.reliability;

import io.propensity.features.EventType;
import io.propensity.features.FeatureConfig;
import io.propensity.features.ShopperEvent;
import io.propensity.features.UserActivity;
import io.propensity.job.InputLimits;
import io.propensity.job.SourceRecord;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Why the job refuses prices above {@link InputLimits#MAX_PRICE}: found by the hostile-input test.
 * Two huge prices in one hour bucket add up to infinity, and the per-user state format refuses to
 * read such a bucket back, so one shopper's state would fail the job on every event and restart.
 */
class PriceLimitTest {

    private static final long T = 1_569_888_000_000L; // 2019-10-01T00:00:00Z

    @Test
    void shouldShowThatHugePricesWouldMakeTheStateUnreadable() {
        UserActivity activity = UserActivity.empty();
        FeatureConfig config = FeatureConfig.defaults();
        activity.apply(view("u1", T, 1e308), config);
        activity.apply(view("u1", T + 1_000, 1e308), config);

        byte[] bytes = activity.toBytes();

        assertThatThrownBy(() -> UserActivity.fromBytes(bytes))
                .hasMessageContaining("price sum Infinity");
    }

    @Test
    void shouldKeepTheStateReadableAtTheLimit() {
        UserActivity activity = UserActivity.empty();
        FeatureConfig config = FeatureConfig.defaults();
        for (int i = 0; i < 1000; i++) {
            activity.apply(view("u1", T + i * 1000L, InputLimits.MAX_PRICE), config);
        }

        assertThat(UserActivity.fromBytes(activity.toBytes())).isEqualTo(activity);
    }

    @Test
    void shouldSendAPriceAboveTheLimitToTheDeadLetters() {
        InputLimits limits = new InputLimits(InputLimits.DEFAULT_MAX_RECORD_BYTES);
        String over =
                "{\"user_id\":\"u1\",\"event_time\":"
                        + T
                        + ",\"event_type\":\"view\",\"price\":1e13}";
        String at =
                "{\"user_id\":\"u1\",\"event_time\":"
                        + T
                        + ",\"event_type\":\"view\",\"price\":1e12}";

        SourceRecord refused = limits.admitJson(utf8(over), "events", 0, 7, T);
        SourceRecord admitted = limits.admitJson(utf8(at), "events", 0, 8, T);

        assertThat(refused.isEvent()).isFalse();
        assertThat(refused.deadLetter().reason()).contains("'price'").contains("limit");
        assertThat(admitted.isEvent()).isTrue();
        assertThat(admitted.event().price()).isEqualTo(1e12);
    }

    private static ShopperEvent view(String user, long time, double price) {
        return new ShopperEvent(user, time, EventType.VIEW, null, "p1", null, null, null, price);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
