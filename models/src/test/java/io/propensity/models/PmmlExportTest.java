package io.propensity.models;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import ml.dmlc.xgboost4j.java.DMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmmlExportTest {

    @TempDir Path dir;

    @Test
    void shouldExportAllFeaturesAndPassTheGateButFailItForOtherScores() throws Exception {
        // synthetic rows: the label depends on two features; a fifth of values missing
        SplittableRandom random = new SplittableRandom(7);
        ExampleSet examples = new ExampleSet();
        int user = examples.addUser("u");
        for (int i = 0; i < 600; i++) {
            double[] vector = new double[FeatureSchema.size()];
            for (int f = 0; f < vector.length; f++) {
                vector[f] = random.nextDouble() < 0.2 ? Double.NaN : random.nextDouble(0, 10);
            }
            double carts = vector[FeatureSchema.CART_COUNT_24H];
            int label = (!Double.isNaN(carts) && carts > 5) ^ (random.nextDouble() < 0.1) ? 1 : 0;
            examples.add(user, i, i, vector, label);
        }
        int[] rows = new int[examples.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        DMatrix matrix = Boosting.matrix(examples.matrix(rows), rows.length, examples.labels(rows));
        Boosting.Trained trained =
                Boosting.train(
                        "test",
                        BoosterParameters.defaults().withMaxRounds(20).xgboost(),
                        matrix,
                        matrix,
                        20,
                        5);
        double[] expected = Boosting.predict(trained.booster(), matrix);

        byte[] bytes =
                PmmlExport.toBytes(
                        PmmlExport.toPmml(trained.booster(), "test-model", "purchase_intent"));
        Path pmml = dir.resolve("test-model.pmml");
        Files.write(pmml, bytes);

        assertThat(Scorers.load(pmml, "v", ScorerKind.JPMML).info().inputFields())
                .containsExactlyElementsOf(FeatureSchema.names());
        ParityGate.Result result = ParityGate.check(pmml, "v", examples, rows, expected);
        assertThat(result.rows()).isEqualTo(600);
        assertThat(result.maxAbsDifference()).isLessThanOrEqualTo(ParityGate.TOLERANCE);
        // the same booster exported twice gives the same bytes, hence the same version
        assertThat(
                        PmmlExport.toBytes(
                                PmmlExport.toPmml(
                                        trained.booster(), "test-model", "purchase_intent")))
                .isEqualTo(bytes);

        double[] shifted = expected.clone();
        shifted[17] += 1e-4;
        assertThatThrownBy(() -> ParityGate.check(pmml, "v", examples, rows, shifted))
                .isInstanceOf(ParityException.class)
                .hasMessageContaining("row 17");
    }
}
