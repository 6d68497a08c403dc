package io.propensity.models;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ExplanationMethod;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;
import io.propensity.scoring.pmml.CompiledEnsemble;
import io.propensity.scoring.pmml.EnsembleCompiler;
import io.propensity.scoring.pmml.PmmlSource;
import io.propensity.scoring.pmml.TreeExplainer;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Explanations of an exported model against XGBoost's own TreeSHAP: a 200-tree depth-6 booster on
 * generated rows (a fifth of values missing) is exported with node covers, loaded from disk through
 * {@link Scorers} as the job loads it, and its contributions and expected value are compared with
 * {@code Booster.predictContrib} on every row. The default models are checked the same way by the
 * trainer's explanation gate (see {@link DefaultModelsReproductionTest}); here their TreeSHAP is
 * checked to sum to the margin.
 */
class ExplanationParityTest {

    private static final int ROWS = 1500;

    @TempDir static Path dir;

    private static ExampleSet examples;
    private static int[] rows;
    private static Booster booster;
    private static DMatrix matrix;
    private static Path pmml;

    @BeforeAll
    static void trainAndExport() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        examples = new ExampleSet();
        int user = examples.addUser("u");
        for (int i = 0; i < ROWS; i++) {
            double[] vector = new double[FeatureSchema.size()];
            for (int f = 0; f < vector.length; f++) {
                vector[f] =
                        random.nextDouble() < 0.2
                                ? Double.NaN
                                : Math.round(random.nextDouble(0, 20) * 4) / 4.0;
            }
            double carts = vector[FeatureSchema.CART_COUNT_24H];
            double views = vector[FeatureSchema.VIEW_COUNT_1H];
            boolean buys =
                    (!Double.isNaN(carts) && carts > 8)
                            ^ (!Double.isNaN(views) && views < 3)
                            ^ (random.nextDouble() < 0.15);
            examples.add(user, i, i, vector, buys ? 1 : 0);
        }
        rows = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            rows[i] = i;
        }
        matrix = Boosting.matrix(examples.matrix(rows), ROWS, examples.labels(rows));
        Map<String, Object> params = new HashMap<>(BoosterParameters.defaults().xgboost());
        params.put("max_depth", 6);
        params.put("min_child_weight", 1);
        params.put("eta", 0.1);
        params.put("subsample", 1.0);
        params.put("nthread", 1);
        booster = XGBoost.train(matrix, params, 200, new HashMap<>(), null, null);
        pmml = dir.resolve("deep.pmml");
        Files.write(
                pmml, PmmlExport.toBytes(PmmlExport.toPmml(booster, "deep", "purchase_intent")));
    }

    @Test
    void shouldMatchXgboostPredictContribOnEveryRowOfA200TreeDepth6Model() throws Exception {
        assertThat(Files.readString(pmml)).contains("recordCount=");
        float[][] margins = booster.predict(matrix, true);
        float[][] expected = booster.predictContrib(matrix, 0);
        Scorer scorer = Scorers.load(pmml, "v", ScorerKind.COMPILED);
        assertThat(scorer.info().kind()).isEqualTo(ScorerKind.COMPILED);
        assertThat(scorer.info().trees()).isEqualTo(200);
        assertThat(scorer.explanationMethod()).isEqualTo(ExplanationMethod.TREE_SHAP);

        double[] contributions = new double[FeatureSchema.size()];
        int rowsWithMissing = 0;
        double worst = 0;
        for (int r = 0; r < ROWS; r++) {
            double[] vector = examples.vector(r);
            double bias = scorer.contributions(vector, contributions);
            assertThat(bias)
                    .as("expected value, row %d", r)
                    .isCloseTo(expected[r][40], within(1e-5));
            double sum = bias;
            for (int f = 0; f < FeatureSchema.size(); f++) {
                assertThat(contributions[f])
                        .as("row %d %s", r, FeatureSchema.names().get(f))
                        .isCloseTo(expected[r][f], within(1e-5));
                worst = Math.max(worst, Math.abs(contributions[f] - expected[r][f]));
                sum += contributions[f];
            }
            // XGBoost's margin is a float sum of 200 trees: agreement within its rounding
            assertThat(sum).as("sum, row %d", r).isCloseTo(margins[r][0], within(1e-5));
            rowsWithMissing += java.util.Arrays.stream(vector).anyMatch(Double::isNaN) ? 1 : 0;
        }
        assertThat(rowsWithMissing).isGreaterThan(ROWS / 2);
        assertThat(worst).isPositive();
    }

    @Test
    void shouldSumTreeShapToTheMarginOnTheExportedAndTheDefaultModels() throws Exception {
        for (Path model :
                new Path[] {
                    pmml,
                    Path.of("default/purchase-intent.pmml"),
                    Path.of("default/churn-risk.pmml")
                }) {
            CompiledEnsemble ensemble = EnsembleCompiler.compile(PmmlSource.read(model)).ensemble();
            TreeExplainer explainer = TreeExplainer.of(ensemble);
            assertThat(explainer.method())
                    .as(model.toString())
                    .isEqualTo(ExplanationMethod.TREE_SHAP);
            for (int i = 0; i < ensemble.inputCount(); i++) {
                assertThat(ensemble.inputName(i)).isEqualTo(FeatureSchema.names().get(i));
            }
            double[] contributions = new double[ensemble.inputCount()];
            for (int r = 0; r < ROWS; r++) {
                double[] row = ensemble.newRow();
                double[] vector = examples.vector(r);
                for (int i = 0; i < row.length; i++) {
                    row[i] = ensemble.encodeNumber(i, vector[i]);
                }
                java.util.Arrays.fill(contributions, 0);
                double sum = explainer.explain(0, row, contributions);
                for (double contribution : contributions) {
                    sum += contribution;
                }
                assertThat(sum)
                        .as("%s row %d", model, r)
                        .isCloseTo(ensemble.marginInDouble(0, row), within(1e-6));
            }
        }
    }
}
