package io.propensity.features;

import java.util.Arrays;

/**
 * One resolution of a user's rolling aggregates: sparse buckets of a fixed width (a minute, an
 * hour, a local day), kept sorted by bucket index, only the non-empty ones, and only the latest
 * {@link #span} bucket indices behind the newest bucket. That span bounds the state's size.
 *
 * <p>Each bucket holds {@link #FIELDS} integer counters (one per event type, then session starts,
 * then a "priced" counter whose meaning the owner decides) and one price sum.
 */
final class BucketTier {

    static final int SESSION_STARTS = EventType.count();
    static final int PRICED = SESSION_STARTS + 1;
    static final int FIELDS = PRICED + 1;

    private static final int INITIAL_CAPACITY = 4;

    // shared by every empty tier: states are created per event in the job, so this saves garbage
    private static final long[] NO_INDEX = new long[0];
    private static final int[] NO_COUNTS = new int[0];
    private static final double[] NO_SUMS = new double[0];

    final int span;
    long[] index;
    int[] counts;
    double[] sums;
    int size;

    BucketTier(int span) {
        this.span = span;
        this.index = NO_INDEX;
        this.counts = NO_COUNTS;
        this.sums = NO_SUMS;
    }

    /** The newest bucket index, or {@link Long#MIN_VALUE} when empty. */
    long newest() {
        return size == 0 ? Long.MIN_VALUE : index[size - 1];
    }

    /**
     * The slot of bucket {@code idx}, created if needed, or -1 when the bucket is older than the
     * span behind the newest bucket (it can no longer fall in any window of this tier). Creating a
     * newer bucket drops the buckets that fall out of the span.
     */
    int slot(long idx) {
        if (size == 0 || idx > index[size - 1]) {
            dropOlderThan(idx - span);
            ensureCapacity(size + 1);
            index[size] = idx;
            Arrays.fill(counts, size * FIELDS, (size + 1) * FIELDS, 0);
            sums[size] = 0;
            return size++;
        }
        if (idx <= index[size - 1] - span) {
            return -1;
        }
        // late events land near the end: search backwards
        int i = size - 1;
        while (i >= 0 && index[i] > idx) {
            i--;
        }
        if (i >= 0 && index[i] == idx) {
            return i;
        }
        int at = i + 1;
        ensureCapacity(size + 1);
        System.arraycopy(index, at, index, at + 1, size - at);
        System.arraycopy(counts, at * FIELDS, counts, (at + 1) * FIELDS, (size - at) * FIELDS);
        System.arraycopy(sums, at, sums, at + 1, size - at);
        index[at] = idx;
        Arrays.fill(counts, at * FIELDS, (at + 1) * FIELDS, 0);
        sums[at] = 0;
        size++;
        return at;
    }

    /** The slot of bucket {@code idx} if it exists, else -1. */
    int find(long idx) {
        for (int i = size - 1; i >= 0 && index[i] >= idx; i--) {
            if (index[i] == idx) {
                return i;
            }
        }
        return -1;
    }

    private void dropOlderThan(long oldestKeptExclusive) {
        int drop = 0;
        while (drop < size && index[drop] <= oldestKeptExclusive) {
            drop++;
        }
        if (drop > 0) {
            int keep = size - drop;
            System.arraycopy(index, drop, index, 0, keep);
            System.arraycopy(counts, drop * FIELDS, counts, 0, keep * FIELDS);
            System.arraycopy(sums, drop, sums, 0, keep);
            size = keep;
        }
    }

    private void ensureCapacity(int needed) {
        if (index.length < needed) {
            int capacity = Math.min(span + 1, Math.max(INITIAL_CAPACITY, index.length * 2));
            capacity = Math.max(capacity, needed);
            index = Arrays.copyOf(index, capacity);
            counts = Arrays.copyOf(counts, capacity * FIELDS);
            sums = Arrays.copyOf(sums, capacity);
        }
    }

    /** Allocates exactly {@code n} buckets, for deserialization. */
    void resize(int n) {
        if (n == 0) {
            return;
        }
        index = new long[n];
        counts = new int[n * FIELDS];
        sums = new double[n];
        size = n;
    }

    boolean sameContent(BucketTier other) {
        return size == other.size
                && Arrays.equals(index, 0, size, other.index, 0, size)
                && Arrays.equals(counts, 0, size * FIELDS, other.counts, 0, size * FIELDS)
                && Arrays.equals(sums, 0, size, other.sums, 0, size);
    }

    int contentHash() {
        int hash = size;
        for (int i = 0; i < size; i++) {
            hash = 31 * hash + Long.hashCode(index[i]);
            hash = 31 * hash + Double.hashCode(sums[i]);
        }
        for (int i = 0; i < size * FIELDS; i++) {
            hash = 31 * hash + counts[i];
        }
        return hash;
    }
}
