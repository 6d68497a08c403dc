package io.propensity.job;

import io.propensity.features.ShopperEvent;
import io.propensity.job.privacy.ErasureRequest;

/**
 * What the sources emit for every input record: exactly one of a parsed event, an erasure request
 * (from the erasure topic) or a dead letter, so that parsing never throws and nothing is lost
 * between the source and the split. After the split, events and erasure requests travel together,
 * keyed by {@link #userId()}, to the subtask that owns the user's state: control records are the
 * same stream as the data they act on, so a request is applied in order with the user's events.
 *
 * <p>An event keeps its source coordinates so that a late event can still be traced to its topic,
 * partition and offset after the keyBy.
 *
 * @param event the parsed event, or {@code null} when the record was refused
 * @param deadLetter the refusal, or {@code null} when the record parsed
 * @param erasure the erasure request, or {@code null} for events and dead letters
 * @param topic the source topic (or {@code file:<path>})
 * @param partition the source partition (0 for files)
 * @param offset the source offset (or 1-based line number)
 */
public record SourceRecord(
        ShopperEvent event,
        DeadLetter deadLetter,
        String topic,
        int partition,
        long offset,
        ErasureRequest erasure) {

    /** A parsed event. */
    public static SourceRecord ofEvent(
            ShopperEvent event, String topic, int partition, long offset) {
        return new SourceRecord(event, null, topic, partition, offset, null);
    }

    /** An erasure request. */
    public static SourceRecord ofErasure(
            ErasureRequest erasure, String topic, int partition, long offset) {
        return new SourceRecord(null, null, topic, partition, offset, erasure);
    }

    /** A refused record. */
    public static SourceRecord ofDeadLetter(DeadLetter deadLetter) {
        return new SourceRecord(
                null,
                deadLetter,
                deadLetter.topic(),
                deadLetter.partition(),
                deadLetter.offset(),
                null);
    }

    /** Whether this is a parsed event. */
    public boolean isEvent() {
        return event != null;
    }

    /** Whether this is an erasure request. */
    public boolean isErasure() {
        return erasure != null;
    }

    /** Whether this is a refused record. */
    public boolean isDeadLetter() {
        return deadLetter != null;
    }

    /** The user an event or erasure request is about: the key of the per-user state. */
    public String userId() {
        return event != null ? event.userId() : erasure.userId();
    }
}
