package io.propensity.scoring.pmml;

import io.propensity.scoring.ExplanationMethod;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Explanations on every conformance case the compiled evaluator accepts. The shipped PMML files
 * carry no Node recordCount, so the explainer must say so and fall back to the Saabas
 * approximation, whose contributions plus expected value must still sum to each margin on every
 * row. The margin is recomputed here in double from the trees' own scores.
 */
class ExplanationConformanceTest {

    @Test
    void shouldFallBackToSaabasWithoutRecordCountsAndSumToTheMarginOnEveryRow() throws Exception {
        int explainedCases = 0;
        int rows = 0;
        List<String> failures = new ArrayList<>();
        for (ConformanceCase c : ConformanceTest.cases()) {
            if (ConformanceTest.REFUSED.containsKey(c.toString())) {
                continue;
            }
            CompiledEnsemble e = EnsembleCompiler.compile(PmmlSource.read(c.pmml())).ensemble();
            TreeExplainer explainer = TreeExplainer.of(e);
            if (explainer.method() == ExplanationMethod.NONE) {
                continue;
            }
            assertThat(explainer.method())
                    .as(c.toString())
                    .isEqualTo(ExplanationMethod.SAABAS_APPROXIMATE);
            assertThat(explainer.approximationReason()).as(c.toString()).contains("recordCount");
            explainedCases++;
            for (Map<String, String> input : ConformanceCase.rows(c.input())) {
                double[] row = e.newRow();
                for (int i = 0; i < row.length; i++) {
                    row[i] = e.encode(i, input.get(e.inputName(i)));
                }
                for (int k = 0; k < e.marginCount(); k++) {
                    double margin = marginInDouble(e, k, row);
                    if (Double.isNaN(margin)) {
                        continue;
                    }
                    double[] contributions = new double[row.length];
                    double sum = explainer.explain(k, row, contributions);
                    for (double contribution : contributions) {
                        sum += contribution;
                    }
                    if (Math.abs(sum - margin) > 1e-6 && failures.size() < 5) {
                        failures.add(c + " margin " + k + ": " + sum + " vs " + margin);
                    }
                }
                rows++;
            }
        }
        assertThat(failures).isEmpty();
        // the cases whose trees split on numeric comparisons only, with no missing prediction
        assertThat(explainedCases).isGreaterThanOrEqualTo(8);
        assertThat(rows).isGreaterThan(1000);
    }

    /** The margin from each tree's score, aggregated and rescaled in double. */
    private static double marginInDouble(CompiledEnsemble e, int k, double[] row) {
        int start = e.marginStart[k];
        int end = e.marginStart[k + 1];
        double sum = 0;
        double weights = 0;
        for (int t = start; t < end; t++) {
            double score = e.tree(t, row);
            boolean weighted =
                    e.marginAggregate[k] == CompiledEnsemble.AGGREGATE_WEIGHTED_SUM
                            || e.marginAggregate[k] == CompiledEnsemble.AGGREGATE_WEIGHTED_AVERAGE;
            sum += weighted ? e.treeWeight[t] * score : score;
            weights += e.treeWeight[t];
        }
        if (e.marginAggregate[k] == CompiledEnsemble.AGGREGATE_AVERAGE) {
            sum /= end - start;
        } else if (e.marginAggregate[k] == CompiledEnsemble.AGGREGATE_WEIGHTED_AVERAGE) {
            sum /= weights;
        }
        return sum * e.marginFactor[k] + e.marginConstant[k];
    }
}
