package io.propensity.models;

/** Training refused: the exported PMML does not score like the booster it came from. */
public final class ParityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ParityException(String message) {
        super(message);
    }
}
