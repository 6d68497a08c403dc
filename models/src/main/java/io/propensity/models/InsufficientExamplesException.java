package io.propensity.models;

/** Training refused: a class has too few examples to learn or to measure anything. */
public final class InsufficientExamplesException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InsufficientExamplesException(String message) {
        super(message);
    }
}
