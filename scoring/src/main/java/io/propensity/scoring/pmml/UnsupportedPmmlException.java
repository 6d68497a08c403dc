package io.propensity.scoring.pmml;

import org.dmg.pmml.PMMLObject;

/**
 * A PMML construct the compiled evaluator does not support. The message names the element and its
 * place in the document ({@code line L, column C}), so that the reason for a fallback to
 * JPMML-Evaluator can be acted on.
 */
public final class UnsupportedPmmlException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param element the offending element (its locator gives the place), or null
     * @param what what is not supported, e.g. {@code CompoundPredicate}
     */
    public UnsupportedPmmlException(PMMLObject element, String what) {
        super(what + " at " + PmmlSource.where(element));
    }
}
