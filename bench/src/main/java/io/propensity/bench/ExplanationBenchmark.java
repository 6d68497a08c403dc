package io.propensity.bench;

import io.propensity.features.FeatureSchema;
import io.propensity.models.PmmlExport;
import io.propensity.scoring.ExplanationMethod;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
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
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Microseconds per explanation ({@link Scorer#contributions}: TreeSHAP over every tree, the cost
 * the job pays once per alert) with the compiled scorer:
 *
 * <ul>
 *   <li>{@code generated-200x6-covers}: XGBoost, 200 trees of depth 6 on generated rows, exported
 *       with node covers by the models module's {@link PmmlExport} (written to bench/target on
 *       first use);
 *   <li>{@code purchase-intent}, {@code churn-risk}: the default models in models/default.
 * </ul>
 *
 * Rows are 1,024 generated vectors with missing values ({@link ScoringModelGenerator#rows}),
 * cycled. Run from the repository root:
 *
 * <pre>java -jar bench/target/benchmarks.jar Explanation -f 1 -wi 3 -i 5</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExplanationBenchmark {

    static final Path GENERATED = Path.of("bench/target/explanation/generated-200x6-covers.pmml");

    @Param({"generated-200x6-covers", "purchase-intent", "churn-risk"})
    public String model;

    private Scorer scorer;
    private double[][] rows;
    private double[] contributions;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Path pmml =
                model.startsWith("generated")
                        ? ensureGenerated()
                        : Path.of("models/default/" + model + ".pmml");
        if (!Files.exists(pmml)) {
            throw new IllegalStateException(pmml + " not found: run from the repository root");
        }
        scorer = Scorers.load(pmml, null, ScorerKind.COMPILED);
        if (scorer.explanationMethod() != ExplanationMethod.TREE_SHAP) {
            throw new IllegalStateException(
                    model + " is explained by " + scorer.explanationMethod() + ", not TreeSHAP");
        }
        rows = ScoringModelGenerator.rows(1024, 11);
        contributions = new double[FeatureSchema.size()];
    }

    @Benchmark
    public double explain() {
        double[] row = rows[next];
        next = (next + 1) & (rows.length - 1);
        return scorer.contributions(row, contributions) + contributions[0];
    }

    /** Trains and exports the 200-tree depth-6 model once; later runs reuse the file. */
    static Path ensureGenerated() throws Exception {
        if (Files.exists(GENERATED)) {
            return GENERATED;
        }
        int count = 5_000;
        int n = FeatureSchema.size();
        double[][] rows = ScoringModelGenerator.rows(count, 42);
        float[] data = new float[count * n];
        float[] labels = new float[count];
        SplittableRandom random = new SplittableRandom(3);
        for (int r = 0; r < count; r++) {
            for (int f = 0; f < n; f++) {
                data[r * n + f] = (float) rows[r][f];
            }
            double carts = rows[r][FeatureSchema.CART_COUNT_24H];
            double since = rows[r][FeatureSchema.SECONDS_SINCE_LAST_CART];
            double margin =
                    Math.log1p(carts)
                            - (Double.isNaN(since) ? 1 : 0.1 * Math.log1p(since))
                            + 0.2 * rows[r][FeatureSchema.HOUR_OF_DAY] % 3
                            + random.nextDouble(-1.5, 1.5);
            labels[r] = margin > 0 ? 1f : 0f;
        }
        DMatrix train = new DMatrix(data, count, n, Float.NaN);
        train.setLabel(labels);
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "binary:logistic");
        params.put("max_depth", 6);
        params.put("eta", 0.1);
        params.put("min_child_weight", 1);
        params.put("nthread", 1);
        params.put("seed", 1);
        Booster booster = XGBoost.train(train, params, 200, new HashMap<>(), null, null);
        Files.createDirectories(GENERATED.toAbsolutePath().getParent());
        Files.write(
                GENERATED,
                PmmlExport.toBytes(
                        PmmlExport.toPmml(booster, "generated-200x6-covers", "purchase_intent")));
        return GENERATED;
    }
}
