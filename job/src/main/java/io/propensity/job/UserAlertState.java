package io.propensity.job;

import io.propensity.features.UserActivity;

import java.nio.ByteBuffer;

/**
 * The job's own per-user bookkeeping, next to the features module's {@code UserActivity}: the one
 * pending timer, the purchase-intent cooldown and the churn episode already alerted.
 *
 * <p>Both live in one RocksDB value per user, the {@code user} state, so an event costs one state
 * read and one write: the first {@link #SIZE} bytes are this bookkeeping (a format version byte,
 * then four longs), the rest is the activity in its own versioned format ({@link
 * UserActivity#toBytes(int, int)}). A timer that changes only the bookkeeping rewrites those bytes
 * in place and leaves the activity's bytes as they are.
 */
final class UserAlertState {

    /** "Nothing here" for every field. */
    static final long NONE = Long.MIN_VALUE;

    private static final byte FORMAT_VERSION = 1;

    /** Bytes of the bookkeeping at the start of the value; the activity follows. */
    static final int SIZE = 1 + 4 * Long.BYTES;

    /** The user's one pending event-time timer (inactivity check or retention), or NONE. */
    long pendingTimer = NONE;

    /** Start of the session of the latest purchase-intent alert, or NONE. */
    long purchaseAlertSessionStart = NONE;

    /** Trigger time of the latest purchase-intent alert, or NONE. */
    long purchaseAlertTime = NONE;

    /**
     * The inactivity episode that already had its churn-risk alert, identified by the time of the
     * latest event before the silence, or NONE.
     */
    long churnAlertEpisode = NONE;

    /** The user's value: this bookkeeping, then {@code activity} in {@code formatVersion}. */
    byte[] toValue(UserActivity activity, int formatVersion) {
        byte[] value = activity.toBytes(formatVersion, SIZE);
        writeInto(value);
        return value;
    }

    /** Overwrites the bookkeeping at the start of {@code value}; the activity stays as it is. */
    void writeInto(byte[] value) {
        ByteBuffer.wrap(value, 0, SIZE)
                .put(FORMAT_VERSION)
                .putLong(pendingTimer)
                .putLong(purchaseAlertSessionStart)
                .putLong(purchaseAlertTime)
                .putLong(churnAlertEpisode);
    }

    /** The bookkeeping of a user's value; all {@link #NONE} for {@code null} (no state yet). */
    static UserAlertState fromValue(byte[] value) {
        UserAlertState state = new UserAlertState();
        if (value == null) {
            return state;
        }
        if (value.length <= SIZE || value[0] != FORMAT_VERSION) {
            throw new IllegalStateException(
                    "unknown per-user state layout: alert state format version "
                            + (value.length == 0 ? "(none)" : String.valueOf(value[0]))
                            + " in "
                            + value.length
                            + " bytes; this build writes version "
                            + FORMAT_VERSION
                            + " followed by the activity");
        }
        ByteBuffer buffer = ByteBuffer.wrap(value, 1, SIZE - 1);
        state.pendingTimer = buffer.getLong();
        state.purchaseAlertSessionStart = buffer.getLong();
        state.purchaseAlertTime = buffer.getLong();
        state.churnAlertEpisode = buffer.getLong();
        return state;
    }

    /** The activity of a user's value, {@code null} for {@code null}. */
    static UserActivity activityOf(byte[] value) {
        return value == null ? null : UserActivity.fromBytes(value, SIZE);
    }
}
