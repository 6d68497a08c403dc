package io.propensity.scoring;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.pmml.CompiledEnsemble;
import io.propensity.scoring.pmml.CompiledModel;
import io.propensity.scoring.pmml.TreeExplainer;

import java.util.Arrays;

/**
 * The fast scorer: the compiled ensemble's flat arrays, fed from the feature vector through an
 * index map built once at load time. Keeps its scratch arrays, so a call allocates nothing; one
 * instance per thread.
 *
 * <p>Explains a binary classifier whose probability is a normalised linear function of one boosted
 * sum (what the JPMML converters write for XGBoost and LightGBM): contributions to the positive
 * category's margin come from a {@link TreeExplainer} and are mapped through that linear function,
 * so they sum, with the expected value, to the value the normalisation (logit for XGBoost) turns
 * into the probability.
 */
final class CompiledScorer implements Scorer {

    private final ModelInfo info;
    private final CompiledEnsemble ensemble;
    private final int[] featureIndices;
    private final int positive;
    private final double[] row;
    private final double[] margins;
    private final double[] result;
    private final TreeExplainer explainer;
    private final ExplanationMethod explanationMethod;
    private final String explanationNote;

    /** The positive margin is {@code marginSign * (marginIntercept + marginSlope * sum)}. */
    private double marginSign;

    private double marginIntercept;
    private double marginSlope;
    private final double[] slotContributions;

    CompiledScorer(ModelInfo info, CompiledModel model, ModelContract contract)
            throws ModelLoadException {
        this.info = info;
        this.ensemble = model.ensemble();
        if (!model.inputFields().equals(contract.inputFields())) {
            throw new ModelLoadException(
                    info.source()
                            + ": compiled inputs "
                            + model.inputFields()
                            + " differ from "
                            + contract.inputFields());
        }
        this.featureIndices = contract.featureIndices().clone();
        this.positive = ensemble.categories().indexOf(contract.positiveCategory());
        if (!ensemble.isClassification() || positive < 0) {
            throw new ModelLoadException(
                    info.source()
                            + ": compiled model has no probability for category "
                            + contract.positiveCategory());
        }
        this.row = ensemble.newRow();
        this.margins = ensemble.newMargins();
        this.result = ensemble.newResult();
        this.slotContributions = new double[ensemble.inputCount()];
        String marginProblem = linearMargin(model, contract);
        TreeExplainer candidate = marginProblem == null ? TreeExplainer.of(ensemble) : null;
        if (candidate == null || candidate.method() == ExplanationMethod.NONE) {
            this.explainer = null;
            this.explanationMethod = ExplanationMethod.NONE;
            this.explanationNote =
                    marginProblem != null ? marginProblem : candidate.approximationReason();
        } else {
            this.explainer = candidate;
            this.explanationMethod = candidate.method();
            this.explanationNote = candidate.approximationReason();
        }
    }

    /**
     * Reads how the positive category's margin follows from the one boosted sum, or says why it
     * does not (several sums, softmax).
     */
    private String linearMargin(CompiledModel model, ModelContract contract) {
        CompiledEnsemble e = model.ensemble();
        if (e.marginCount() != 1) {
            return "the model has " + e.marginCount() + " boosted sums (only one is explained)";
        }
        CompiledEnsemble.BinaryLink link = e.binaryLink();
        if (link == null) {
            return "the probability is not a normalised linear function of one boosted sum";
        }
        marginIntercept = link.intercept();
        marginSlope = link.slope();
        marginSign = link.category() == positive ? 1 : -1;
        return null;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public double score(double[] features) {
        if (features.length != FeatureSchema.size()) {
            throw new IllegalArgumentException(
                    "feature vector has "
                            + features.length
                            + " values, expected "
                            + FeatureSchema.size());
        }
        for (int i = 0; i < row.length; i++) {
            row[i] = ensemble.encodeNumber(i, features[featureIndices[i]]);
        }
        if (!ensemble.evaluate(row, margins, result)) {
            throw new IllegalStateException(
                    "model " + info.name() + " " + info.version() + " returned no probability");
        }
        return result[positive];
    }

    @Override
    public boolean supportsContributions() {
        return explainer != null;
    }

    @Override
    public ExplanationMethod explanationMethod() {
        return explanationMethod;
    }

    /** Why explanations are approximate or absent, or {@code null} for TreeSHAP. */
    String explanationNote() {
        return explanationNote;
    }

    @Override
    public double contributions(double[] features, double[] out) {
        if (explainer == null) {
            return Scorer.super.contributions(features, out);
        }
        if (features.length != FeatureSchema.size() || out.length != FeatureSchema.size()) {
            throw new IllegalArgumentException(
                    "feature vector and contributions need "
                            + FeatureSchema.size()
                            + " values, got "
                            + features.length
                            + " and "
                            + out.length);
        }
        for (int i = 0; i < row.length; i++) {
            row[i] = ensemble.encodeNumber(i, features[featureIndices[i]]);
        }
        Arrays.fill(slotContributions, 0);
        double expected = explainer.explain(0, row, slotContributions);
        Arrays.fill(out, 0);
        double factor = marginSign * marginSlope;
        for (int i = 0; i < row.length; i++) {
            out[featureIndices[i]] += factor * slotContributions[i];
        }
        return marginSign * (marginIntercept + marginSlope * expected);
    }

    /** The compiled ensemble, for benchmarks. */
    CompiledEnsemble ensemble() {
        return ensemble;
    }
}
