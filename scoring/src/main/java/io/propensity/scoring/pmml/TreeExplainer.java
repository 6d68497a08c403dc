package io.propensity.scoring.pmml;

import io.propensity.scoring.ExplanationMethod;

import java.util.Arrays;

/**
 * Attributes a compiled ensemble's margin to its input slots, one row at a time: path-dependent
 * TreeSHAP (Lundberg, Erion and Lee, "Consistent individualized feature attribution for tree
 * ensembles", Algorithm 2) when every node carries a record count, else a per-path attribution in
 * the manner of Saabas, which needs none but is only an approximation of SHAP.
 *
 * <p>Works on the binary form of the trees ({@link BinaryForm}): every split compares one input
 * slot with a threshold, and a missing value follows one of the two branches. Both methods
 * guarantee that the contributions plus the expected value sum to the margin (the aggregated,
 * rescaled tree sum, before the regression table and normalisation), up to rounding; contributions
 * are computed in double even when the model declares float math.
 *
 * <p>Supports margins that sum, weighted-sum or average trees, every tree in binary form with no
 * missing-prediction leaf. TreeSHAP further needs the record counts to be present and a missing
 * value to share a branch with a comparison (how many records took a separate missing-value exit is
 * not in PMML); otherwise the explainer falls back to {@link ExplanationMethod#SAABAS_APPROXIMATE}
 * and says why in {@link #approximationReason()}.
 *
 * <p>Keeps scratch buffers: one instance per thread, like the scorer that owns it. Allocates
 * nothing per row.
 */
public final class TreeExplainer {

    private final CompiledEnsemble e;
    private final ExplanationMethod method;
    private final String reason;

    /** Each tree's factor in its margin: aggregation weight times the Target rescale factor. */
    private final double[] treeScale;

    /** Per margin: the expected value (rescale constant plus the scaled expected tree values). */
    private final double[] bias;

    /** Per binary node: records reaching it, tiny negative rounding left-overs clamped to 0. */
    private final double[] cover;

    /** Per binary node: its expected value (cover-weighted for TreeSHAP, else uniform). */
    private final double[] mean;

    // TreeSHAP path scratch: one level per split on the way down, each a copy of its parent's
    private final int[][] pathSlot;
    private final double[][] pathZero;
    private final double[][] pathOne;
    private final double[][] pathWeight;

    // the row being explained, set for the recursion
    private double[] row;
    private double[] phi;
    private double leafScale;

    private TreeExplainer(CompiledEnsemble ensemble, ExplanationMethod method, String reason) {
        this.e = ensemble;
        this.method = method;
        this.reason = reason;
        int trees = e.treeRoot.length;
        this.treeScale = new double[trees];
        this.bias = new double[e.marginStart.length - 1];
        this.cover = new double[e.binaryThreshold.length];
        this.mean = new double[e.binaryThreshold.length];
        int maxDepth = 0;
        if (method != ExplanationMethod.NONE) {
            for (int t = 0; t < trees; t++) {
                maxDepth = Math.max(maxDepth, e.binaryDepth[t]);
            }
            prepare();
        }
        int levels = maxDepth + 2;
        this.pathSlot = new int[levels][levels];
        this.pathZero = new double[levels][levels];
        this.pathOne = new double[levels][levels];
        this.pathWeight = new double[levels][levels];
    }

    /**
     * An explainer for the ensemble: TreeSHAP when it can, else Saabas, else one whose {@link
     * #method()} is {@link ExplanationMethod#NONE} (with the reason).
     */
    public static TreeExplainer of(CompiledEnsemble ensemble) {
        String unsupported = unsupported(ensemble);
        if (unsupported != null) {
            return new TreeExplainer(ensemble, ExplanationMethod.NONE, unsupported);
        }
        String noShap = withoutCovers(ensemble);
        return new TreeExplainer(
                ensemble,
                noShap == null ? ExplanationMethod.TREE_SHAP : ExplanationMethod.SAABAS_APPROXIMATE,
                noShap);
    }

    /** The method {@link #explain} uses. */
    public ExplanationMethod method() {
        return method;
    }

    /** Why the method is not TreeSHAP, or {@code null} when it is. */
    public String approximationReason() {
        return reason;
    }

    /** The expected value of margin {@code k}: what {@link #explain} returns for every row. */
    public double expectedValue(int k) {
        requireSupported();
        return bias[k];
    }

    /**
     * Adds each input slot's contribution to margin {@code k} for an encoded row (see {@link
     * CompiledEnsemble#encodeNumber}) to {@code contributions} (indexed by slot; the caller clears
     * it), and returns the margin's expected value. Contributions plus the expected value sum to
     * the margin.
     *
     * @throws IllegalStateException when {@link #method()} is NONE
     */
    public double explain(int k, double[] encodedRow, double[] contributions) {
        requireSupported();
        this.row = encodedRow;
        this.phi = contributions;
        for (int t = e.marginStart[k]; t < e.marginStart[k + 1]; t++) {
            if (method == ExplanationMethod.TREE_SHAP) {
                leafScale = treeScale[t];
                recurse(e.binaryRoot[t], 0, 0, 1, 1, -1);
            } else {
                saabas(t);
            }
        }
        this.row = null;
        this.phi = null;
        return bias[k];
    }

    private void requireSupported() {
        if (method == ExplanationMethod.NONE) {
            throw new IllegalStateException("no explanation for this model: " + reason);
        }
    }

    // ---- support checks ----------------------------------------------------------------------

    private static String unsupported(CompiledEnsemble e) {
        if (e.slots.length == 0) {
            return "the model has no inputs";
        }
        for (int t = 0; t < e.treeRoot.length; t++) {
            if (!e.hasBinaryForm(t)) {
                return "tree "
                        + (t + 1)
                        + " has predicates other than numeric comparisons"
                        + " (explanations need binary splits)";
            }
            int[] missingLeaf = {-1};
            visit(
                    e,
                    e.binaryRoot[t],
                    n -> {
                        if (isLeaf(e, n) && Double.isNaN(e.binaryValue[n])) {
                            missingLeaf[0] = n;
                        }
                    });
            if (missingLeaf[0] >= 0) {
                return "tree " + (t + 1) + " can return a missing prediction";
            }
        }
        return null;
    }

    private static String withoutCovers(CompiledEnsemble e) {
        for (int t = 0; t < e.treeRoot.length; t++) {
            String[] problem = {null};
            visit(
                    e,
                    e.binaryRoot[t],
                    n -> {
                        if (problem[0] != null) {
                            return;
                        }
                        if (!Double.isFinite(e.binaryCover[n])) {
                            problem[0] = "the PMML has no Node recordCount";
                        } else if (!isLeaf(e, n)) {
                            int base = n << 2;
                            int missing = e.binaryNodes[base + 3];
                            if (missing != e.binaryNodes[base + 1]
                                    && missing != e.binaryNodes[base + 2]) {
                                problem[0] =
                                        "missing values take a branch of their own, whose record"
                                                + " count PMML does not give";
                            } else if (!(e.binaryCover[n] > 0)) {
                                problem[0] = "a split node has recordCount 0";
                            } else if (e.binaryNodes[base + 1] != e.binaryNodes[base + 2]
                                    && e.binaryCover[e.binaryNodes[base + 1]]
                                                    + e.binaryCover[e.binaryNodes[base + 2]]
                                            > e.binaryCover[n] * (1 + 1e-3)) {
                                problem[0] = "the recordCount of children exceeds their parent's";
                            }
                        }
                    });
            if (problem[0] != null) {
                return "tree " + (t + 1) + ": " + problem[0];
            }
        }
        return null;
    }

    private static void visit(
            CompiledEnsemble e, int node, java.util.function.IntConsumer consumer) {
        consumer.accept(node);
        if (!isLeaf(e, node)) {
            int base = node << 2;
            int below = e.binaryNodes[base + 1];
            int above = e.binaryNodes[base + 2];
            int missing = e.binaryNodes[base + 3];
            visit(e, below, consumer);
            if (above != below) {
                visit(e, above, consumer);
            }
            if (missing != below && missing != above) {
                visit(e, missing, consumer);
            }
        }
    }

    private static boolean isLeaf(CompiledEnsemble e, int node) {
        return Double.isNaN(e.binaryThreshold[node]);
    }

    // ---- expected values -----------------------------------------------------------------------

    private void prepare() {
        for (int n = 0; n < cover.length; n++) {
            // a count derived by subtraction may come out a rounding error below zero
            cover[n] = Math.max(0, e.binaryCover[n]);
        }
        Arrays.fill(mean, Double.NaN);
        for (int k = 0; k + 1 < e.marginStart.length; k++) {
            int start = e.marginStart[k];
            int end = e.marginStart[k + 1];
            double weights = 0;
            for (int t = start; t < end; t++) {
                weights += e.treeWeight[t];
            }
            double expected = 0;
            for (int t = start; t < end; t++) {
                double scale;
                switch (e.marginAggregate[k]) {
                    case CompiledEnsemble.AGGREGATE_WEIGHTED_SUM:
                        scale = e.treeWeight[t];
                        break;
                    case CompiledEnsemble.AGGREGATE_AVERAGE:
                        scale = 1.0 / (end - start);
                        break;
                    case CompiledEnsemble.AGGREGATE_WEIGHTED_AVERAGE:
                        scale = e.treeWeight[t] / weights;
                        break;
                    default:
                        scale = 1.0;
                }
                treeScale[t] = scale * e.marginFactor[k];
                expected += treeScale[t] * mean(e.binaryRoot[t]);
            }
            bias[k] = expected + e.marginConstant[k];
        }
    }

    /**
     * A node's expected value: for TreeSHAP each branch weighted by the share of records that took
     * it; for Saabas the branches weighted equally.
     */
    private double mean(int node) {
        if (!Double.isNaN(mean[node])) {
            return mean[node];
        }
        double value;
        if (isLeaf(e, node)) {
            value = e.binaryValue[node];
        } else {
            int base = node << 2;
            int below = e.binaryNodes[base + 1];
            int above = e.binaryNodes[base + 2];
            int missing = e.binaryNodes[base + 3];
            if (below == above) {
                value = mean(below);
            } else if (method == ExplanationMethod.TREE_SHAP) {
                value = (cover[below] * mean(below) + cover[above] * mean(above)) / cover[node];
            } else if (missing == below || missing == above) {
                value = (mean(below) + mean(above)) / 2;
            } else {
                value = (mean(below) + mean(above) + mean(missing)) / 3;
            }
        }
        mean[node] = value;
        return value;
    }

    // ---- Saabas ------------------------------------------------------------------------------

    private void saabas(int t) {
        double scale = treeScale[t];
        int node = e.binaryRoot[t];
        while (!isLeaf(e, node)) {
            int next = next(node);
            if (next != node) {
                phi[e.binaryNodes[node << 2]] += scale * (mean[next] - mean[node]);
            }
            node = next;
        }
    }

    /** The branch the row takes at a split: below, at or above, or missing (NaN). */
    private int next(int node) {
        int base = node << 2;
        double x = row[e.binaryNodes[base]];
        if (Double.isNaN(x)) {
            return e.binaryNodes[base + 3];
        }
        return x < e.binaryThreshold[node] ? e.binaryNodes[base + 1] : e.binaryNodes[base + 2];
    }

    // ---- TreeSHAP (Algorithm 2) -------------------------------------------------------------

    /**
     * Visits {@code node} with the path of unique features above it (the parent's level), extended
     * by the split that led here: {@code zero} is the share of records (conditioned on the features
     * not in the subset) and {@code one} is 1 when the row itself takes this branch.
     */
    private void recurse(int node, int level, int parentLength, double zero, double one, int slot) {
        int[] slots = pathSlot[level];
        double[] z = pathZero[level];
        double[] o = pathOne[level];
        double[] w = pathWeight[level];
        if (level > 0) {
            System.arraycopy(pathSlot[level - 1], 0, slots, 0, parentLength);
            System.arraycopy(pathZero[level - 1], 0, z, 0, parentLength);
            System.arraycopy(pathOne[level - 1], 0, o, 0, parentLength);
            System.arraycopy(pathWeight[level - 1], 0, w, 0, parentLength);
        }
        int length = extend(slots, z, o, w, parentLength, zero, one, slot);

        // a split whose branches meet is no split: the feature cannot matter there
        while (!isLeaf(e, node)
                && e.binaryNodes[(node << 2) + 1] == e.binaryNodes[(node << 2) + 2]) {
            node = e.binaryNodes[(node << 2) + 1];
        }
        if (isLeaf(e, node)) {
            double value = e.binaryValue[node] * leafScale;
            for (int i = 1; i < length; i++) {
                phi[slots[i]] += unwoundSum(z, o, w, length, i) * (o[i] - z[i]) * value;
            }
            return;
        }

        int base = node << 2;
        int split = e.binaryNodes[base];
        int hot = next(node);
        int cold =
                hot == e.binaryNodes[base + 1] ? e.binaryNodes[base + 2] : e.binaryNodes[base + 1];
        double incomingZero = 1;
        double incomingOne = 1;
        // a feature already on the path: undo its earlier split, its fractions carry over
        for (int k = 1; k < length; k++) {
            if (slots[k] == split) {
                incomingZero = z[k];
                incomingOne = o[k];
                length = unwind(slots, z, o, w, length, k);
                break;
            }
        }
        double hotZero = incomingZero * cover[hot] / cover[node];
        double coldZero = incomingZero * cover[cold] / cover[node];
        // a branch with both fractions 0 adds nothing (and its weights would divide by zero)
        if (hotZero > 0 || incomingOne > 0) {
            recurse(hot, level + 1, length, hotZero, incomingOne, split);
        }
        if (coldZero > 0) {
            recurse(cold, level + 1, length, coldZero, 0, split);
        }
    }

    /**
     * Adds a feature with fractions {@code zero}, {@code one} to the path of {@code length}
     * elements and updates the weights: {@code w[i]} is the weight of the subsets of size {@code i}
     * of the path's features, Shapley-normalised.
     */
    private static int extend(
            int[] slots,
            double[] z,
            double[] o,
            double[] w,
            int length,
            double zero,
            double one,
            int slot) {
        slots[length] = slot;
        z[length] = zero;
        o[length] = one;
        w[length] = length == 0 ? 1 : 0;
        for (int i = length - 1; i >= 0; i--) {
            w[i + 1] += one * w[i] * (i + 1) / (length + 1);
            w[i] = zero * w[i] * (length - i) / (length + 1);
        }
        return length + 1;
    }

    /** Removes element {@code i} from the path: the inverse of its {@link #extend}. */
    private static int unwind(int[] slots, double[] z, double[] o, double[] w, int length, int i) {
        double zero = z[i];
        double one = o[i];
        if (one != 0) {
            double carried = w[length - 1];
            for (int j = length - 2; j >= 0; j--) {
                double previous = w[j];
                w[j] = carried * length / ((j + 1) * one);
                carried = previous - w[j] * zero * (length - 1 - j) / length;
            }
        } else {
            for (int j = 0; j <= length - 2; j++) {
                w[j] = w[j] * length / (zero * (length - 1 - j));
            }
        }
        for (int j = i; j < length - 1; j++) {
            slots[j] = slots[j + 1];
            z[j] = z[j + 1];
            o[j] = o[j + 1];
        }
        return length - 1;
    }

    /** The total weight of the path with element {@code i} unwound, without changing the path. */
    private static double unwoundSum(double[] z, double[] o, double[] w, int length, int i) {
        double zero = z[i];
        double one = o[i];
        double total = 0;
        if (one != 0) {
            double carried = w[length - 1];
            for (int j = length - 2; j >= 0; j--) {
                double weight = carried * length / ((j + 1) * one);
                total += weight;
                carried = w[j] - weight * zero * (length - 1 - j) / length;
            }
        } else {
            for (int j = 0; j <= length - 2; j++) {
                total += w[j] * length / (zero * (length - 1 - j));
            }
        }
        return total;
    }
}
