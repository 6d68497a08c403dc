package io.propensity.features;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.concurrent.ConcurrentHashMap;

/**
 * UTC offsets of a zone without allocating on the hot path: fixed-offset zones are answered
 * directly; other zones from a cached span between two transitions, recomputed (allocating a
 * little) only when a time falls outside the cached span.
 */
final class ZoneOffsets {

    static final long MILLIS_PER_DAY = 86_400_000L;

    private static final ConcurrentHashMap<ZoneId, Span> SPANS = new ConcurrentHashMap<>();

    private ZoneOffsets() {}

    /** The offset from UTC of {@code zone} at {@code epochMillis}, in milliseconds. */
    static long offsetMillis(ZoneId zone, long epochMillis) {
        if (zone instanceof ZoneOffset) {
            return ((ZoneOffset) zone).getTotalSeconds() * 1000L;
        }
        Span span = SPANS.get(zone);
        if (span != null && epochMillis >= span.from && epochMillis < span.until) {
            return span.offsetMillis;
        }
        span = Span.at(zone.getRules(), epochMillis);
        SPANS.put(zone, span);
        return span.offsetMillis;
    }

    /** The local calendar day (days since 1970-01-01 in {@code zone}) of an instant. */
    static long localEpochDay(ZoneId zone, long epochMillis) {
        return Math.floorDiv(epochMillis + offsetMillis(zone, epochMillis), MILLIS_PER_DAY);
    }

    /** An interval of instants over which a zone's offset is constant. */
    private static final class Span {
        final long from;
        final long until;
        final long offsetMillis;

        private Span(long from, long until, long offsetMillis) {
            this.from = from;
            this.until = until;
            this.offsetMillis = offsetMillis;
        }

        static Span at(ZoneRules rules, long epochMillis) {
            Instant instant = Instant.ofEpochMilli(epochMillis);
            long offset = rules.getOffset(instant).getTotalSeconds() * 1000L;
            if (rules.isFixedOffset()) {
                return new Span(Long.MIN_VALUE, Long.MAX_VALUE, offset);
            }
            // transitions fall on whole seconds: the one before epochMillis + 1 is at or before it
            ZoneOffsetTransition previous =
                    rules.previousTransition(Instant.ofEpochMilli(epochMillis + 1));
            ZoneOffsetTransition next = rules.nextTransition(instant);
            long from = previous == null ? Long.MIN_VALUE : previous.toEpochSecond() * 1000L;
            long until = next == null ? Long.MAX_VALUE : next.toEpochSecond() * 1000L;
            return new Span(from, until, offset);
        }
    }
}
