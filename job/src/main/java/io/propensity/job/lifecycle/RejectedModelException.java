package io.propensity.job.lifecycle;

/** A control message or model that the job refuses; the message says why and where. */
public final class RejectedModelException extends Exception {

    private static final long serialVersionUID = 1L;

    public RejectedModelException(String message) {
        super(message);
    }

    public RejectedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
