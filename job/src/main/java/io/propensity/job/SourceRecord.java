package io.propensity.job;

import io.propensity.features.ShopperEvent;

/**
 * What the sources emit for every input record: either a parsed event or a dead letter, never both,
 * so that parsing never throws and nothing is lost between the source and the split.
 *
 * <p>An event keeps its source coordinates so that a late event can still be traced to its topic,
 * partition and offset after the keyBy.
 *
 * @param event the parsed event, or {@code null} when the record was refused
 * @param deadLetter the refusal, or {@code null} when the record parsed
 * @param topic the source topic (or {@code file:<path>})
 * @param partition the source partition (0 for files)
 * @param offset the source offset (or 1-based line number)
 */
public record SourceRecord(
        ShopperEvent event, DeadLetter deadLetter, String topic, int partition, long offset) {

    /** A parsed event. */
    public static SourceRecord ofEvent(
            ShopperEvent event, String topic, int partition, long offset) {
        return new SourceRecord(event, null, topic, partition, offset);
    }

    /** A refused record. */
    public static SourceRecord ofDeadLetter(DeadLetter deadLetter) {
        return new SourceRecord(
                null, deadLetter, deadLetter.topic(), deadLetter.partition(), deadLetter.offset());
    }

    /** Whether this is a parsed event. */
    public boolean isEvent() {
        return event != null;
    }
}
