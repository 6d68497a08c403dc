package io.propensity.scoring.pmml;

import org.dmg.pmml.DataType;
import org.dmg.pmml.InvalidValueTreatmentMethod;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One input field of a compiled model and how a raw value becomes the {@code double} its predicates
 * compare: numbers as numbers (rounded to float for {@code float} fields, as PMML's data type
 * conversion does), string and boolean categories as their code in {@link #codes} ({@code -1} for a
 * category no predicate names), missing as {@code NaN}.
 *
 * <p>Validity follows the DataField (Intervals for continuous fields, declared Values for
 * categorical ones) and the MiningField's invalidValueTreatment; missing values are the declared
 * missing Values, {@code null}, and {@code NaN} where declared; missingValueReplacement applies.
 */
final class InputSlot {

    final String name;
    final DataType dataType;
    final boolean categorical;

    /** Codes of string and boolean categories (declared and used in predicates), else null. */
    final Map<String, Integer> codes;

    /** Declared valid categories of a numeric categorical field, sorted, or null. */
    final double[] validNumbers;

    /** Declared valid categories of a string or boolean field, or null. */
    final Set<String> validStrings;

    /** Interval bounds of a continuous field (empty: every number is valid). */
    final double[] lower;

    final double[] upper;
    final boolean[] lowerClosed;
    final boolean[] upperClosed;
    final Set<String> missingValues;
    final InvalidValueTreatmentMethod invalidTreatment;

    /** Encoded missingValueReplacement, or NaN. */
    final double replacement;

    InputSlot(
            String name,
            DataType dataType,
            boolean categorical,
            Map<String, Integer> codes,
            double[] validNumbers,
            Set<String> validStrings,
            List<double[]> intervals,
            List<boolean[]> closures,
            Set<String> missingValues,
            InvalidValueTreatmentMethod invalidTreatment,
            double replacement) {
        this.name = name;
        this.dataType = dataType;
        this.categorical = categorical;
        this.codes = codes;
        this.validNumbers = validNumbers;
        this.validStrings = validStrings;
        int n = intervals.size();
        this.lower = new double[n];
        this.upper = new double[n];
        this.lowerClosed = new boolean[n];
        this.upperClosed = new boolean[n];
        for (int i = 0; i < n; i++) {
            lower[i] = intervals.get(i)[0];
            upper[i] = intervals.get(i)[1];
            lowerClosed[i] = closures.get(i)[0];
            upperClosed[i] = closures.get(i)[1];
        }
        this.missingValues = missingValues;
        this.invalidTreatment = invalidTreatment;
        this.replacement = replacement;
    }

    boolean isStringCoded() {
        return codes != null;
    }

    /**
     * Encodes a number from a feature vector ({@code NaN} = missing) without allocating.
     *
     * @throws IllegalArgumentException for an invalid value under returnInvalid
     */
    double encodeNumber(double value) {
        if (Double.isNaN(value)) {
            return replacement;
        }
        if (codes != null) {
            // a string category cannot come as a number: invalid
            return invalid(String.valueOf(value), -1);
        }
        double v = dataType == DataType.FLOAT ? (double) (float) value : value;
        return validate(v);
    }

    /**
     * Encodes a raw argument as JPMML would prepare it: null is missing, strings are parsed as the
     * field's data type, declared missing values are missing.
     */
    double encode(Object raw) {
        if (raw == null) {
            return replacement;
        }
        String text = raw instanceof String s ? s : null;
        if (text != null && missingValues.contains(text)) {
            return replacement;
        }
        if (text == null && missingValues.contains(canonicalNumber(raw))) {
            return replacement;
        }
        if (codes != null) {
            String key = text != null ? text : raw.toString();
            if (dataType == DataType.BOOLEAN) {
                key = key.toLowerCase(java.util.Locale.ROOT);
            }
            if (validStrings != null && !validStrings.contains(key)) {
                return invalid(key, -1);
            }
            Integer code = codes.get(key);
            return code == null ? -1 : code;
        }
        double v;
        try {
            if (raw instanceof Number number) {
                v = dataType == DataType.FLOAT ? number.floatValue() : number.doubleValue();
            } else if (dataType == DataType.FLOAT) {
                v = Float.parseFloat(text.trim());
            } else {
                v = Double.parseDouble(text.trim());
            }
        } catch (NumberFormatException e) {
            return invalid(String.valueOf(raw), Double.NaN);
        }
        if (Double.isNaN(v)) {
            // NaN that is not declared missing is an invalid value in PMML
            return invalid("NaN", Double.NaN);
        }
        if (dataType == DataType.INTEGER && v != Math.rint(v)) {
            return invalid(String.valueOf(raw), v);
        }
        return validate(v);
    }

    private double validate(double v) {
        if (validNumbers != null) {
            return Arrays.binarySearch(validNumbers, v) >= 0 ? v : invalid(String.valueOf(v), v);
        }
        if (lower.length == 0) {
            return v;
        }
        for (int i = 0; i < lower.length; i++) {
            boolean aboveLower = lowerClosed[i] ? v >= lower[i] : v > lower[i];
            boolean belowUpper = upperClosed[i] ? v <= upper[i] : v < upper[i];
            if (aboveLower && belowUpper) {
                return v;
            }
        }
        return invalid(String.valueOf(v), v);
    }

    private double invalid(String shown, double asIs) {
        switch (invalidTreatment) {
            case AS_IS:
                return asIs;
            case AS_MISSING:
                return replacement;
            default:
                throw new IllegalArgumentException(
                        "field " + name + ": invalid value '" + shown + "'");
        }
    }

    /** A number's canonical text, to match declared missing values such as {@code NaN}. */
    static String canonicalNumber(Object number) {
        if (number instanceof Double d && d.isNaN() || number instanceof Float f && f.isNaN()) {
            return "NaN";
        }
        try {
            return new BigDecimal(number.toString()).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return number.toString();
        }
    }
}
