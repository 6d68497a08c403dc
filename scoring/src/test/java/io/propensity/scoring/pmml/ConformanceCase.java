package io.propensity.scoring.pmml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One conformance case of {@code src/test/resources/conformance/<repo>/MANIFEST.md}: a PMML file,
 * its input CSV, the outputs the original library computed, and the stated tolerance.
 */
record ConformanceCase(
        String repo,
        String name,
        Path pmml,
        Path input,
        Path expected,
        String tolerance,
        List<String> excluded) {

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Override
    public String toString() {
        return repo + "/" + name;
    }

    /** Every case of every MANIFEST.md under {@code root}. */
    static List<ConformanceCase> all(Path root) {
        List<ConformanceCase> cases = new ArrayList<>();
        try (var dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                Path manifest = dir.resolve("MANIFEST.md");
                if (Files.isDirectory(dir) && Files.exists(manifest)) {
                    cases.addAll(read(dir, manifest));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static List<ConformanceCase> read(Path dir, Path manifest) throws IOException {
        List<ConformanceCase> cases = new ArrayList<>();
        boolean inCases = false;
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            if (line.startsWith("| case |")) {
                inCases = true;
                continue;
            }
            if (!inCases || !line.startsWith("| ") || line.startsWith("|---")) {
                inCases = inCases && line.startsWith("|");
                continue;
            }
            String[] cells = line.split("\\|");
            // cells[0] is empty: | case | pmml | input | expected | target | outputs | tol | excl
            String name = cells[1].trim();
            String excluded = cells[8].trim();
            cases.add(
                    new ConformanceCase(
                            dir.getFileName().toString(),
                            name,
                            dir.resolve(code(cells[2])),
                            dir.resolve(code(cells[3])),
                            dir.resolve(code(cells[4])),
                            cells[7].trim(),
                            excluded.equals("-")
                                    ? List.of()
                                    : Arrays.asList(excluded.split("\\s+"))));
        }
        return cases;
    }

    private static String code(String cell) {
        Matcher matcher = CODE.matcher(cell);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no file name in " + cell);
        }
        return matcher.group(1);
    }

    /** Rows of a CSV file as maps by column; {@code NA} and {@code N/A} become null. */
    static List<Map<String, String>> rows(Path csv) {
        try {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            String[] header = lines.get(0).split(",", -1);
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.length; i++) {
                    String cell = cells[i];
                    row.put(header[i], cell.equals("NA") || cell.equals("N/A") ? null : cell);
                }
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code actual} matches {@code expected} at this case's tolerance. */
    boolean matches(String expected, Object actual) {
        if (expected == null || actual == null) {
            return expected == null && actual == null;
        }
        double e;
        try {
            e = Double.parseDouble(expected);
        } catch (NumberFormatException notANumber) {
            return expected.equals(actual.toString());
        }
        double a;
        if (actual instanceof Number number) {
            a = number.doubleValue();
        } else {
            try {
                a = Double.parseDouble(actual.toString());
            } catch (NumberFormatException notANumber) {
                return false;
            }
        }
        String[] words = tolerance.split("\\s+");
        if (tolerance.startsWith("float32 ULP x")) {
            int n = Integer.parseInt(words[2].substring(1));
            float fe = (float) e;
            float fa = (float) a;
            return Math.abs(fa - fe) <= n * Math.ulp(fe);
        }
        if (tolerance.startsWith("float64 ULP x")) {
            int n = Integer.parseInt(words[2].substring(1));
            return Math.abs(a - e) <= n * Math.ulp(e);
        }
        if (tolerance.startsWith("relative ")) {
            double p = Double.parseDouble(words[1]);
            return Math.abs(a - e) <= p * Math.abs(e) || (Math.abs(a) < p && Math.abs(e) < p);
        }
        throw new IllegalArgumentException("unknown tolerance " + tolerance);
    }
}
