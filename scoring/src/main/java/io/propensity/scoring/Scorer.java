package io.propensity.scoring;

/**
 * Scores one feature vector with one binary-classification model: the probability of the positive
 * class (a purchase within the horizon, or churn).
 *
 * <p>Created once per task by {@link Scorers#load}, never per event. An instance is used from one
 * thread at a time; implementations may keep scratch buffers and must not allocate per call on the
 * compiled path. The input is a vector in {@link io.propensity.features.FeatureSchema} order with
 * {@code NaN} for missing values; the scorer maps it to the model's own input fields once, at load
 * time.
 */
public interface Scorer {

    /** What was loaded: name, version, kind, trees, inputs. */
    ModelInfo info();

    /** The probability of the positive class for this feature vector. */
    double score(double[] features);

    /**
     * Whether {@link #contributions} is available. The compiled scorer explains tree ensembles (see
     * {@link #explanationMethod()}); JPMML-Evaluator does not.
     */
    default boolean supportsContributions() {
        return false;
    }

    /**
     * How {@link #contributions} attributes: {@link ExplanationMethod#TREE_SHAP} (exact SHAP
     * values), {@link ExplanationMethod#SAABAS_APPROXIMATE} (for PMML without record counts; not
     * SHAP, label it approximate), or {@link ExplanationMethod#NONE} when {@link
     * #supportsContributions()} is false.
     */
    default ExplanationMethod explanationMethod() {
        return ExplanationMethod.NONE;
    }

    /**
     * Per-feature contributions in margin (log-odds) space, in FeatureSchema order, written into
     * {@code out}; returns the expected value (bias). Contributions plus the expected value sum to
     * the model's margin for that row.
     *
     * @throws UnsupportedOperationException when {@link #supportsContributions()} is false
     */
    default double contributions(double[] features, double[] out) {
        throw new UnsupportedOperationException(
                info().kind() + " scorer for " + info().name() + " does not compute contributions");
    }
}
