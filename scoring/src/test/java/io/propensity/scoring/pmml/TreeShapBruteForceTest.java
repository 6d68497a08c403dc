package io.propensity.scoring.pmml;

import io.propensity.scoring.ExplanationMethod;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * TreeSHAP against an independent reference: exact Shapley values of the path-dependent conditional
 * expectation, computed by enumerating every subset of the features. Random small ensembles
 * (features repeated along paths, missing values sent left or right, thresholds hit exactly) are
 * written as non-compact PMML with a recordCount on every Node, compiled, and explained; the
 * reference works on the test's own tree objects and never sees the compiled form.
 */
class TreeShapBruteForceTest {

    private static final int FEATURES = 5;

    /** A binary split or a leaf of the test's own trees. */
    private static final class TestNode {
        int feature = -1;
        double threshold;
        boolean missingLeft;
        TestNode left;
        TestNode right;
        double value;
        double cover;

        boolean isLeaf() {
            return feature < 0;
        }

        /** x &lt; threshold goes left; a missing value goes its default way. */
        TestNode child(double x) {
            if (Double.isNaN(x)) {
                return missingLeft ? left : right;
            }
            return x < threshold ? left : right;
        }
    }

    // ---- the reference
    // ---------------------------------------------------------------------------

    /**
     * E[f(x) | x_S] by the path-dependent rule: a split on a feature in S follows the row, any
     * other split averages both branches weighted by their covers.
     */
    private static double conditionalExpectation(TestNode node, double[] x, boolean[] inSubset) {
        if (node.isLeaf()) {
            return node.value;
        }
        if (inSubset[node.feature]) {
            return conditionalExpectation(node.child(x[node.feature]), x, inSubset);
        }
        return (node.left.cover * conditionalExpectation(node.left, x, inSubset)
                        + node.right.cover * conditionalExpectation(node.right, x, inSubset))
                / node.cover;
    }

    private static double value(List<TestNode> trees, double[] x, boolean[] inSubset) {
        double sum = 0;
        for (TestNode tree : trees) {
            sum += conditionalExpectation(tree, x, inSubset);
        }
        return sum;
    }

    /** phi_i = sum over S without i of |S|! (M - |S| - 1)! / M! (v(S + i) - v(S)). */
    private static double[] shapleyByEnumeration(List<TestNode> trees, double[] x) {
        int m = FEATURES;
        double[] phi = new double[m];
        for (int i = 0; i < m; i++) {
            for (int mask = 0; mask < (1 << m); mask++) {
                if ((mask & (1 << i)) != 0) {
                    continue;
                }
                boolean[] without = new boolean[m];
                int size = 0;
                for (int j = 0; j < m; j++) {
                    without[j] = (mask & (1 << j)) != 0;
                    size += without[j] ? 1 : 0;
                }
                boolean[] with = without.clone();
                with[i] = true;
                double weight = factorial(size) * factorial(m - size - 1) / factorial(m);
                phi[i] += weight * (value(trees, x, with) - value(trees, x, without));
            }
        }
        return phi;
    }

    private static double factorial(int n) {
        double f = 1;
        for (int i = 2; i <= n; i++) {
            f *= i;
        }
        return f;
    }

    // ---- random trees as PMML
    // --------------------------------------------------------------------

    private static TestNode randomTree(SplittableRandom random, int depth) {
        TestNode node = new TestNode();
        if (depth == 0 || random.nextDouble() < 0.2) {
            node.value = Math.round(random.nextDouble(-2, 2) * 1000) / 1000.0;
            node.cover = 1 + random.nextInt(50);
            return node;
        }
        node.feature = random.nextInt(FEATURES);
        node.threshold = random.nextInt(1, 5);
        node.missingLeft = random.nextBoolean();
        node.left = randomTree(random, depth - 1);
        node.right = randomTree(random, depth - 1);
        node.cover = node.left.cover + node.right.cover;
        return node;
    }

    private static void writeNode(StringBuilder xml, TestNode node, String predicate) {
        xml.append(
                String.format(
                        Locale.ROOT,
                        "<Node score=\"%s\" recordCount=\"%s\">%s",
                        node.isLeaf() ? Double.toString(node.value) : "0",
                        Double.toString(node.cover),
                        predicate));
        if (!node.isLeaf()) {
            String field = "x" + node.feature;
            String threshold = Double.toString(node.threshold);
            // missingValueStrategy none: a missing value fails the first child's comparison and
            // takes the second child, whose predicate is True
            if (node.missingLeft) {
                writeNode(
                        xml,
                        node.right,
                        "<SimplePredicate field=\""
                                + field
                                + "\" operator=\"greaterOrEqual\" value=\""
                                + threshold
                                + "\"/>");
                writeNode(xml, node.left, "<True/>");
            } else {
                writeNode(
                        xml,
                        node.left,
                        "<SimplePredicate field=\""
                                + field
                                + "\" operator=\"lessThan\" value=\""
                                + threshold
                                + "\"/>");
                writeNode(xml, node.right, "<True/>");
            }
        }
        xml.append("</Node>");
    }

    private static CompiledEnsemble compile(List<TestNode> trees) throws Exception {
        StringBuilder xml = new StringBuilder();
        xml.append("<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\"><Header/>");
        xml.append("<DataDictionary>");
        StringBuilder inputs = new StringBuilder();
        xml.append("<DataField name=\"y\" optype=\"continuous\" dataType=\"double\"/>");
        for (int f = 0; f < FEATURES; f++) {
            xml.append("<DataField name=\"x")
                    .append(f)
                    .append("\" optype=\"continuous\" dataType=\"double\"/>");
            inputs.append("<MiningField name=\"x").append(f).append("\"/>");
        }
        xml.append("</DataDictionary>");
        xml.append("<MiningModel functionName=\"regression\"><MiningSchema>")
                .append("<MiningField name=\"y\" usageType=\"target\"/>")
                .append(inputs)
                .append("</MiningSchema>");
        xml.append(
                "<Segmentation multipleModelMethod=\"sum\""
                        + " missingPredictionTreatment=\"returnMissing\">");
        for (int t = 0; t < trees.size(); t++) {
            xml.append("<Segment id=\"")
                    .append(t + 1)
                    .append(
                            "\"><True/><TreeModel functionName=\"regression\""
                                + " noTrueChildStrategy=\"returnLastPrediction\"><MiningSchema>")
                    .append(inputs)
                    .append("</MiningSchema>");
            writeNode(xml, trees.get(t), "<True/>");
            xml.append("</TreeModel></Segment>");
        }
        xml.append("</Segmentation></MiningModel></PMML>");
        return EnsembleCompiler.compile(
                        PmmlSource.read(
                                new ByteArrayInputStream(
                                        xml.toString().getBytes(StandardCharsets.UTF_8)),
                                "random trees"))
                .ensemble();
    }

    // ---- the test
    // --------------------------------------------------------------------------------

    @Test
    void shouldEqualShapleyValuesByEnumerationOnRandomSmallEnsembles() throws Exception {
        SplittableRandom random = new SplittableRandom(20180212);
        int compared = 0;
        for (int ensemble = 0; ensemble < 40; ensemble++) {
            List<TestNode> trees = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            for (int t = 0; t < count; t++) {
                trees.add(randomTree(random, 1 + random.nextInt(4)));
            }
            CompiledEnsemble compiled = compile(trees);
            TreeExplainer explainer = TreeExplainer.of(compiled);
            assertThat(explainer.method()).isEqualTo(ExplanationMethod.TREE_SHAP);
            assertThat(compiled.inputName(0)).isEqualTo("x0");

            for (int r = 0; r < 25; r++) {
                double[] x = new double[FEATURES];
                for (int f = 0; f < FEATURES; f++) {
                    double u = random.nextDouble();
                    // a sixth missing, a sixth exactly on a threshold, the rest in between
                    x[f] =
                            u < 1 / 6.0
                                    ? Double.NaN
                                    : u < 2 / 6.0 ? random.nextInt(1, 5) : random.nextDouble(0, 5);
                }
                double[] expected = shapleyByEnumeration(trees, x);
                double[] actual = new double[FEATURES];
                double bias = explainer.explain(0, x, actual);

                assertThat(bias)
                        .as("expected value")
                        .isCloseTo(value(trees, x, new boolean[FEATURES]), within(1e-9));
                for (int f = 0; f < FEATURES; f++) {
                    assertThat(actual[f])
                            .as("ensemble %d row %d feature %d", ensemble, r, f)
                            .isCloseTo(expected[f], within(1e-9));
                }
                compared++;
            }
        }
        assertThat(compared).isEqualTo(1000);
    }
}
