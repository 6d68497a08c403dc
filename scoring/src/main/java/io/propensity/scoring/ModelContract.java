package io.propensity.scoring;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.pmml.PmmlSource;

import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.Model;
import org.dmg.pmml.OpType;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract between a model and the job: a binary classifier whose inputs are numeric features
 * of {@link FeatureSchema}, and whose score is the probability of the positive class.
 *
 * <p>Checked on the PMML document at load time, before any event is scored. Every violation is
 * collected and reported in one message that lists them, so a bad model is fixed in one round.
 *
 * @param targetField the PMML target field
 * @param positiveCategory the category whose probability is the score ({@code 1}, {@code true},
 *     else the last declared category)
 * @param inputFields the model's input fields, in MiningSchema order
 * @param featureIndices for each input field, its position in the FeatureSchema vector
 */
public record ModelContract(
        String targetField,
        String positiveCategory,
        List<String> inputFields,
        int[] featureIndices) {

    private static final List<DataType> NUMERIC =
            List.of(DataType.DOUBLE, DataType.FLOAT, DataType.INTEGER);

    /**
     * Checks the document.
     *
     * @param expectedFeatures the features the model card lists, or null when there is no card
     * @throws ModelLoadException listing every violation, naming {@code source}
     */
    public static ModelContract check(PMML pmml, String source, List<String> expectedFeatures)
            throws ModelLoadException {
        Model model = PmmlSource.model(pmml);
        Map<String, DataField> dataFields = new HashMap<>();
        for (DataField field : pmml.requireDataDictionary().getDataFields()) {
            dataFields.put(field.requireName(), field);
        }
        List<String> problems = new ArrayList<>();
        if (model.requireMiningFunction() != MiningFunction.CLASSIFICATION) {
            problems.add(
                    "the model is "
                            + model.requireMiningFunction().value()
                            + ", not a binary classification with a probability");
        }

        String target = null;
        List<String> inputs = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> wrongType = new ArrayList<>();
        for (MiningField miningField : model.requireMiningSchema().getMiningFields()) {
            String name = miningField.requireName();
            MiningField.UsageType usage = miningField.getUsageType();
            if (usage == MiningField.UsageType.TARGET || usage == MiningField.UsageType.PREDICTED) {
                if (target != null) {
                    problems.add("more than one target field: " + target + ", " + name);
                }
                target = name;
                continue;
            }
            if (usage != MiningField.UsageType.ACTIVE) {
                continue;
            }
            inputs.add(name);
            if (FeatureSchema.indexOf(name) < 0) {
                unknown.add(name);
            }
            DataField dataField = dataFields.get(name);
            if (dataField == null) {
                problems.add("input field " + name + " is not in the DataDictionary");
            } else if (!NUMERIC.contains(dataField.requireDataType())
                    || dataField.requireOpType() != OpType.CONTINUOUS) {
                wrongType.add(
                        name
                                + " ("
                                + dataField.requireOpType().value()
                                + " "
                                + dataField.requireDataType().value()
                                + ")");
            }
        }
        if (!unknown.isEmpty()) {
            problems.add("input fields not in the feature vector: " + String.join(", ", unknown));
        }
        if (!wrongType.isEmpty()) {
            problems.add(
                    "input fields that are not continuous numbers: "
                            + String.join(", ", wrongType));
        }
        if (expectedFeatures != null) {
            List<String> missing = new ArrayList<>();
            for (String feature : expectedFeatures) {
                if (!inputs.contains(feature)) {
                    missing.add(feature);
                }
            }
            List<String> extra = new ArrayList<>();
            for (String input : inputs) {
                if (!expectedFeatures.contains(input)) {
                    extra.add(input);
                }
            }
            if (!missing.isEmpty()) {
                problems.add(
                        "features of the model card missing from the PMML: "
                                + String.join(", ", missing));
            }
            if (!extra.isEmpty()) {
                problems.add(
                        "PMML input fields not in the model card: " + String.join(", ", extra));
            }
        }

        String positive = null;
        if (target == null) {
            problems.add("no target field in the MiningSchema");
        } else {
            DataField targetField = dataFields.get(target);
            List<String> categories = new ArrayList<>();
            if (targetField != null) {
                for (Value value : targetField.getValues()) {
                    if (value.getProperty() == Value.Property.VALID) {
                        categories.add(String.valueOf(value.requireValue()));
                    }
                }
            }
            if (targetField == null
                    || targetField.requireOpType() != OpType.CATEGORICAL
                    || categories.size() != 2) {
                problems.add(
                        "target "
                                + target
                                + " is not a binary category (categories: "
                                + categories
                                + ")");
            } else {
                positive = positiveOf(categories);
            }
        }

        if (!problems.isEmpty()) {
            throw new ModelLoadException(
                    source
                            + ": model does not meet the scoring contract: "
                            + String.join("; ", problems));
        }
        int[] indices = new int[inputs.size()];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = FeatureSchema.indexOf(inputs.get(i));
        }
        return new ModelContract(target, positive, List.copyOf(inputs), indices);
    }

    private static String positiveOf(List<String> categories) {
        for (String category : categories) {
            if (category.equals("1") || category.equalsIgnoreCase("true")) {
                return category;
            }
        }
        return categories.get(1);
    }
}
