package io.propensity.scoring;

/**
 * A model that cannot be used: unreadable or unsafe XML, a contract violation (fields that are not
 * in the feature vector, a target that is not a binary probability), or an unsupported construct.
 * The message names the file and, where known, the line, element or field.
 */
public final class ModelLoadException extends Exception {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
