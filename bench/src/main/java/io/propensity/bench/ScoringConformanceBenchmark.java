package io.propensity.bench;

import io.propensity.scoring.pmml.EnsembleCompiler;
import io.propensity.scoring.pmml.JpmmlModelEvaluator;
import io.propensity.scoring.pmml.ModelEvaluator;
import io.propensity.scoring.pmml.PmmlSource;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Microseconds per evaluation of conformance models (scoring/src/test/resources/conformance)
 * through the general {@link ModelEvaluator} layer: raw CSV values by field name in, every output
 * field out, JPMML-Evaluator against the compiled evaluator. The compiled side here pays for a map
 * in and a map out per row, so its ratio is lower than {@link ScoringBenchmark}'s vector path. Run
 * from the repository root:
 *
 * <pre>java -jar bench/target/benchmarks.jar ScoringConformance -f 1 -wi 3 -i 5</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ScoringConformanceBenchmark {

    /** repo/case:input, the input CSV as named in the case's MANIFEST.md. */
    @Param({
        "jpmml-xgboost/BinomialClassificationAudit:Audit",
        "jpmml-xgboost/MultinomialClassificationIris:Iris",
        "jpmml-lightgbm/ClassificationAudit:Audit",
        "jpmml-lightgbm/RegressionVisitNA:VisitNA",
        "jpmml-sklearn/HistGradientBoostingAutoNA:AutoNA"
    })
    public String testCase;

    @Param({"jpmml", "compiled"})
    public String evaluator;

    private ModelEvaluator model;
    private List<Map<String, ?>> rows;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Path root = Path.of("scoring/src/test/resources/conformance");
        String[] parts = testCase.split(":");
        String repo = parts[0].substring(0, parts[0].indexOf('/'));
        String name = parts[0].substring(parts[0].indexOf('/') + 1);
        Path pmml = root.resolve(repo).resolve("pmml").resolve(name + ".pmml");
        model =
                evaluator.equals("jpmml")
                        ? JpmmlModelEvaluator.build(PmmlSource.read(pmml), pmml.toString())
                        : EnsembleCompiler.compile(PmmlSource.read(pmml));
        rows = read(root.resolve(repo).resolve("csv").resolve(parts[1] + ".csv"));
    }

    @Benchmark
    public Map<String, Object> evaluate() {
        Map<String, ?> row = rows.get(next);
        next = next + 1 == rows.size() ? 0 : next + 1;
        return model.evaluate(row);
    }

    private static List<Map<String, ?>> read(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, ?>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                boolean missing = cells[i].equals("NA") || cells[i].equals("N/A");
                row.put(header[i], missing ? null : cells[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
