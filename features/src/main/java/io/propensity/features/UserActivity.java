package io.propensity.features;

/**
 * One shopper's history, reduced to bounded rolling aggregates: the per-user state of the job and
 * of the training replay.
 *
 * <p>Not thread-safe; one instance per user, updated one event at a time. Its size has a fixed
 * upper bound however long the history. It serializes to a compact byte array that starts with a
 * format version byte, so the job can keep it in one RocksDB value and evolve it later.
 */
public final class UserActivity {

    /** A user with no history. */
    public static UserActivity empty() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Merges an event into the aggregates, unless it is a duplicate of an event already applied or
     * later than the allowed lateness behind the latest event.
     */
    public ApplyOutcome apply(ShopperEvent event, FeatureConfig config) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Writes the feature vector as of {@code asOfMillis} into {@code out} (length {@link
     * FeatureSchema#size()}), in {@link FeatureSchema} order, {@code NaN} for missing values.
     * {@code asOfMillis} is the time of the latest applied event when scoring an event, or a later
     * instant (an inactivity check) when the user went quiet. Allocates nothing.
     */
    public void features(long asOfMillis, FeatureConfig config, double[] out) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Convenience for {@link #features(long, FeatureConfig, double[])} into a new array. */
    public double[] features(long asOfMillis, FeatureConfig config) {
        double[] out = new double[FeatureSchema.size()];
        features(asOfMillis, config, out);
        return out;
    }

    /** The time of the latest applied event, or {@link Long#MIN_VALUE} when there is none. */
    public long lastEventMillis() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The start of the session that the latest event belongs to, or {@link Long#MIN_VALUE}. */
    public long currentSessionStartMillis() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Whether the user has been inactive for longer than the retention at {@code nowMillis}. */
    public boolean isExpired(long nowMillis, FeatureConfig config) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The compact serialized form, starting with its format version byte. */
    public byte[] toBytes() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Reads the serialized form.
     *
     * @throws IllegalArgumentException when the bytes are not a known version of the format
     */
    public static UserActivity fromBytes(byte[] bytes) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
