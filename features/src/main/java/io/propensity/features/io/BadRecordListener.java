package io.propensity.features.io;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /**
     * A listener that logs each refused record at WARN, with file, line and reason. Meant for
     * offline tools over files, where bad lines are few; a streaming job should count them in a
     * metric and send them to a dead-letter topic instead.
     */
    static BadRecordListener logging() {
        Logger log = LoggerFactory.getLogger(BadRecordListener.class);
        return (source, lineNumber, reason, raw) ->
                log.warn("Bad record in {} at line {}: {} [{}]", source, lineNumber, reason, raw);
    }
}
