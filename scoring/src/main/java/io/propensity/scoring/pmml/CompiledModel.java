package io.propensity.scoring.pmml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled ensemble seen through {@link ModelEvaluator}: encodes arguments by field name,
 * evaluates the flat arrays, and reports the target and the final output fields like
 * JPMML-Evaluator does. This map-based path allocates and serves conformance tests and load-time
 * cross-checks; the hot path uses {@link #ensemble()} directly.
 */
public final class CompiledModel implements ModelEvaluator {

    /**
     * One final output field.
     *
     * @param name the OutputField name
     * @param category the category index of a probability, or -1 for the predicted value
     */
    record Result(String name, int category) {}

    private final CompiledEnsemble ensemble;
    private final String target;
    private final List<Result> outputs;
    private final List<String> inputNames;
    private final List<String> resultNames;

    CompiledModel(CompiledEnsemble ensemble, String target, List<Result> outputs) {
        this.ensemble = ensemble;
        this.target = target;
        this.outputs = List.copyOf(outputs);
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < ensemble.inputCount(); i++) {
            inputs.add(ensemble.inputName(i));
        }
        this.inputNames = Collections.unmodifiableList(inputs);
        List<String> results = new ArrayList<>();
        results.add(target);
        for (Result output : outputs) {
            results.add(output.name());
        }
        this.resultNames = Collections.unmodifiableList(results);
    }

    /** The flat arrays, for allocation-free scoring. */
    public CompiledEnsemble ensemble() {
        return ensemble;
    }

    /** The target field name. */
    public String target() {
        return target;
    }

    @Override
    public String kind() {
        return "compiled";
    }

    @Override
    public List<String> inputFields() {
        return inputNames;
    }

    @Override
    public List<String> resultFields() {
        return resultNames;
    }

    @Override
    public Map<String, Object> evaluate(Map<String, ?> arguments) {
        double[] row = ensemble.newRow();
        for (int i = 0; i < row.length; i++) {
            row[i] = ensemble.encode(i, arguments.get(ensemble.inputName(i)));
        }
        double[] result = ensemble.newResult();
        boolean present = ensemble.evaluate(row, ensemble.newMargins(), result);
        Map<String, Object> results = new LinkedHashMap<>();
        Object predicted = null;
        if (present) {
            predicted = ensemble.isClassification() ? argmax(result) : (Object) result[0];
        }
        results.put(target, predicted);
        for (Result output : outputs) {
            if (!present) {
                results.put(output.name(), null);
            } else if (output.category() >= 0) {
                results.put(output.name(), result[output.category()]);
            } else {
                results.put(output.name(), predicted);
            }
        }
        return results;
    }

    private String argmax(double[] probabilities) {
        int best = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (probabilities[c] > probabilities[best]) {
                best = c;
            }
        }
        return ensemble.categories().get(best);
    }
}
