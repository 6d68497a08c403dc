package io.propensity.features.io;

/**
 * Splits a CSV line of plain fields on commas. Neither source format quotes its fields (checked on
 * the shipped files), so a quote is refused rather than half-interpreted.
 */
final class CsvFields {

    private CsvFields() {}

    /**
     * Splits {@code line} into exactly {@code expected} fields.
     *
     * @throws MalformedEventException naming the field count found, or a quote
     */
    static String[] split(String line, int expected, String columns)
            throws MalformedEventException {
        String[] fields = new String[expected];
        int count = 0;
        int start = 0;
        int length = line.length();
        for (int i = 0; i <= length; i++) {
            if (i == length || line.charAt(i) == ',') {
                if (count < expected) {
                    fields[count] = line.substring(start, i);
                }
                count++;
                start = i + 1;
            } else if (line.charAt(i) == '"') {
                throw new MalformedEventException(
                        "quoted CSV fields are not supported (column " + (count + 1) + ")");
            }
        }
        if (count != expected) {
            throw new MalformedEventException(
                    "expected "
                            + expected
                            + " comma-separated fields ("
                            + columns
                            + "), found "
                            + count);
        }
        return fields;
    }

    /** The value, or {@code null} for an empty field. */
    static String optional(String field) {
        return field.isEmpty() ? null : field;
    }

    /** Parses a non-negative decimal integer field, naming it on failure. */
    static long parseLong(String field, String name) throws MalformedEventException {
        if (field.isEmpty()) {
            throw new MalformedEventException("field '" + name + "' is empty");
        }
        try {
            return Long.parseLong(field);
        } catch (NumberFormatException e) {
            throw new MalformedEventException(
                    "field '" + name + "' is not an integer: '" + field + "'");
        }
    }
}
