package io.propensity.job;

import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventJson;
import io.propensity.features.io.EventLineParser;
import io.propensity.features.io.MalformedEventException;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Decides, for every input record, whether it becomes an event or a dead letter, and says why.
 * Never throws: a record that cannot be parsed for any reason becomes a {@link DeadLetter}.
 *
 * <p>Checks, in order: the record has a value; it is at most {@code --max-record-bytes} long; it
 * parses (JSON on Kafka, the file's format for {@code --input-file}); its event time is not before
 * {@link #MIN_EVENT_TIME} and not more than {@link #MAX_FUTURE_MILLIS} ahead of processing time;
 * its price, if any, is at most {@link #MAX_PRICE}.
 */
public final class InputLimits implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Events before 2000-01-01T00:00:00Z are refused: a timestamp in seconds, or zero. */
    public static final long MIN_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();

    /** Events more than one day ahead of the job's clock are refused: a broken producer clock. */
    public static final long MAX_FUTURE_MILLIS = 86_400_000L;

    /**
     * Prices above this (10^12 in any currency) are refused: an absurd price is a broken producer,
     * and a few of them near {@code Double.MAX_VALUE} in one bucket would add up to infinity, which
     * the per-user state format rightly refuses to read back, failing the job on every restart.
     */
    public static final double MAX_PRICE = 1e12;

    /** Default of {@code --max-record-bytes}: 64 KiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

    /** How much of an oversize record the dead letter keeps. */
    public static final int RAW_PREVIEW_CHARS = 4096;

    private final int maxRecordBytes;

    public InputLimits(int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive: " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The largest record accepted, in bytes. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Admits one Kafka record value in the events wire format. */
    public SourceRecord admitJson(
            byte[] value, String topic, int partition, long offset, long nowMillis) {
        if (value == null) {
            return dead("record has no value (null)", "", topic, partition, offset, nowMillis);
        }
        if (value.length > maxRecordBytes) {
            return dead(
                    "record of "
                            + value.length
                            + " bytes exceeds the limit of "
                            + maxRecordBytes
                            + " bytes (--max-record-bytes)",
                    preview(new String(value, StandardCharsets.UTF_8)),
                    topic,
                    partition,
                    offset,
                    nowMillis);
        }
        ShopperEvent event;
        try {
            event = EventJson.parse(value);
        } catch (MalformedEventException e) {
            return dead(e.reason(), utf8(value), topic, partition, offset, nowMillis);
        } catch (RuntimeException e) {
            // a parser bug must not fail the job: the record is kept with the exception
            return dead("unparseable: " + e, utf8(value), topic, partition, offset, nowMillis);
        }
        return admitTime(event, () -> utf8(value), topic, partition, offset, nowMillis);
    }

    /** Admits one line of a file, parsed with its format's parser. */
    public SourceRecord admitLine(
            String line, EventLineParser parser, String source, long lineNumber, long nowMillis) {
        // a char is at most 3 UTF-8 bytes: only count the bytes when the line could be too long
        if ((long) line.length() * 3 > maxRecordBytes) {
            int bytes = line.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxRecordBytes) {
                return dead(
                        "line of "
                                + bytes
                                + " bytes exceeds the limit of "
                                + maxRecordBytes
                                + " bytes (--max-record-bytes)",
                        preview(line),
                        source,
                        0,
                        lineNumber,
                        nowMillis);
            }
        }
        ShopperEvent event;
        try {
            event = parser.parse(line);
        } catch (MalformedEventException e) {
            return dead(e.reason(), line, source, 0, lineNumber, nowMillis);
        } catch (RuntimeException e) {
            return dead("unparseable: " + e, line, source, 0, lineNumber, nowMillis);
        }
        return admitTime(event, () -> line, source, 0, lineNumber, nowMillis);
    }

    private SourceRecord admitTime(
            ShopperEvent event,
            java.util.function.Supplier<String> raw,
            String topic,
            int partition,
            long offset,
            long nowMillis) {
        if (event.hasPrice() && event.price() > MAX_PRICE) {
            // the features' parsers only refuse negative and non-finite prices
            return dead(
                    "field 'price' " + event.price() + " is above the limit of " + MAX_PRICE,
                    raw.get(),
                    topic,
                    partition,
                    offset,
                    nowMillis);
        }
        long time = event.eventTimeMillis();
        if (time < MIN_EVENT_TIME) {
            return dead(
                    "event_time "
                            + time
                            + " ("
                            + Instant.ofEpochMilli(time)
                            + ") is before 2000-01-01T00:00:00Z",
                    raw.get(),
                    topic,
                    partition,
                    offset,
                    nowMillis);
        }
        if (time > nowMillis + MAX_FUTURE_MILLIS) {
            return dead(
                    "event_time "
                            + time
                            + " ("
                            + Instant.ofEpochMilli(time)
                            + ") is more than 1 day after processing time "
                            + Instant.ofEpochMilli(nowMillis),
                    raw.get(),
                    topic,
                    partition,
                    offset,
                    nowMillis);
        }
        return SourceRecord.ofEvent(event, topic, partition, offset);
    }

    private static SourceRecord dead(
            String reason, String raw, String topic, int partition, long offset, long nowMillis) {
        return SourceRecord.ofDeadLetter(
                new DeadLetter(reason, raw, topic, partition, offset, nowMillis));
    }

    private static String utf8(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    private static String preview(String raw) {
        return raw.length() <= RAW_PREVIEW_CHARS
                ? raw
                : raw.substring(0, RAW_PREVIEW_CHARS) + "...(cut)";
    }
}
