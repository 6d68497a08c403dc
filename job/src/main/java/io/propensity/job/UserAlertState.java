package io.propensity.job;

import java.nio.ByteBuffer;

/**
 * The job's own per-user bookkeeping, next to the features module's {@code UserActivity}: the one
 * pending timer, the purchase-intent cooldown and the churn episode already alerted. Kept in one
 * small RocksDB value (33 bytes) that starts with a format version byte, like {@code UserActivity}.
 */
final class UserAlertState {

    /** "Nothing here" for every field. */
    static final long NONE = Long.MIN_VALUE;

    private static final byte FORMAT_VERSION = 1;
    private static final int SIZE = 1 + 4 * Long.BYTES;

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

    byte[] toBytes() {
        return ByteBuffer.allocate(SIZE)
                .put(FORMAT_VERSION)
                .putLong(pendingTimer)
                .putLong(purchaseAlertSessionStart)
                .putLong(purchaseAlertTime)
                .putLong(churnAlertEpisode)
                .array();
    }

    static UserAlertState fromBytes(byte[] bytes) {
        UserAlertState state = new UserAlertState();
        if (bytes == null) {
            return state;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte version = buffer.get();
        if (version != FORMAT_VERSION || bytes.length != SIZE) {
            throw new IllegalStateException(
                    "unknown per-user alert state format version "
                            + version
                            + " ("
                            + bytes.length
                            + " bytes)");
        }
        state.pendingTimer = buffer.getLong();
        state.purchaseAlertSessionStart = buffer.getLong();
        state.purchaseAlertTime = buffer.getLong();
        state.churnAlertEpisode = buffer.getLong();
        return state;
    }
}
