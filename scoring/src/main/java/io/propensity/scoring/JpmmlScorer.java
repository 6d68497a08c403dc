package io.propensity.scoring;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.pmml.JpmmlModelEvaluator;

import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.HasProbability;
import org.jpmml.evaluator.InputField;
import org.jpmml.evaluator.TargetField;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference scorer: JPMML-Evaluator on a feature vector. It builds an argument map per call
 * (JPMML's API needs one), so it allocates; use it where exactness matters more than speed, or when
 * the compiled scorer refuses a model.
 */
final class JpmmlScorer implements Scorer {

    private final ModelInfo info;
    private final Evaluator evaluator;
    private final InputField[] inputs;
    private final int[] featureIndices;
    private final String targetName;
    private final Object positiveCategory;

    JpmmlScorer(ModelInfo info, JpmmlModelEvaluator jpmml, ModelContract contract)
            throws ModelLoadException {
        this.info = info;
        this.evaluator = jpmml.evaluator();
        Map<String, InputField> byName = new HashMap<>();
        for (InputField input : evaluator.getInputFields()) {
            byName.put(input.getName(), input);
        }
        List<String> names = contract.inputFields();
        this.inputs = new InputField[names.size()];
        this.featureIndices = contract.featureIndices().clone();
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = byName.get(names.get(i));
            if (inputs[i] == null) {
                throw new ModelLoadException(
                        info.source() + ": JPMML does not see input field " + names.get(i));
            }
        }
        this.targetName = contract.targetField();
        Object positive = null;
        for (TargetField target : evaluator.getTargetFields()) {
            if (target.getName().equals(targetName)) {
                for (Object category : target.getCategories()) {
                    if (String.valueOf(category).equals(contract.positiveCategory())) {
                        positive = category;
                    }
                }
            }
        }
        if (positive == null) {
            throw new ModelLoadException(
                    info.source()
                            + ": JPMML does not know category "
                            + contract.positiveCategory()
                            + " of target "
                            + targetName);
        }
        this.positiveCategory = positive;
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
        Map<String, Object> arguments = new HashMap<>(inputs.length * 2);
        for (int i = 0; i < inputs.length; i++) {
            double value = features[featureIndices[i]];
            // NaN means missing in the feature vector; JPMML wants null for missing
            arguments.put(
                    inputs[i].getName(), inputs[i].prepare(Double.isNaN(value) ? null : value));
        }
        Object target = evaluator.evaluate(arguments).get(targetName);
        if (target instanceof HasProbability probabilities) {
            Double probability = probabilities.getProbability(positiveCategory);
            if (probability != null && !probability.isNaN()) {
                return probability;
            }
        }
        throw new IllegalStateException(
                "model " + info.name() + " " + info.version() + " returned no probability");
    }
}
