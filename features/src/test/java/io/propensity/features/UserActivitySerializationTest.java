package io.propensity.features;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserActivitySerializationTest {

    static UserActivity stateOf(long seed, int length, boolean sessionIds) {
        UserActivity state = UserActivity.empty();
        for (ShopperEvent e : UserActivityPropertiesTest.sequence(seed, length, sessionIds)) {
            state.apply(e, FeatureConfig.defaults());
        }
        return state;
    }

    @Property(tries = 200)
    void shouldReadBackAnEqualStateThatKeepsEvolvingTheSameWay(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 80) int length,
            @ForAll boolean sessionIds) {
        List<ShopperEvent> events =
                UserActivityPropertiesTest.sequence(seed, length + 10, sessionIds);
        UserActivity original = UserActivity.empty();
        for (ShopperEvent e : events.subList(0, length)) {
            original.apply(e, FeatureConfig.defaults());
        }

        byte[] bytes = original.toBytes();
        UserActivity copy = UserActivity.fromBytes(bytes);

        assertThat(bytes[0]).isEqualTo(UserActivity.FORMAT_VERSION);
        assertThat(copy).isEqualTo(original);
        assertThat(copy.toBytes()).isEqualTo(bytes);
        // the copy must behave like the original on what comes next
        for (ShopperEvent e : events.subList(length, events.size())) {
            assertThat(copy.apply(e, FeatureConfig.defaults()))
                    .isEqualTo(original.apply(e, FeatureConfig.defaults()));
            long asOf = original.lastEventMillis();
            assertThat(copy.features(asOf, FeatureConfig.defaults()))
                    .containsExactly(original.features(asOf, FeatureConfig.defaults()));
        }
    }

    @Property(tries = 100)
    void shouldWriteTheSameBytesAfterAnOffsetAndReadThemBackFromThere(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 80) int length,
            @ForAll @IntRange(min = 0, max = 40) int offset) {
        UserActivity original = stateOf(seed, length, seed % 2 == 0);
        byte[] plain = original.toBytes(UserActivity.FORMAT_VERSION);

        byte[] withRoom = original.toBytes(UserActivity.FORMAT_VERSION, offset);
        // the caller's bytes: anything it likes, the activity must not read them
        for (int i = 0; i < offset; i++) {
            withRoom[i] = (byte) (0xA5 ^ i);
        }

        assertThat(withRoom).hasSize(offset + plain.length);
        assertThat(Arrays.copyOfRange(withRoom, offset, withRoom.length)).isEqualTo(plain);
        assertThat(UserActivity.fromBytes(withRoom, offset)).isEqualTo(original);
        assertThatThrownBy(() -> UserActivity.fromBytes(withRoom, withRoom.length))
                .hasMessageContaining("empty");
    }

    @Test
    void shouldRefuseEmptyBytesAndUnknownVersions() {
        assertThatThrownBy(() -> UserActivity.fromBytes(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        byte[] bytes = stateOf(1, 20, false).toBytes();
        bytes[0] = 3;
        assertThatThrownBy(() -> UserActivity.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "UserActivity format version 3 is newer than this build, which reads"
                                + " versions 1 to 2");
        bytes[0] = 0;
        assertThatThrownBy(() -> UserActivity.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown UserActivity format version 0");
        assertThatThrownBy(() -> UserActivity.fromBytes("{\"user_id\":1}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 123");
    }

    @Test
    void shouldRefuseEveryTruncationAndTrailingBytes() {
        byte[] bytes = stateOf(7, 60, true).toBytes();
        for (int n = 1; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> UserActivity.fromBytes(prefix))
                    .as("prefix of %d bytes", n)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("UserActivity bytes");
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> UserActivity.fromBytes(longer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing");
    }

    @Test
    void shouldRefuseRandomGarbageOrReadItConsistently() {
        Random random = new Random(42);
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[1 + random.nextInt(60)];
            random.nextBytes(garbage);
            garbage[0] = UserActivity.FORMAT_VERSION;
            try {
                UserActivity state = UserActivity.fromBytes(garbage);
                // the rare garbage that is a valid encoding must be a usable state
                assertThat(UserActivity.fromBytes(state.toBytes())).isEqualTo(state);
                state.features(state.lastEventMillis(), FeatureConfig.defaults());
            } catch (IllegalArgumentException expected) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(19_000);
    }
}
