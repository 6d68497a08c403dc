package io.propensity.features;

import io.propensity.features.io.EventFormat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Serialized bytes per user on the real data (the numbers in the README come from this test's
 * output), and the fixed upper bound on an adversarial user.
 */
class UserActivitySizeTest {

    static int[] finalSizes(EventFormat format, String... files) throws IOException {
        FeatureReplay replay = new FeatureReplay(FeatureConfig.defaults(), (e, o, s, f) -> {});
        for (String file : files) {
            replay.replay(Path.of(file), format, (source, line, reason, raw) -> {});
        }
        int[] sizes = replay.states().values().stream().mapToInt(s -> s.toBytes().length).toArray();
        Arrays.sort(sizes);
        return sizes;
    }

    static String describe(String name, int[] sizes) {
        return String.format(
                "%s: %d users, bytes per user median %d, p99 %d, max %d",
                name,
                sizes.length,
                sizes[sizes.length / 2],
                sizes[(int) Math.ceil(sizes.length * 0.99) - 1],
                sizes[sizes.length - 1]);
    }

    @Test
    void shouldKeepATypicalRealUserWellUnderOneKibibyte() throws IOException {
        int[] rees46 =
                finalSizes(
                        EventFormat.REES46,
                        "../data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz");
        int[] taobao =
                finalSizes(
                        EventFormat.TAOBAO,
                        "../data/taobao-userbehavior-head/UserBehavior_head.csv.gz",
                        "../data/taobao-userbehavior-tail/UserBehavior_tail.csv.gz");
        System.out.println(describe("REES46 head", rees46));
        System.out.println(describe("Taobao head+tail", taobao));

        assertThat(rees46[rees46.length / 2]).isLessThanOrEqualTo(1024);
        assertThat(taobao[taobao.length / 2]).isLessThanOrEqualTo(1024);
        assertThat(taobao[taobao.length - 1]).isLessThanOrEqualTo(2048);
    }

    @Test
    void shouldStayUnderTheFixedBoundForAUserActiveEveryMinuteForMonths() {
        UserActivity user = UserActivity.empty();
        FeatureConfig config = FeatureConfig.defaults();
        long start = 1_700_000_000_000L;
        int maxBytes = 0;
        // every minute for 40 days, every type, priced, a new source session each hour
        for (long minute = 0; minute < 40 * 24 * 60; minute++) {
            for (EventType type : EventType.values()) {
                user.apply(
                        new ShopperEvent(
                                "u",
                                start + minute * 60_000L + type.ordinal(),
                                type,
                                "s" + minute / 60,
                                "p" + minute,
                                null,
                                null,
                                null,
                                1234.56),
                        config);
            }
            if (minute % 1000 == 0) {
                maxBytes = Math.max(maxBytes, user.toBytes().length);
            }
        }
        maxBytes = Math.max(maxBytes, user.toBytes().length);
        System.out.println("bytes of a user active every minute for 40 days: " + maxBytes);

        // 60 + 336 + 28 buckets of at most 1 + 1 + 7 * 5 + 8 bytes, 64 fingerprints of 14,
        // and under 100 bytes of times and session counters
        assertThat(maxBytes).isLessThanOrEqualTo(424 * 45 + 64 * 14 + 100);
    }
}
