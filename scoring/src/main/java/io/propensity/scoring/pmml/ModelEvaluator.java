package io.propensity.scoring.pmml;

import java.util.List;
import java.util.Map;

/**
 * A PMML model evaluated by field name: the general layer under {@link
 * io.propensity.scoring.Scorer} that scores any supported model, whatever its fields and target, as
 * the PMML declares them.
 *
 * <p>Arguments are keyed by input field name; a value may be a {@link Number}, a {@link String}
 * (parsed as the field's data type) or {@code null} (missing). Results are keyed by the target
 * field name (the predicted value or category) and by each final {@code OutputField} name; numbers
 * come back as {@link Double}, categories as {@link String}, a missing result as {@code null}.
 *
 * <p>Implementations are not thread-safe unless they say so.
 */
public interface ModelEvaluator {

    /** A short name of the implementation, e.g. {@code jpmml} or {@code compiled}. */
    String kind();

    /** The model's input (active) field names, in MiningSchema order. */
    List<String> inputFields();

    /** The result names: the target field first, then the final output fields. */
    List<String> resultFields();

    /**
     * Evaluates one row.
     *
     * @throws IllegalArgumentException when a value is invalid and the model says to return invalid
     */
    Map<String, Object> evaluate(Map<String, ?> arguments);
}
