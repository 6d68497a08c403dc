package io.propensity.scoring;

/**
 * How a scorer attributes a prediction to its features, as alerts name it ({@link #wireName()}).
 *
 * <p>Only {@link #TREE_SHAP} values are Shapley values. {@link #SAABAS_APPROXIMATE} is offered for
 * models whose PMML carries no Node {@code recordCount}: it is exact in the sense that it sums to
 * the margin, but it is not SHAP and must always be labelled approximate.
 */
public enum ExplanationMethod {

    /**
     * Path-dependent TreeSHAP (Lundberg et al., Algorithm 2) on the compiled trees, weighted by the
     * PMML record counts: exact SHAP values of the margin.
     */
    TREE_SHAP("tree_shap"),

    /**
     * Per-path attribution in the manner of Saabas: each split on the row's path credits its
     * feature with the change of the expected value, where a node's expected value weighs its
     * branches equally (nothing says how training rows split). Sums to the margin; not SHAP.
     */
    SAABAS_APPROXIMATE("saabas_approximate"),

    /** The scorer cannot explain (JPMML-Evaluator, or a model the explainer does not support). */
    NONE("none");

    private final String wireName;

    ExplanationMethod(String wireName) {
        this.wireName = wireName;
    }

    /** The name in alerts and logs: {@code tree_shap}, {@code saabas_approximate}, {@code none}. */
    public String wireName() {
        return wireName;
    }
}
