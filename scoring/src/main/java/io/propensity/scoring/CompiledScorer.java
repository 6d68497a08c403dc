package io.propensity.scoring;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.pmml.CompiledEnsemble;
import io.propensity.scoring.pmml.CompiledModel;

/**
 * The fast scorer: the compiled ensemble's flat arrays, fed from the feature vector through an
 * index map built once at load time. Keeps its scratch arrays, so a call allocates nothing; one
 * instance per thread.
 */
final class CompiledScorer implements Scorer {

    private final ModelInfo info;
    private final CompiledEnsemble ensemble;
    private final int[] featureIndices;
    private final int positive;
    private final double[] row;
    private final double[] margins;
    private final double[] result;

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

    /** The compiled ensemble, for benchmarks and a later TreeSHAP. */
    CompiledEnsemble ensemble() {
        return ensemble;
    }
}
