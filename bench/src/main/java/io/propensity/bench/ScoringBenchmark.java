package io.propensity.bench;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

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
import java.util.concurrent.TimeUnit;

/**
 * Microseconds per evaluation of {@link Scorer#score} (a FeatureSchema vector in, a probability
 * out), JPMML-Evaluator against the compiled scorer on the same model in the same JVM:
 *
 * <ul>
 *   <li>{@code generated-200x6}: XGBoost, 200 trees of depth 6, trained on generated data by {@link
 *       ScoringModelGenerator} (written to bench/target on first use).
 *   <li>{@code purchase-intent}, {@code churn-risk}: the project's default models in models/default
 *       (skipped with a message when absent).
 * </ul>
 *
 * Rows are 1,024 generated vectors with missing values, cycled. Run from the repository root:
 *
 * <pre>java -jar bench/target/benchmarks.jar Scor -f 1 -wi 3 -i 5</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ScoringBenchmark {

    @Param({"generated-200x6", "purchase-intent", "churn-risk"})
    public String model;

    @Param({"JPMML", "COMPILED"})
    public ScorerKind kind;

    private Scorer scorer;
    private double[][] rows;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Path pmml =
                model.startsWith("generated")
                        ? ScoringModelGenerator.ensure(ScoringModelGenerator.DEFAULT_PATH)
                        : Path.of("models/default/" + model + ".pmml");
        if (!Files.exists(pmml)) {
            throw new IllegalStateException(pmml + " not found: run from the repository root");
        }
        scorer = Scorers.load(pmml, null, kind);
        if (scorer.info().kind() != kind) {
            throw new IllegalStateException(
                    model + " did not load as " + kind + ": " + scorer.info().fallbackReason());
        }
        rows = ScoringModelGenerator.rows(1024, 11);
        if (rows[0].length != FeatureSchema.size()) {
            throw new IllegalStateException("rows do not match the feature vector");
        }
    }

    @Benchmark
    public double score() {
        double[] row = rows[next];
        next = (next + 1) & (rows.length - 1);
        return scorer.score(row);
    }
}
