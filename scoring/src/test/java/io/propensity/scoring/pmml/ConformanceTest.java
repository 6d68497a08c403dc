package io.propensity.scoring.pmml;

import io.propensity.scoring.ModelLoadException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every conformance case through both evaluators, at the tolerance its MANIFEST.md states, against
 * the outputs the original library (XGBoost, LightGBM, scikit-learn) computed. Cases the compiled
 * evaluator refuses must be refused with the message listed in {@link #REFUSED} (the same as the
 * README's table).
 */
class ConformanceTest {

    /** Cases the compiled evaluator refuses, with the start of the refusal message. */
    static final Map<String, String> REFUSED =
            Map.of(
                    "jpmml-lightgbm/LinearTreeClassificationAudit", "embedded model in Node",
                    "jpmml-sklearn/GBDTLRAudit", "TransformationDictionary",
                    "jpmml-sklearn/GBDTLRVersicolor", "LocalTransformations (derived fields)",
                    "jpmml-sklearn/GradientBoostingAuto", "LocalTransformations (derived fields)",
                    "jpmml-sklearn/GradientBoostingIris", "LocalTransformations (derived fields)",
                    "jpmml-sklearn/HistGradientBoostingAudit", "TransformationDictionary",
                    "jpmml-sklearn/HistGradientBoostingHousing",
                            "LocalTransformations (derived fields)",
                    "jpmml-xgboost/HingeClassificationAudit",
                            "chained segment without exactly one intermediate predictedValue"
                                    + " OutputField");

    static Path root() {
        try {
            return Path.of(ConformanceTest.class.getResource("/conformance").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<ConformanceCase> cases() {
        return ConformanceCase.all(root());
    }

    @Test
    void shouldFindEveryCaseOfTheManifests() {
        assertThat(cases()).hasSize(34);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldMatchTheOriginalLibraryWithJpmml(ConformanceCase c) throws ModelLoadException {
        ModelEvaluator jpmml = JpmmlModelEvaluator.build(PmmlSource.read(c.pmml()), c.toString());

        assertConforms(c, jpmml);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldMatchTheOriginalLibraryCompiledOrBeRefusedAsDocumented(ConformanceCase c)
            throws ModelLoadException, UnsupportedPmmlException {
        String refusal = REFUSED.get(c.toString());
        if (refusal != null) {
            assertThatThrownBy(() -> EnsembleCompiler.compile(PmmlSource.read(c.pmml())))
                    .isInstanceOf(UnsupportedPmmlException.class)
                    .hasMessageStartingWith(refusal)
                    .hasMessageMatching(".* at line \\d+, column \\d+$");
            return;
        }
        ModelEvaluator compiled = EnsembleCompiler.compile(PmmlSource.read(c.pmml()));

        assertConforms(c, compiled);
    }

    private static void assertConforms(ConformanceCase c, ModelEvaluator evaluator) {
        List<Map<String, String>> inputs = ConformanceCase.rows(c.input());
        List<Map<String, String>> expected = ConformanceCase.rows(c.expected());
        assertThat(inputs).hasSameSizeAs(expected);

        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Map<String, Object> actual = evaluator.evaluate(inputs.get(i));
            for (Map.Entry<String, String> column : expected.get(i).entrySet()) {
                if (c.excluded().contains(column.getKey())) {
                    continue;
                }
                assertThat(actual).as(c + " result columns").containsKey(column.getKey());
                compared++;
                Object value = actual.get(column.getKey());
                if (!c.matches(column.getValue(), value) && mismatches.size() < 5) {
                    mismatches.add(
                            "row "
                                    + (i + 1)
                                    + " "
                                    + column.getKey()
                                    + ": expected "
                                    + column.getValue()
                                    + ", got "
                                    + value);
                }
            }
        }
        assertThat(compared).isPositive();
        assertThat(mismatches).as(evaluator.kind() + " on " + c + " at " + c.tolerance()).isEmpty();
    }
}
