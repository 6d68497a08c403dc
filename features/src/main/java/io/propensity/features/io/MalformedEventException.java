package io.propensity.features.io;

/** A record that is not a valid event. The message is the reason, fit for a dead-letter record. */
public final class MalformedEventException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedEventException(String reason) {
        super(reason);
    }

    /** Why the record was refused, for example {@code missing field 'user_id'}. */
    public String reason() {
        return getMessage();
    }
}
