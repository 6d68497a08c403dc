package io.propensity.scoring;

/** How a model is evaluated. */
public enum ScorerKind {
    /** JPMML-Evaluator: the reference, for any PMML it supports. */
    JPMML,
    /** Gradient-boosted trees compiled into flat arrays: exact and allocation-free. */
    COMPILED
}
