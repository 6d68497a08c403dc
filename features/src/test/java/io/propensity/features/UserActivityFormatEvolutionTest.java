package io.propensity.features;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Format version 2 reads what version 1 wrote and initialises the aggregate version 1 lacked
 * ({@link UserActivity#totalPurchases()}); a version newer than the build is refused.
 *
 * <p>The version 1 bytes below were written by the build before version 2 existed (commit af485bf),
 * from {@link #history()}: they pin that this build reads the old layout, not only its own idea of
 * it.
 */
class UserActivityFormatEvolutionTest {

    private static final FeatureConfig CONFIG = FeatureConfig.defaults();
    private static final long DAY = 86_400_000L;
    private static final long D0 = Instant.parse("2019-10-01T10:00:00Z").toEpochMilli();
    private static final long D35 = D0 + 35 * DAY;

    /** {@link #history()} as written by the version 1 build. */
    private static final String VERSION_1_BYTES =
            "0101c0c3b2b0c75be0cf8ca20bd1e80c01d1e80ce0a71204010104e0a712b738352380d30eb7383526d0"
                    + "e80c556faed700f3a72886030002010408020101010100eb01010201014034000000000000"
                    + "0100eb01010201014034000000000000";

    /** One purchase on day 0, two on day 35 (one without a price), views and carts around. */
    private static List<ShopperEvent> history() {
        return List.of(
                event(D0, EventType.VIEW, "s1", "p1", 10.0),
                event(D0 + 60_000, EventType.CART, "s1", "p1", 10.0),
                event(D0 + 120_000, EventType.PURCHASE, "s1", "p1", 10.0),
                event(D35, EventType.VIEW, null, "p2", 20.0),
                event(D35 + 60_000, EventType.PURCHASE, null, "p2", 20.0),
                event(D35 + 90_000, EventType.PURCHASE, null, "p3", Double.NaN),
                event(D35 + 300_000, EventType.CART, null, "p4", 5.5));
    }

    private static ShopperEvent event(
            long time, EventType type, String session, String product, double price) {
        return new ShopperEvent("u", time, type, session, product, null, null, null, price);
    }

    private static UserActivity replay(List<ShopperEvent> events) {
        UserActivity state = UserActivity.empty();
        for (ShopperEvent e : events) {
            state.apply(e, CONFIG);
        }
        return state;
    }

    @Test
    void shouldReadVersionOneBytesOfTheOldBuildAndStartTheTotalFromTheDayTier() {
        byte[] old = HexFormat.of().parseHex(VERSION_1_BYTES);
        UserActivity current = replay(history());
        assertThat(current.totalPurchases()).isEqualTo(3);

        UserActivity migrated = UserActivity.fromBytes(old);

        // version 1 forgot the day-0 purchase after 28 days: the total starts at the two it held
        assertThat(migrated.totalPurchases()).isEqualTo(2);
        // everything else is the state the current build builds from the same events
        assertThat(migrated.features(D35 + DAY, CONFIG))
                .containsExactly(current.features(D35 + DAY, CONFIG));
        assertThat(migrated.toBytes(1)).isEqualTo(old);
        assertThat(current.toBytes(1)).isEqualTo(old);
        // and it keeps counting from there
        ShopperEvent next = event(D35 + 400_000, EventType.PURCHASE, null, "p5", 1.0);
        assertThat(migrated.apply(next, CONFIG)).isEqualTo(ApplyOutcome.APPLIED);
        assertThat(migrated.totalPurchases()).isEqualTo(3);
        assertThat(UserActivity.fromBytes(migrated.toBytes()).totalPurchases()).isEqualTo(3);
        assertThat(migrated.toBytes()[0]).isEqualTo((byte) 2);
    }

    @Test
    void shouldReadTheEmptyStateOfVersionOne() {
        UserActivity empty = UserActivity.fromBytes(new byte[] {1, 0});
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.totalPurchases()).isZero();
        assertThat(empty.toBytes()).containsExactly(2, 0);
    }

    @Property(tries = 200)
    void shouldCountEveryAppliedPurchaseAndMigrateVersionOneToThePurchasesIn28Days(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 120) int length,
            @ForAll boolean sessionIds) {
        UserActivity state = UserActivity.empty();
        long applied = 0;
        for (ShopperEvent e : UserActivityPropertiesTest.sequence(seed, length, sessionIds)) {
            ApplyOutcome outcome = state.apply(e, CONFIG);
            if (outcome == ApplyOutcome.APPLIED && e.type() == EventType.PURCHASE) {
                applied++;
            }
        }
        assertThat(state.totalPurchases()).isEqualTo(applied);
        assertThat(UserActivity.fromBytes(state.toBytes())).isEqualTo(state);

        UserActivity migrated = UserActivity.fromBytes(state.toBytes(1));
        double purchases28d =
                state.features(state.lastEventMillis(), CONFIG)[FeatureSchema.PURCHASE_COUNT_28D];
        assertThat(migrated.totalPurchases()).isEqualTo((long) purchases28d);
        assertThat(migrated.features(state.lastEventMillis(), CONFIG))
                .containsExactly(state.features(state.lastEventMillis(), CONFIG));
    }

    @Test
    void shouldRefuseATotalBelowThePurchasesTheDayTierHolds() {
        byte[] bytes = replay(history()).toBytes();
        // the total is the last byte: 3 purchases; the day tier holds 2
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) 3);
        bytes[bytes.length - 1] = 1;
        assertThatThrownBy(() -> UserActivity.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("total purchases 1 below the day tier's 2");
    }

    @Test
    void shouldRefuseANewerVersionAndWriteOnlyKnownOnes() {
        byte[] bytes = replay(history()).toBytes();
        bytes[0] = UserActivity.FORMAT_VERSION + 1;
        assertThatThrownBy(() -> UserActivity.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "UserActivity format version 3 is newer than this build, which reads"
                                + " versions 1 to 2: run the build that wrote it, or a later one");
        assertThatThrownBy(() -> UserActivity.empty().toBytes(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot write UserActivity format version 3");
        assertThatThrownBy(() -> UserActivity.empty().toBytes(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot write UserActivity format version 0");
    }
}
