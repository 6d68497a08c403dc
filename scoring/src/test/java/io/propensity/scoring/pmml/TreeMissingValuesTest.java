package io.propensity.scoring.pmml;

import io.propensity.scoring.ModelLoadException;

import org.dmg.pmml.PMML;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Missing-value strategies and noTrueChildStrategy of non-compact trees, on a hand-written tree
 * (src/test/resources/models/missing-strategies.pmml): root 10; x &lt; 5 gives 20, then y &lt;= 0
 * gives 1 and y &gt; 0 gives 2; x &gt;= 5 gives 30, then y in {1,2,3} gives 3, else 4. Default
 * children: root to node 2 (x &gt;= 5), node 1 to node 4, node 2 to node 6. Expected values are
 * worked out by hand from that tree and also checked against JPMML-Evaluator.
 */
class TreeMissingValuesTest {

    static PMML tree(String strategy, String noTrueChild) throws IOException, ModelLoadException {
        return tree(strategy, noTrueChild, false);
    }

    /**
     * The tree; with {@code comparisonsOnly} the set predicates on y become {@code y <= 3} and
     * {@code y > 3}, which take the same branches for the values used here, so that the binary form
     * ({@link BinaryForm}) is tested with the same expectations.
     */
    static PMML tree(String strategy, String noTrueChild, boolean comparisonsOnly)
            throws IOException, ModelLoadException {
        String text =
                Files.readString(PmmlSourceTest.resource("missing-strategies.pmml"))
                        .replace("STRATEGY", strategy)
                        .replace("NO_TRUE_CHILD", noTrueChild);
        if (comparisonsOnly) {
            text =
                    text.replaceAll(
                                    "(?s)<SimpleSetPredicate field=\"y\""
                                            + " booleanOperator=\"isIn\">.*?</SimpleSetPredicate>",
                                    "<SimplePredicate field=\"y\" operator=\"lessOrEqual\""
                                            + " value=\"3\"/>")
                            .replaceAll(
                                    "(?s)<SimpleSetPredicate field=\"y\""
                                        + " booleanOperator=\"isNotIn\">.*?</SimpleSetPredicate>",
                                    "<SimplePredicate field=\"y\" operator=\"greaterThan\""
                                            + " value=\"3\"/>");
        }
        return PmmlSource.read(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), strategy);
    }

    @ParameterizedTest(name = "{0}/{1} x={2} y={3} -> {4}")
    @CsvSource(
            nullValues = "NA",
            value = {
                // complete rows take the same path under every strategy
                "defaultChild, returnNullPrediction, 1, -1, 1",
                "nullPrediction, returnNullPrediction, 1, 1, 2",
                "lastPrediction, returnLastPrediction, 7, 2, 3",
                "none, returnLastPrediction, 7, 9, 4",
                // defaultChild follows the declared default child at each missing split
                "defaultChild, returnNullPrediction, NA, 2, 3",
                "defaultChild, returnNullPrediction, NA, NA, 4",
                "defaultChild, returnNullPrediction, 1, NA, 2",
                // nullPrediction: any missing split makes the whole prediction missing
                "nullPrediction, returnNullPrediction, NA, 2, NA",
                "nullPrediction, returnNullPrediction, 1, NA, NA",
                // lastPrediction: the score of the node whose split was missing
                "lastPrediction, returnNullPrediction, NA, 2, 10",
                "lastPrediction, returnNullPrediction, 1, NA, 20",
                // none: a comparison with missing is false; then noTrueChildStrategy decides
                "none, returnLastPrediction, NA, 2, 10",
                "none, returnLastPrediction, 1, NA, 20",
                "none, returnNullPrediction, NA, 2, NA",
                "none, returnNullPrediction, 1, NA, NA",
                "none, returnNullPrediction, 7, NA, NA",
            })
    void shouldFollowTheMissingValueStrategyLikeJpmml(
            String strategy, String noTrueChild, Double x, Double y, Double expected)
            throws Exception {
        Map<String, Object> row = new HashMap<>();
        row.put("x", x);
        row.put("y", y);

        Object compiled =
                EnsembleCompiler.compile(tree(strategy, noTrueChild)).evaluate(row).get("t");
        Object jpmml =
                JpmmlModelEvaluator.build(tree(strategy, noTrueChild), strategy)
                        .evaluate(row)
                        .get("t");

        assertThat(compiled).isEqualTo(expected);
        assertThat(jpmml).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"defaultChild, returnNullPrediction"})
    void shouldKeepNodeRecordCountsForTreeShap(String strategy, String noTrueChild)
            throws Exception {
        CompiledEnsemble ensemble =
                EnsembleCompiler.compile(tree(strategy, noTrueChild)).ensemble();

        // breadth-first: root, its two children, then theirs
        assertThat(ensemble.nodeRecordCount).containsExactly(100, 60, 40, 20, 40, 10, 30);
    }
}
