package io.propensity.features;

import java.util.Arrays;

/**
 * The byte layout of {@link UserActivity}, versions 1 and 2. Times are written as unsigned
 * variable-length deltas back from the latest event (usually one to four bytes), counters as
 * variable-length integers, each bucket as a delta of its index, a bit mask of its non-zero
 * counters, those counters, and its price sum only when non-zero. A reader refuses anything it did
 * not write: unknown versions, truncation, trailing bytes and values that break the state's
 * invariants.
 *
 * <pre>
 * version            1 byte (1 or 2)
 * flags              1 byte: 1 = has events, 2 = current session has a source id
 * if has events:
 *   last event       zig-zag varlong, epoch ms
 *   first event      varlong, ms before last
 *   previous, last cart, last purchase
 *                    varlong each: 0 = none, else 1 + ms before last
 *   session start    varlong, ms before last
 *   session key      8 bytes, only with flag 2
 *   session events, views, carts
 *                    varint each
 *   fingerprints     varint n, then n times (varlong ms before last, 4-byte hash)
 *   minute, hour, day tiers, each:
 *                    varint n; if n &gt; 0: zig-zag varlong (last event's bucket - newest bucket),
 *                    then n buckets from newest to oldest: varlong index gap to the previous
 *                    bucket (absent for the newest), mask byte (bit f: counter f non-zero,
 *                    bit 7: price sum present), the non-zero counters as varints, the price sum
 *                    as an 8-byte double
 *   version 2 only:
 *   total purchases  varlong, at least the purchases in the day tier
 * </pre>
 *
 * <h2>Evolving it</h2>
 *
 * A new version appends or changes fields, bumps {@link UserActivity#FORMAT_VERSION}, and keeps
 * reading every older version: {@link #read} initialises what the older version lacks from what it
 * has (version 1 has no total purchases: they start from the day tier's purchases). A version newer
 * than the build is refused with a message naming both, never read as something else. The writer
 * keeps the previous version too ({@link UserActivity#toBytes(int)}), so a job can keep writing it
 * until a rollback to the previous build is no longer wanted.
 */
final class UserActivityFormat {

    private static final int HAS_EVENTS = 1;
    private static final int HAS_SESSION_KEY = 2;
    private static final int HAS_SUM = 1 << 7;

    private UserActivityFormat() {}

    static byte[] write(UserActivity state, int version) {
        return write(state, version, 0);
    }

    /**
     * Writes the state after {@code offset} bytes that the caller fills with its own data: one
     * array for a value that keeps more than the activity, without a second copy.
     */
    static byte[] write(UserActivity state, int version, int offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (version < UserActivity.OLDEST_FORMAT_VERSION || version > UserActivity.FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "cannot write UserActivity format version "
                            + version
                            + " (this build writes versions "
                            + UserActivity.OLDEST_FORMAT_VERSION
                            + " to "
                            + UserActivity.FORMAT_VERSION
                            + ")");
        }
        // most states fit this guess, so the buffer rarely grows
        int buckets = state.minutes.size + state.hours.size + state.days.size;
        Sink out = new Sink(offset + 48 + 14 * state.fingerprints + 12 * buckets);
        out.size = offset;
        out.writeByte(version);
        if (state.isEmpty()) {
            out.writeByte(0);
            return out.toArray();
        }
        long last = state.lastEventMillis;
        out.writeByte(HAS_EVENTS | (state.sessionKey != 0 ? HAS_SESSION_KEY : 0));
        out.writeVarLong(zigZag(last));
        out.writeVarLong(last - state.firstEventMillis);
        writeOptionalTime(out, last, state.previousEventMillis);
        writeOptionalTime(out, last, state.lastCartMillis);
        writeOptionalTime(out, last, state.lastPurchaseMillis);
        out.writeVarLong(last - state.sessionStartMillis);
        if (state.sessionKey != 0) {
            out.writeLong(state.sessionKey);
        }
        out.writeVarLong(state.sessionEvents);
        out.writeVarLong(state.sessionViews);
        out.writeVarLong(state.sessionCarts);
        out.writeVarLong(state.fingerprints);
        for (int i = 0; i < state.fingerprints; i++) {
            out.writeVarLong(last - state.fingerprintTimes[i]);
            out.writeInt(state.fingerprintHashes[i]);
        }
        writeTier(out, state.minutes, Math.floorDiv(last, UserActivity.MINUTE));
        writeTier(out, state.hours, Math.floorDiv(last, UserActivity.HOUR));
        writeTier(out, state.days, Math.floorDiv(last, ZoneOffsets.MILLIS_PER_DAY));
        if (version >= 2) {
            out.writeVarLong(state.totalPurchases);
        }
        return out.toArray();
    }

    private static void writeOptionalTime(Sink out, long last, long time) {
        out.writeVarLong(time == Long.MIN_VALUE ? 0 : last - time + 1);
    }

    /** The most bytes one bucket takes: gap, mask, 7 counters, price sum. */
    private static final int MAX_BUCKET_BYTES = 10 + 1 + BucketTier.FIELDS * 5 + 8;

    private static void writeTier(Sink out, BucketTier tier, long reference) {
        out.writeVarLong(tier.size);
        if (tier.size == 0) {
            return;
        }
        out.writeVarLong(zigZag(reference - tier.newest()));
        int[] counts = tier.counts;
        for (int i = tier.size - 1; i >= 0; i--) {
            out.ensure(MAX_BUCKET_BYTES);
            if (i < tier.size - 1) {
                out.writeVarLong(tier.index[i + 1] - tier.index[i]);
            }
            // one pass: reserve the mask byte, write the non-zero counters, then fill the mask in
            int maskAt = out.size++;
            int mask = 0;
            int base = i * BucketTier.FIELDS;
            for (int f = 0; f < BucketTier.FIELDS; f++) {
                int count = counts[base + f];
                if (count != 0) {
                    mask |= 1 << f;
                    out.writeUncheckedVarInt(count);
                }
            }
            double sum = tier.sums[i];
            if (sum != 0) {
                mask |= HAS_SUM;
                out.writeLong(Double.doubleToRawLongBits(sum));
            }
            out.bytes[maskAt] = (byte) mask;
        }
    }

    static UserActivity read(byte[] bytes) {
        return read(bytes, 0);
    }

    /** Reads the state from {@code offset} to the end of {@code bytes}. */
    static UserActivity read(byte[] bytes, int offset) {
        if (bytes == null || bytes.length <= offset) {
            throw new IllegalArgumentException("UserActivity bytes are empty");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        int version = bytes[offset] & 0xff;
        if (version > UserActivity.FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "UserActivity format version "
                            + version
                            + " is newer than this build, which reads versions "
                            + UserActivity.OLDEST_FORMAT_VERSION
                            + " to "
                            + UserActivity.FORMAT_VERSION
                            + ": run the build that wrote it, or a later one");
        }
        if (version < UserActivity.OLDEST_FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "unknown UserActivity format version "
                            + version
                            + " (this build reads versions "
                            + UserActivity.OLDEST_FORMAT_VERSION
                            + " to "
                            + UserActivity.FORMAT_VERSION
                            + ")");
        }
        Source in = new Source(bytes);
        in.position = offset + 1;
        int flags = in.readByte("flags");
        if ((flags & ~(HAS_EVENTS | HAS_SESSION_KEY)) != 0 || flags == HAS_SESSION_KEY) {
            throw in.invalid("unknown flags " + flags);
        }
        UserActivity state = new UserActivity();
        if ((flags & HAS_EVENTS) == 0) {
            in.expectEnd();
            return state;
        }
        long last = unZigZag(in.readVarLong("last event time"));
        state.lastEventMillis = last;
        state.firstEventMillis = last - in.readVarLong("first event time");
        state.previousEventMillis = readOptionalTime(in, last, "previous event time");
        state.lastCartMillis = readOptionalTime(in, last, "last cart time");
        state.lastPurchaseMillis = readOptionalTime(in, last, "last purchase time");
        state.sessionStartMillis = last - in.readVarLong("session start");
        if (state.firstEventMillis > last
                || state.sessionStartMillis < state.firstEventMillis
                || state.previousEventMillis >= last) {
            throw in.invalid("inconsistent event times");
        }
        if ((flags & HAS_SESSION_KEY) != 0) {
            state.sessionKey = in.readLong("session key");
            if (state.sessionKey == 0) {
                throw in.invalid("session key 0 flagged as a source session id");
            }
        }
        state.sessionEvents = in.readCount("session events");
        state.sessionViews = in.readCount("session views");
        state.sessionCarts = in.readCount("session carts");
        if (state.sessionEvents == 0
                || state.sessionViews + (long) state.sessionCarts > state.sessionEvents) {
            throw in.invalid("inconsistent session counters");
        }
        int fingerprints = in.readCount("fingerprint count");
        if (fingerprints > UserActivity.MAX_FINGERPRINTS) {
            throw in.invalid("too many fingerprints: " + fingerprints);
        }
        if (fingerprints > 0) {
            state.fingerprintTimes = new long[fingerprints];
            state.fingerprintHashes = new int[fingerprints];
        }
        state.fingerprints = fingerprints;
        for (int i = 0; i < fingerprints; i++) {
            state.fingerprintTimes[i] = last - in.readVarLong("fingerprint time");
            state.fingerprintHashes[i] = in.readInt("fingerprint hash");
        }
        readTier(in, state.minutes, Math.floorDiv(last, UserActivity.MINUTE), "minute");
        readTier(in, state.hours, Math.floorDiv(last, UserActivity.HOUR), "hour");
        readTier(in, state.days, Math.floorDiv(last, ZoneOffsets.MILLIS_PER_DAY), "day");
        long dayTierPurchases = purchases(state.days);
        if (version >= 2) {
            state.totalPurchases = in.readVarLong("total purchases");
            if (state.totalPurchases < dayTierPurchases) {
                throw in.invalid(
                        "total purchases "
                                + state.totalPurchases
                                + " below the day tier's "
                                + dayTierPurchases);
            }
        } else {
            // version 1 kept no total: start from the purchases it still held
            state.totalPurchases = dayTierPurchases;
        }
        in.expectEnd();
        return state;
    }

    private static long purchases(BucketTier tier) {
        long purchases = 0;
        int purchase = EventType.PURCHASE.ordinal();
        for (int i = 0; i < tier.size; i++) {
            purchases += tier.counts[i * BucketTier.FIELDS + purchase];
        }
        return purchases;
    }

    private static long readOptionalTime(Source in, long last, String what) {
        long delta = in.readVarLong(what);
        return delta == 0 ? Long.MIN_VALUE : last - (delta - 1);
    }

    private static void readTier(Source in, BucketTier tier, long reference, String name) {
        int size = in.readCount(name, " bucket count");
        if (size > tier.span) {
            throw in.invalid(name + " tier has " + size + " buckets, at most " + tier.span);
        }
        tier.resize(size);
        if (size == 0) {
            return;
        }
        long newest = reference - unZigZag(in.readVarLong(name, " newest bucket"));
        // zone offsets move local days at most a day or so away from UTC days
        if (Math.abs(reference - newest) > 2) {
            throw in.invalid(name + " tier's newest bucket is far from the latest event");
        }
        long idx = newest;
        for (int i = size - 1; i >= 0; i--) {
            if (i < size - 1) {
                long gap = in.readVarLong(name, " bucket gap");
                if (gap <= 0) {
                    throw in.invalid(name + " buckets out of order");
                }
                idx -= gap;
                if (idx <= newest - tier.span) {
                    throw in.invalid(name + " bucket outside the tier's span");
                }
            }
            tier.index[i] = idx;
            int mask = in.readByte(name, " bucket mask");
            if (mask == 0) {
                throw in.invalid("empty " + name + " bucket");
            }
            int base = i * BucketTier.FIELDS;
            for (int f = 0; f < BucketTier.FIELDS; f++) {
                if ((mask & (1 << f)) != 0) {
                    int count = in.readCount(name, " bucket counter");
                    if (count == 0) {
                        throw in.invalid(name + " bucket counter flagged but 0");
                    }
                    tier.counts[base + f] = count;
                }
            }
            if ((mask & HAS_SUM) != 0) {
                double sum = Double.longBitsToDouble(in.readLong(name, " bucket price sum"));
                if (!(sum > 0) || Double.isInfinite(sum)) {
                    throw in.invalid(name + " bucket price sum " + sum);
                }
                tier.sums[i] = sum;
            }
        }
    }

    private static long zigZag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    private static long unZigZag(long value) {
        return (value >>> 1) ^ -(value & 1);
    }

    /** A growable byte buffer. */
    private static final class Sink {
        byte[] bytes;
        int size;

        Sink(int capacity) {
            bytes = new byte[capacity];
        }

        /** Makes room for {@code n} more bytes, for the unchecked writes. */
        void ensure(int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
        }

        /** A non-negative int as a varint, after {@link #ensure} made room for 5 bytes. */
        void writeUncheckedVarInt(int value) {
            while ((value & ~0x7F) != 0) {
                bytes[size++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            bytes[size++] = (byte) value;
        }

        void writeByte(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = (byte) b;
        }

        void writeVarLong(long value) {
            while ((value & ~0x7FL) != 0) {
                writeByte((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            writeByte((int) value);
        }

        void writeInt(int value) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                writeByte(value >>> shift);
            }
        }

        void writeLong(long value) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                writeByte((int) (value >>> shift));
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    /** A reader that names what it was reading when the bytes run out or make no sense. */
    private static final class Source {
        private final byte[] bytes;
        int position;

        Source(byte[] bytes) {
            this.bytes = bytes;
        }

        IllegalArgumentException invalid(String problem) {
            return new IllegalArgumentException(
                    "invalid UserActivity bytes at offset " + position + ": " + problem);
        }

        // Descriptions come in two parts (a tier name, or "", and what is read) and are joined
        // only for an error message: joining them on every read cost more than the reading.

        private IllegalArgumentException truncated(String prefix, String what) {
            return new IllegalArgumentException(
                    "UserActivity bytes truncated at offset "
                            + position
                            + " of "
                            + bytes.length
                            + " while reading "
                            + prefix
                            + what);
        }

        int readByte(String what) {
            return readByte("", what);
        }

        int readByte(String prefix, String what) {
            if (position >= bytes.length) {
                throw truncated(prefix, what);
            }
            return bytes[position++] & 0xff;
        }

        long readVarLong(String what) {
            return readVarLong("", what);
        }

        long readVarLong(String prefix, String what) {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte(prefix, what);
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (value < 0) {
                        throw invalid(prefix + what + " out of range");
                    }
                    return value;
                }
            }
            throw invalid(prefix + what + " is not a valid varint");
        }

        int readCount(String what) {
            return readCount("", what);
        }

        int readCount(String prefix, String what) {
            long value = readVarLong(prefix, what);
            if (value > Integer.MAX_VALUE) {
                throw invalid(prefix + what + " out of range: " + value);
            }
            return (int) value;
        }

        int readInt(String what) {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                value = (value << 8) | readByte("", what);
            }
            return value;
        }

        long readLong(String what) {
            return readLong("", what);
        }

        long readLong(String prefix, String what) {
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | readByte(prefix, what);
            }
            return value;
        }

        void expectEnd() {
            if (position != bytes.length) {
                throw invalid((bytes.length - position) + " unexpected trailing bytes");
            }
        }
    }
}
