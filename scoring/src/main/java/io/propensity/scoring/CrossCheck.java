package io.propensity.scoring;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.pmml.CompiledEnsemble;

import jakarta.xml.bind.JAXBElement;
import org.dmg.pmml.Cell;
import org.dmg.pmml.InlineTable;
import org.dmg.pmml.Model;
import org.dmg.pmml.ModelVerification;
import org.dmg.pmml.Row;
import org.dmg.pmml.VerificationField;
import org.dmg.pmml.VerificationFields;
import org.w3c.dom.Element;

import javax.xml.namespace.QName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The load-time check of the compiled scorer against JPMML-Evaluator: both score the same rows (the
 * model's own ModelVerification rows when it has them, otherwise rows generated around every split
 * threshold, a sixth of the values missing) and must agree within {@link #TOLERANCE}.
 */
final class CrossCheck {

    /** Largest accepted difference between the two probabilities. */
    static final double TOLERANCE = 1e-6;

    /** Generated rows when the model carries no verification rows. */
    static final int GENERATED_ROWS = 256;

    private CrossCheck() {}

    /** The rows to check with: verification rows if present, else generated ones. */
    static List<double[]> rows(Model model, CompiledEnsemble ensemble, ModelContract contract) {
        List<double[]> rows = verificationRows(model);
        if (!rows.isEmpty()) {
            return rows;
        }
        return generatedRows(ensemble, contract);
    }

    /**
     * Compares both scorers on every row.
     *
     * @return null when they agree, else the first disagreement in words
     */
    static String disagreement(Scorer compiled, Scorer reference, List<double[]> rows) {
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            String expected;
            String actual;
            double e = Double.NaN;
            double a = Double.NaN;
            try {
                e = reference.score(row);
                expected = Double.toString(e);
            } catch (RuntimeException ex) {
                expected = "error " + ex.getMessage();
            }
            try {
                a = compiled.score(row);
                actual = Double.toString(a);
            } catch (RuntimeException ex) {
                actual = "error " + ex.getMessage();
            }
            boolean bothFailed = Double.isNaN(e) && Double.isNaN(a);
            if (!bothFailed && !(Math.abs(a - e) <= TOLERANCE)) {
                return "compiled and JPMML disagree on check row "
                        + (r + 1)
                        + " of "
                        + rows.size()
                        + ": "
                        + actual
                        + " vs "
                        + expected
                        + " (tolerance "
                        + TOLERANCE
                        + ")";
            }
        }
        return null;
    }

    private static List<double[]> generatedRows(CompiledEnsemble ensemble, ModelContract contract) {
        SplittableRandom random = new SplittableRandom(20240501L);
        int[] indices = contract.featureIndices();
        double[][] splits = new double[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            splits[i] = ensemble.splitValues(i);
        }
        List<double[]> rows = new ArrayList<>(GENERATED_ROWS);
        for (int r = 0; r < GENERATED_ROWS; r++) {
            double[] row = FeatureSchema.newVector();
            for (int i = 0; i < indices.length; i++) {
                row[indices[i]] = probe(random, splits[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** A value at, just below or just above a split, or missing, or anywhere. */
    private static double probe(SplittableRandom random, double[] splits) {
        int kind = random.nextInt(6);
        if (kind == 0) {
            return Double.NaN;
        }
        if (splits.length == 0 || kind == 5) {
            return random.nextDouble(-10, 1000);
        }
        double split = splits[random.nextInt(splits.length)];
        switch (kind) {
            case 1:
                return split;
            case 2:
                return Math.nextDown((float) split);
            case 3:
                return Math.nextUp((float) split);
            default:
                return split + random.nextDouble(-1, 1) * Math.max(1, Math.abs(split) * 0.1);
        }
    }

    private static List<double[]> verificationRows(Model model) {
        List<double[]> rows = new ArrayList<>();
        ModelVerification verification = model.getModelVerification();
        if (verification == null || verification.getInlineTable() == null) {
            return rows;
        }
        Map<String, Integer> columnToFeature = new HashMap<>();
        VerificationFields fields = verification.getVerificationFields();
        if (fields == null) {
            return rows;
        }
        for (VerificationField field : fields.getVerificationFields()) {
            int index = FeatureSchema.indexOf(field.requireField());
            if (index >= 0) {
                String column =
                        field.getColumn() != null ? field.getColumn() : field.requireField();
                columnToFeature.put(column, index);
            }
        }
        InlineTable table = verification.getInlineTable();
        for (Row row : table.getRows()) {
            double[] vector = FeatureSchema.newVector();
            for (Object cell : row.getContent()) {
                String name = null;
                Object value = null;
                // a column names the cell element as written, prefix included: the converters
                // write "data:x" cells, which pmml-model reads as Cells
                if (cell instanceof Cell element) {
                    name = column(element.getName());
                    value = element.getValue();
                } else if (cell instanceof JAXBElement<?> element) {
                    name = column(element.getName());
                    value = element.getValue();
                } else if (cell instanceof Element element) {
                    name = element.getTagName();
                    value = element.getTextContent();
                }
                Integer index = name == null ? null : columnToFeature.get(name);
                if (index != null && value != null) {
                    try {
                        vector[index] = Double.parseDouble(value.toString().trim());
                    } catch (NumberFormatException e) {
                        vector[index] = Double.NaN;
                    }
                }
            }
            rows.add(vector);
        }
        return rows;
    }

    private static String column(QName name) {
        String prefix = name.getPrefix();
        return prefix == null || prefix.isEmpty()
                ? name.getLocalPart()
                : prefix + ":" + name.getLocalPart();
    }
}
