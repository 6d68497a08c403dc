package io.propensity.features;

import java.time.ZoneId;

/**
 * One shopper's history, reduced to bounded rolling aggregates: the per-user state of the job and
 * of the training replay.
 *
 * <p>Not thread-safe; one instance per user, updated one event at a time. Its size has a fixed
 * upper bound however long the history. It serializes to a compact byte array that starts with a
 * format version byte, so the job can keep it in one RocksDB value and evolve it later.
 *
 * <h2>Buckets</h2>
 *
 * Events are counted in three sparse tiers of buckets aligned to the epoch: minutes (the latest 60
 * minute buckets, for the 1 hour windows), hours (the latest 336 hour buckets, for the 24 hour and
 * 7 day windows and the activity trend) and calendar days in the configured zone (the latest 28
 * days, for the 28 day windows and active days). A window of {@code n} buckets at scoring time
 * {@code t} is the bucket that contains {@code t} plus the {@code n - 1} buckets before it, so it
 * covers between {@code n - 1} and {@code n} bucket widths: an event just older than the start of
 * the oldest bucket is left out even if it is less than the nominal window length ago. Counts are
 * exact for these bucket-aligned windows; against an exact sliding window they can only be lower,
 * by the events in the part of one bucket at the old edge. The day buckets are placed in the zone
 * of the config passed to {@link #apply}: keep one zone for a state's whole life (the model card
 * records it); a state built under another zone would count its days shifted.
 *
 * <h2>Order, lateness and duplicates</h2>
 *
 * Events should arrive in event-time order per user. An event at most {@link
 * FeatureConfig#allowedLateness()} behind the latest event time is merged into the right buckets;
 * an older one is {@link ApplyOutcome#LATE} and changes nothing. An event equal in time, type and
 * product to one of the most recent {@value #MAX_FINGERPRINTS} events within the allowed lateness
 * is {@link ApplyOutcome#DUPLICATE} and changes nothing.
 *
 * <h2>Sessions</h2>
 *
 * An event with a session id starts a new session when the id differs from the current session's
 * id. An event without one starts a new session when it comes more than {@link
 * FeatureConfig#sessionGap()} after the latest event, or when the current session had an id. A
 * session counts as open at scoring time {@code t} while {@code t} is at most the session gap after
 * the latest event, for both kinds. A late event joins the current session when it has the current
 * session's id, or (no id) when it is at most the session gap before the session start; otherwise
 * it is counted in the windows but changes no session.
 *
 * <h2>Scoring time</h2>
 *
 * {@link #features(long, FeatureConfig, double[])} is meant for a scoring time at or after the
 * latest event; an earlier time is treated as the latest event time, since the aggregates cannot
 * forget newer events.
 */
public final class UserActivity {

    /**
     * Format version written by {@link #toBytes()}. {@link #fromBytes(byte[])} reads this one and
     * every older one from {@link #OLDEST_FORMAT_VERSION} on, initialising what an older version
     * lacks; it refuses a newer one.
     *
     * <p>Version 2 added {@link #totalPurchases()}.
     */
    public static final byte FORMAT_VERSION = 2;

    /** The oldest format version {@link #fromBytes(byte[])} still reads. */
    public static final byte OLDEST_FORMAT_VERSION = 1;

    /** The most recent event fingerprints kept for duplicate detection. */
    public static final int MAX_FINGERPRINTS = 64;

    static final long MINUTE = 60_000L;
    static final long HOUR = 3_600_000L;
    static final int MINUTE_SPAN = 60;
    static final int HOUR_SPAN = 14 * 24;
    static final int DAY_SPAN = 28;

    private static final long[] NO_TIMES = new long[0];
    private static final int[] NO_HASHES = new int[0];

    private static final int TYPES = EventType.count();
    private static final int VIEW = EventType.VIEW.ordinal();
    private static final int CART = EventType.CART.ordinal();
    private static final int PURCHASE = EventType.PURCHASE.ordinal();

    // times; Long.MIN_VALUE when there is none
    long firstEventMillis = Long.MIN_VALUE;
    long lastEventMillis = Long.MIN_VALUE;
    long previousEventMillis = Long.MIN_VALUE;
    long lastCartMillis = Long.MIN_VALUE;
    long lastPurchaseMillis = Long.MIN_VALUE;

    // the current session; sessionKey 0 means a session derived from gaps
    long sessionStartMillis = Long.MIN_VALUE;
    long sessionKey;
    int sessionEvents;
    int sessionViews;
    int sessionCarts;

    // every purchase applied since the state began (format version 2); for a state read from
    // version 1, from the purchases its day tier still held
    long totalPurchases;

    // recent events for duplicate detection: time and a hash of type and product
    long[] fingerprintTimes = NO_TIMES;
    int[] fingerprintHashes = NO_HASHES;
    int fingerprints;

    // counts per type; minutes keep nothing else, hours also priced views and their price sum,
    // days also priced purchases and their price sum; hours and days count session starts
    final BucketTier minutes = new BucketTier(MINUTE_SPAN);
    final BucketTier hours = new BucketTier(HOUR_SPAN);
    final BucketTier days = new BucketTier(DAY_SPAN);

    UserActivity() {}

    /** A user with no history. */
    public static UserActivity empty() {
        return new UserActivity();
    }

    /** Whether no event has been applied yet. */
    public boolean isEmpty() {
        return lastEventMillis == Long.MIN_VALUE;
    }

    /**
     * Merges an event into the aggregates, unless it is a duplicate of an event already applied or
     * later than the allowed lateness behind the latest event.
     */
    public ApplyOutcome apply(ShopperEvent event, FeatureConfig config) {
        long time = event.eventTimeMillis();
        boolean empty = isEmpty();
        long lateness = config.allowedLateness().toMillis();
        if (!empty && time < lastEventMillis - lateness) {
            return ApplyOutcome.LATE;
        }
        int type = event.type().ordinal();
        int fingerprint = fingerprint(type, event.productId());
        for (int i = 0; i < fingerprints; i++) {
            if (fingerprintTimes[i] == time && fingerprintHashes[i] == fingerprint) {
                return ApplyOutcome.DUPLICATE;
            }
        }

        ZoneId zone = config.zone();
        long day = ZoneOffsets.localEpochDay(zone, time);
        long hour = Math.floorDiv(time, HOUR);
        boolean startsSession = updateSession(event, time, type, config, zone);

        // the windows
        int slot = minutes.slot(Math.floorDiv(time, MINUTE));
        if (slot >= 0) {
            minutes.counts[slot * BucketTier.FIELDS + type]++;
        }
        slot = hours.slot(hour);
        if (slot >= 0) {
            int base = slot * BucketTier.FIELDS;
            hours.counts[base + type]++;
            if (startsSession) {
                hours.counts[base + BucketTier.SESSION_STARTS]++;
            }
            if (type == VIEW && event.hasPrice()) {
                hours.counts[base + BucketTier.PRICED]++;
                hours.sums[slot] += event.price();
            }
        }
        slot = days.slot(day);
        if (slot >= 0) {
            int base = slot * BucketTier.FIELDS;
            days.counts[base + type]++;
            if (startsSession) {
                days.counts[base + BucketTier.SESSION_STARTS]++;
            }
            if (type == PURCHASE && event.hasPrice()) {
                days.counts[base + BucketTier.PRICED]++;
                days.sums[slot] += event.price();
            }
        }

        // the times
        if (empty) {
            firstEventMillis = time;
            lastEventMillis = time;
        } else {
            if (time > lastEventMillis) {
                previousEventMillis = lastEventMillis;
                lastEventMillis = time;
            } else if (time < lastEventMillis && time > previousEventMillis) {
                previousEventMillis = time;
            }
            firstEventMillis = Math.min(firstEventMillis, time);
        }
        if (type == CART) {
            lastCartMillis = Math.max(lastCartMillis, time);
        } else if (type == PURCHASE) {
            lastPurchaseMillis = Math.max(lastPurchaseMillis, time);
            totalPurchases++;
        }

        rememberFingerprint(time, fingerprint, lastEventMillis - lateness);
        return ApplyOutcome.APPLIED;
    }

    /** Updates the current session; returns whether the event starts a new one. */
    private boolean updateSession(
            ShopperEvent event, long time, int type, FeatureConfig config, ZoneId zone) {
        long key = sessionKey(event.sessionId());
        long gap = config.sessionGap().toMillis();
        boolean starts;
        boolean joins;
        if (isEmpty()) {
            starts = true;
            joins = false;
        } else if (time >= lastEventMillis) {
            starts = key != sessionKey || (key == 0 && time - lastEventMillis > gap);
            joins = !starts;
        } else {
            // a late event: it may extend the current session backwards, never start one
            starts = false;
            joins = key == sessionKey && (key != 0 || time >= sessionStartMillis - gap);
        }
        if (starts) {
            sessionKey = key;
            sessionStartMillis = time;
            sessionEvents = 0;
            sessionViews = 0;
            sessionCarts = 0;
        }
        if (starts || joins) {
            if (joins && time < sessionStartMillis) {
                moveSessionStart(sessionStartMillis, time, zone);
                sessionStartMillis = time;
            }
            sessionEvents++;
            if (type == VIEW) {
                sessionViews++;
            } else if (type == CART) {
                sessionCarts++;
            }
        }
        return starts;
    }

    /** Moves the current session's start count to the bucket of its new, earlier start. */
    private void moveSessionStart(long from, long to, ZoneId zone) {
        moveCount(hours, Math.floorDiv(from, HOUR), Math.floorDiv(to, HOUR));
        moveCount(days, ZoneOffsets.localEpochDay(zone, from), ZoneOffsets.localEpochDay(zone, to));
    }

    private static void moveCount(BucketTier tier, long fromIdx, long toIdx) {
        if (fromIdx == toIdx) {
            return;
        }
        int from = tier.find(fromIdx);
        if (from < 0 || tier.counts[from * BucketTier.FIELDS + BucketTier.SESSION_STARTS] == 0) {
            // the old start fell out of the tier: nothing to move
            return;
        }
        // the event being applied creates the target bucket right after; make it now
        int to = tier.slot(toIdx);
        if (to < 0) {
            return;
        }
        from = tier.find(fromIdx);
        tier.counts[from * BucketTier.FIELDS + BucketTier.SESSION_STARTS]--;
        tier.counts[to * BucketTier.FIELDS + BucketTier.SESSION_STARTS]++;
    }

    private void rememberFingerprint(long time, int hash, long oldestUseful) {
        // older fingerprints are useless: an event that old is LATE before it is a duplicate
        int kept = 0;
        for (int i = 0; i < fingerprints; i++) {
            if (fingerprintTimes[i] >= oldestUseful) {
                fingerprintTimes[kept] = fingerprintTimes[i];
                fingerprintHashes[kept] = fingerprintHashes[i];
                kept++;
            }
        }
        fingerprints = kept;
        if (time < oldestUseful) {
            return;
        }
        if (fingerprints == MAX_FINGERPRINTS) {
            // a burst of more events within the lateness than the set holds: forget the oldest,
            // so a resend of it would be counted twice (bounded size wins over exactness here)
            int oldest = 0;
            for (int i = 1; i < fingerprints; i++) {
                if (fingerprintTimes[i] < fingerprintTimes[oldest]) {
                    oldest = i;
                }
            }
            fingerprintTimes[oldest] = time;
            fingerprintHashes[oldest] = hash;
            return;
        }
        if (fingerprintTimes.length == fingerprints) {
            int capacity = Math.min(MAX_FINGERPRINTS, Math.max(4, fingerprints * 2));
            fingerprintTimes = java.util.Arrays.copyOf(fingerprintTimes, capacity);
            fingerprintHashes = java.util.Arrays.copyOf(fingerprintHashes, capacity);
        }
        fingerprintTimes[fingerprints] = time;
        fingerprintHashes[fingerprints] = hash;
        fingerprints++;
    }

    static int fingerprint(int type, String productId) {
        int product = productId == null ? 0 : productId.hashCode();
        return (product * 0x9E3779B1) ^ (type + 1);
    }

    /** A 64-bit FNV-1a hash of the session id, never 0 (0 marks derived sessions). */
    static long sessionKey(String sessionId) {
        if (sessionId == null) {
            return 0;
        }
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < sessionId.length(); i++) {
            hash ^= sessionId.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash == 0 ? 1 : hash;
    }

    /**
     * Writes the feature vector as of {@code asOfMillis} into {@code out} (length {@link
     * FeatureSchema#size()}), in {@link FeatureSchema} order, {@code NaN} for missing values.
     * {@code asOfMillis} is the time of the latest applied event when scoring an event, or a later
     * instant (an inactivity check) when the user went quiet. Allocates nothing.
     */
    public void features(long asOfMillis, FeatureConfig config, double[] out) {
        if (out.length != FeatureSchema.size()) {
            throw new IllegalArgumentException(
                    "feature vector must have length "
                            + FeatureSchema.size()
                            + ", was "
                            + out.length);
        }
        boolean empty = isEmpty();
        long t = empty ? asOfMillis : Math.max(asOfMillis, lastEventMillis);
        ZoneId zone = config.zone();
        java.util.Arrays.fill(out, 0, FeatureSchema.SESSIONS_28D + 1, 0.0);

        // 1 hour: minute buckets
        long minute = Math.floorDiv(t, MINUTE);
        for (int i = minutes.size - 1; i >= 0 && minutes.index[i] > minute - 60; i--) {
            int base = i * BucketTier.FIELDS;
            for (int type = 0; type < TYPES; type++) {
                out[type * 4] += minutes.counts[base + type];
            }
        }

        // 24 hours and 7 days: hour buckets; the 7 days before that for the trend
        long hour = Math.floorDiv(t, HOUR);
        double pricedViews24h = 0;
        double viewPrices24h = 0;
        double events7d = 0;
        double eventsWeekBefore = 0;
        for (int i = hours.size - 1; i >= 0 && hours.index[i] > hour - HOUR_SPAN; i--) {
            int base = i * BucketTier.FIELDS;
            long age = hour - hours.index[i];
            int events = 0;
            for (int type = 0; type < TYPES; type++) {
                events += hours.counts[base + type];
            }
            if (age < 7 * 24) {
                events7d += events;
                for (int type = 0; type < TYPES; type++) {
                    out[type * 4 + 2] += hours.counts[base + type];
                }
                out[FeatureSchema.SESSIONS_7D] += hours.counts[base + BucketTier.SESSION_STARTS];
                if (age < 24) {
                    for (int type = 0; type < TYPES; type++) {
                        out[type * 4 + 1] += hours.counts[base + type];
                    }
                    pricedViews24h += hours.counts[base + BucketTier.PRICED];
                    viewPrices24h += hours.sums[i];
                }
            } else {
                eventsWeekBefore += events;
            }
        }

        // 28 days: local day buckets
        long day = ZoneOffsets.localEpochDay(zone, t);
        double activeDays = 0;
        double pricedPurchases28d = 0;
        double purchaseValue28d = 0;
        for (int i = days.size - 1; i >= 0 && days.index[i] > day - DAY_SPAN; i--) {
            int base = i * BucketTier.FIELDS;
            activeDays++;
            for (int type = 0; type < TYPES; type++) {
                out[type * 4 + 3] += days.counts[base + type];
            }
            out[FeatureSchema.SESSIONS_28D] += days.counts[base + BucketTier.SESSION_STARTS];
            pricedPurchases28d += days.counts[base + BucketTier.PRICED];
            purchaseValue28d += days.sums[i];
        }
        out[FeatureSchema.ACTIVE_DAYS_28D] = activeDays;

        // the current session
        boolean open = !empty && t - lastEventMillis <= config.sessionGap().toMillis();
        out[FeatureSchema.SESSION_EVENTS] = open ? sessionEvents : 0;
        out[FeatureSchema.SESSION_DURATION_SECONDS] =
                open ? seconds(lastEventMillis - sessionStartMillis) : 0;
        out[FeatureSchema.SESSION_VIEWS] = open ? sessionViews : 0;
        out[FeatureSchema.SESSION_CARTS] = open ? sessionCarts : 0;

        // recency
        long previous = t > lastEventMillis ? lastEventMillis : previousEventMillis;
        out[FeatureSchema.SECONDS_SINCE_PREVIOUS_EVENT] =
                since(t, empty ? Long.MIN_VALUE : previous);
        out[FeatureSchema.SECONDS_SINCE_LAST_CART] = since(t, lastCartMillis);
        out[FeatureSchema.SECONDS_SINCE_LAST_PURCHASE] = since(t, lastPurchaseMillis);
        out[FeatureSchema.TENURE_SECONDS] = since(t, firstEventMillis);

        // value and ratios
        double purchases28d = out[FeatureSchema.PURCHASE_COUNT_28D];
        out[FeatureSchema.PURCHASE_VALUE_28D] =
                purchases28d == 0
                        ? 0
                        : pricedPurchases28d == purchases28d ? purchaseValue28d : Double.NaN;
        out[FeatureSchema.MEAN_VIEW_PRICE_24H] =
                pricedViews24h == 0 ? Double.NaN : viewPrices24h / pricedViews24h;
        out[FeatureSchema.VIEW_TO_CART_RATIO_7D] =
                ratio(out[FeatureSchema.CART_COUNT_7D], out[FeatureSchema.VIEW_COUNT_7D]);
        out[FeatureSchema.VIEW_TO_CART_RATIO_28D] =
                ratio(out[FeatureSchema.CART_COUNT_28D], out[FeatureSchema.VIEW_COUNT_28D]);
        out[FeatureSchema.CART_TO_PURCHASE_RATIO_7D] =
                ratio(out[FeatureSchema.PURCHASE_COUNT_7D], out[FeatureSchema.CART_COUNT_7D]);
        out[FeatureSchema.CART_TO_PURCHASE_RATIO_28D] =
                ratio(out[FeatureSchema.PURCHASE_COUNT_28D], out[FeatureSchema.CART_COUNT_28D]);
        out[FeatureSchema.ACTIVITY_TREND_7D] =
                ratio(events7d - eventsWeekBefore, events7d + eventsWeekBefore);

        // calendar of the scoring time
        long local = t + ZoneOffsets.offsetMillis(zone, t);
        out[FeatureSchema.HOUR_OF_DAY] = Math.floorMod(local, ZoneOffsets.MILLIS_PER_DAY) / HOUR;
        // 1970-01-01 was a Thursday (4)
        out[FeatureSchema.DAY_OF_WEEK] =
                Math.floorMod(Math.floorDiv(local, ZoneOffsets.MILLIS_PER_DAY) + 3, 7) + 1;
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    private static double since(long now, long then) {
        return then == Long.MIN_VALUE ? Double.NaN : seconds(now - then);
    }

    private static double ratio(double numerator, double denominator) {
        return denominator == 0 ? Double.NaN : numerator / denominator;
    }

    /** Convenience for {@link #features(long, FeatureConfig, double[])} into a new array. */
    public double[] features(long asOfMillis, FeatureConfig config) {
        double[] out = new double[FeatureSchema.size()];
        features(asOfMillis, config, out);
        return out;
    }

    /** The time of the latest applied event, or {@link Long#MIN_VALUE} when there is none. */
    public long lastEventMillis() {
        return lastEventMillis;
    }

    /** The time of the earliest applied event, or {@link Long#MIN_VALUE} when there is none. */
    public long firstEventMillis() {
        return firstEventMillis;
    }

    /** The start of the session that the latest event belongs to, or {@link Long#MIN_VALUE}. */
    public long currentSessionStartMillis() {
        return sessionStartMillis;
    }

    /**
     * Every purchase applied since the state began, however old (the windows forget purchases after
     * 28 days). Not a feature of {@link FeatureSchema} yet: models never see it. For a state
     * written in format version 1, which did not keep it, counting starts from the purchases in the
     * latest 28 local days that version 1 held, so it is a lower bound for users whose state is
     * older than that.
     */
    public long totalPurchases() {
        return totalPurchases;
    }

    /**
     * Whether the user has been inactive for longer than the retention at {@code nowMillis}. A user
     * with no events is expired: there is nothing to keep.
     */
    public boolean isExpired(long nowMillis, FeatureConfig config) {
        return isEmpty() || nowMillis - lastEventMillis > config.retention().toMillis();
    }

    /** The compact serialized form, starting with its format version byte. */
    public byte[] toBytes() {
        return UserActivityFormat.write(this, FORMAT_VERSION);
    }

    /**
     * The serialized form in an older format version, for a rollback window: a build that reads
     * only that version can still read the state. What that version lacks is left out (version 1:
     * {@link #totalPurchases()}).
     *
     * @throws IllegalArgumentException for a version this build cannot write
     */
    public byte[] toBytes(int formatVersion) {
        return UserActivityFormat.write(this, formatVersion);
    }

    /**
     * The serialized form in {@code formatVersion}, after {@code offset} zero bytes left for the
     * caller: for a caller that keeps its own data in the same value as the activity, such as the
     * job's per-user state, without copying the activity's bytes again. {@link #fromBytes(byte[],
     * int)} reads it back from the same offset.
     *
     * @throws IllegalArgumentException for a version this build cannot write, or a negative offset
     */
    public byte[] toBytes(int formatVersion, int offset) {
        return UserActivityFormat.write(this, formatVersion, offset);
    }

    /**
     * Reads the serialized form from {@code offset} to the end of {@code bytes}, as {@link
     * #toBytes(int, int)} wrote it; the first {@code offset} bytes are the caller's.
     *
     * @throws IllegalArgumentException as {@link #fromBytes(byte[])}; offsets in its message count
     *     from the start of {@code bytes}
     */
    public static UserActivity fromBytes(byte[] bytes, int offset) {
        return UserActivityFormat.read(bytes, offset);
    }

    /**
     * Reads the serialized form.
     *
     * @throws IllegalArgumentException when the bytes are not a valid encoding in a version from
     *     {@link #OLDEST_FORMAT_VERSION} to {@link #FORMAT_VERSION}; the message says which version
     *     it found and which this build reads
     */
    public static UserActivity fromBytes(byte[] bytes) {
        return UserActivityFormat.read(bytes);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof UserActivity)) {
            return false;
        }
        UserActivity that = (UserActivity) other;
        return firstEventMillis == that.firstEventMillis
                && lastEventMillis == that.lastEventMillis
                && previousEventMillis == that.previousEventMillis
                && lastCartMillis == that.lastCartMillis
                && lastPurchaseMillis == that.lastPurchaseMillis
                && sessionStartMillis == that.sessionStartMillis
                && sessionKey == that.sessionKey
                && sessionEvents == that.sessionEvents
                && sessionViews == that.sessionViews
                && sessionCarts == that.sessionCarts
                && totalPurchases == that.totalPurchases
                && sameFingerprints(that)
                && minutes.sameContent(that.minutes)
                && hours.sameContent(that.hours)
                && days.sameContent(that.days);
    }

    private boolean sameFingerprints(UserActivity that) {
        if (fingerprints != that.fingerprints) {
            return false;
        }
        // order does not matter: eviction may reorder
        outer:
        for (int i = 0; i < fingerprints; i++) {
            for (int j = 0; j < fingerprints; j++) {
                if (fingerprintTimes[i] == that.fingerprintTimes[j]
                        && fingerprintHashes[i] == that.fingerprintHashes[j]) {
                    continue outer;
                }
            }
            return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = Long.hashCode(lastEventMillis);
        hash = 31 * hash + Long.hashCode(firstEventMillis);
        hash = 31 * hash + sessionEvents;
        hash = 31 * hash + Long.hashCode(totalPurchases);
        hash = 31 * hash + minutes.contentHash();
        hash = 31 * hash + hours.contentHash();
        return 31 * hash + days.contentHash();
    }

    @Override
    public String toString() {
        return "UserActivity{lastEventMillis="
                + lastEventMillis
                + ", sessionStartMillis="
                + sessionStartMillis
                + ", sessionEvents="
                + sessionEvents
                + ", buckets="
                + minutes.size
                + "m/"
                + hours.size
                + "h/"
                + days.size
                + "d}";
    }
}
