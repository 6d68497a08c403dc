package io.propensity.scoring;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.pmml.CompiledModel;
import io.propensity.scoring.pmml.EnsembleCompiler;
import io.propensity.scoring.pmml.PmmlSource;
import io.propensity.scoring.pmml.UnsupportedPmmlException;

import org.dmg.pmml.PMML;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CrossCheckTest {

    static Scorer constant(double value) {
        ModelInfo info = new ModelInfo("m", "1", ScorerKind.COMPILED, 1, List.of(), "test", null);
        return new Scorer() {
            @Override
            public ModelInfo info() {
                return info;
            }

            @Override
            public double score(double[] features) {
                return value;
            }
        };
    }

    @Test
    void shouldAcceptDifferencesWithinTheTolerance() {
        List<double[]> rows = List.of(FeatureSchema.newVector());

        assertThat(CrossCheck.disagreement(constant(0.5 + 5e-7), constant(0.5), rows)).isNull();
    }

    @Test
    void shouldReportTheFirstDisagreeingRow() {
        List<double[]> rows = List.of(FeatureSchema.newVector(), FeatureSchema.newVector());

        assertThat(CrossCheck.disagreement(constant(0.5 + 1e-5), constant(0.5), rows))
                .startsWith("compiled and JPMML disagree on check row 1 of 2: 0.50001 vs 0.5");
    }

    @Test
    void shouldCheckWithTheModelsOwnVerificationRows()
            throws ModelLoadException, UnsupportedPmmlException {
        Path file = ScorersTest.model("verification-rows.pmml");
        PMML document = PmmlSource.read(file);
        ModelContract contract = ModelContract.check(document, file.toString(), null);
        CompiledModel compiled = EnsembleCompiler.compile(document);

        List<double[]> rows =
                CrossCheck.rows(PmmlSource.model(document), compiled.ensemble(), contract);

        // the file's three InlineTable rows ("data:" cells), an absent cell read as missing
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).isEqualTo(ScorersTest.vector(2, 100));
        assertThat(rows.get(1)).isEqualTo(ScorersTest.vector(5, Double.NaN));
        assertThat(rows.get(2)).isEqualTo(ScorersTest.vector(Double.NaN, 10));
    }
}
