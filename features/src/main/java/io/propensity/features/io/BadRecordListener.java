package io.propensity.features.io;

/** Hears about every record a reader refused, so nothing is dropped silently. */
@FunctionalInterface
public interface BadRecordListener {

    /**
     * Called once per refused record.
     *
     * @param source the file (or topic) the record came from
     * @param lineNumber its 1-based line number in the source
     * @param reason why it was refused
     * @param raw the record as read, possibly truncated for very long lines
     */
    void onBadRecord(String source, long lineNumber, String reason, String raw);
}
