package io.propensity.scoring.pmml;

import io.propensity.scoring.ModelLoadException;

import org.dmg.pmml.PMML;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.EvaluatorUtil;
import org.jpmml.evaluator.InputField;
import org.jpmml.evaluator.ModelEvaluatorBuilder;
import org.jpmml.evaluator.ModelField;
import org.jpmml.evaluator.visitors.ModelEvaluatorVisitorBattery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JPMML-Evaluator (AGPL-3.0) behind {@link ModelEvaluator}: the reference for any PMML it supports.
 * The evaluator is used as a library and stays behind this interface.
 *
 * <p>Building it applies JPMML's own optimising visitors to the PMML object, which changes that
 * object: compile it with {@link EnsembleCompiler} first if both are wanted from one document.
 */
public final class JpmmlModelEvaluator implements ModelEvaluator {

    private final Evaluator evaluator;
    private final List<InputField> inputs;
    private final List<String> inputNames;
    private final List<String> resultNames;

    private JpmmlModelEvaluator(Evaluator evaluator) {
        this.evaluator = evaluator;
        this.inputs = List.copyOf(evaluator.getInputFields());
        List<String> names = new ArrayList<>();
        for (InputField input : inputs) {
            names.add(input.getName());
        }
        this.inputNames = Collections.unmodifiableList(names);
        List<String> results = new ArrayList<>();
        for (ModelField field : evaluator.getTargetFields()) {
            results.add(field.getName());
        }
        for (ModelField field : evaluator.getOutputFields()) {
            results.add(field.getName());
        }
        this.resultNames = Collections.unmodifiableList(results);
    }

    /**
     * Builds the evaluator and runs the model's own {@code ModelVerification} rows, if any.
     *
     * @throws ModelLoadException naming {@code source} when JPMML refuses the model or the
     *     verification fails
     */
    public static JpmmlModelEvaluator build(PMML pmml, String source) throws ModelLoadException {
        try {
            new ModelEvaluatorVisitorBattery(false).applyTo(pmml);
            Evaluator evaluator = new ModelEvaluatorBuilder(pmml).build();
            evaluator.verify();
            return new JpmmlModelEvaluator(evaluator);
        } catch (RuntimeException e) {
            throw new ModelLoadException(
                    source + ": JPMML-Evaluator refuses the model: " + e.getMessage(), e);
        }
    }

    @Override
    public String kind() {
        return "jpmml";
    }

    @Override
    public List<String> inputFields() {
        return inputNames;
    }

    @Override
    public List<String> resultFields() {
        return resultNames;
    }

    /** The underlying evaluator, for callers that need JPMML's own result objects. */
    public Evaluator evaluator() {
        return evaluator;
    }

    @Override
    public Map<String, Object> evaluate(Map<String, ?> arguments) {
        Map<String, ?> decoded;
        try {
            Map<String, Object> prepared = new LinkedHashMap<>();
            for (InputField input : inputs) {
                prepared.put(input.getName(), input.prepare(arguments.get(input.getName())));
            }
            decoded = EvaluatorUtil.decodeAll(evaluator.evaluate(prepared));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        for (String name : resultNames) {
            Object value = decoded.get(name);
            if (value instanceof Number number) {
                results.put(name, number.doubleValue());
            } else {
                results.put(name, value == null ? null : value.toString());
            }
        }
        return results;
    }
}
