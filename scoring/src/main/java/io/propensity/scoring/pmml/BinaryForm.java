package io.propensity.scoring.pmml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewrites the ordered, n-ary PMML trees of a {@link CompiledEnsemble} into binary decision nodes
 * where every predicate is a comparison of a number with a threshold (or True): the form XGBoost
 * and LightGBM trees take. Each binary node asks {@code x < threshold} and has three targets:
 * below, at-or-above, and missing ({@code x} is NaN). A target is another binary node (index &gt;=
 * 0) or a leaf ({@code ~leafIndex}).
 *
 * <p>The rewrite keeps PMML's semantics exactly. The children of a node are tried in order: child
 * {@code i}'s false branch is the test of child {@code i + 1}, and the last false branch is what
 * noTrueChildStrategy says (the node's score, or a missing prediction). {@code <=} and {@code >}
 * become {@code <} against the next double up, which is exact for every double. The missing branch
 * follows the tree's missingValueStrategy: none (the comparison is false: the next sibling),
 * lastPrediction (the node's score), nullPrediction (a missing leaf), defaultChild (the default
 * child's subtree). Trees with other predicates keep only their ordered form.
 */
final class BinaryForm {

    final int[] roots;

    /** For each tree, the most steps from its root to a leaf (0 for a single-leaf tree). */
    final int[] depths;

    private final CompiledEnsemble e;
    private final List<Integer> slots = new ArrayList<>();
    private final List<Double> thresholds = new ArrayList<>();
    private final List<Integer> below = new ArrayList<>();
    private final List<Integer> atOrAbove = new ArrayList<>();
    private final List<Integer> missing = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();
    private final List<Double> covers = new ArrayList<>();
    private int[] subtreeOf;

    BinaryForm(CompiledEnsemble ensemble) {
        this.e = ensemble;
        this.roots = new int[e.treeRoot.length];
        this.subtreeOf = new int[e.nodeSlot.length];
        Arrays.fill(subtreeOf, CompiledEnsemble.NO_BINARY_FORM);
        this.depths = new int[roots.length];
        for (int t = 0; t < roots.length; t++) {
            roots[t] =
                    e.slots.length > 0 && convertible(t)
                            ? subtree(t, e.treeRoot[t])
                            : CompiledEnsemble.NO_BINARY_FORM;
        }
        int[] memo = new int[slots.size()];
        Arrays.fill(memo, -1);
        for (int t = 0; t < roots.length; t++) {
            depths[t] = roots[t] == CompiledEnsemble.NO_BINARY_FORM ? 0 : depth(roots[t], memo);
        }
    }

    private int depth(int node, int[] memo) {
        if (memo[node] >= 0) {
            return memo[node];
        }
        int depth = 0;
        if (!Double.isNaN(thresholds.get(node))) {
            depth =
                    1
                            + Math.max(
                                    depth(below.get(node), memo),
                                    Math.max(
                                            depth(atOrAbove.get(node), memo),
                                            depth(missing.get(node), memo)));
        }
        memo[node] = depth;
        return depth;
    }

    private boolean convertible(int t) {
        int end = t + 1 < e.treeRoot.length ? e.treeRoot[t + 1] : e.nodeSlot.length;
        for (int n = e.treeRoot[t] + 1; n < end; n++) {
            byte op = e.nodeOp[n];
            boolean comparison =
                    op == CompiledEnsemble.OP_LT
                            || op == CompiledEnsemble.OP_LE
                            || op == CompiledEnsemble.OP_GT
                            || op == CompiledEnsemble.OP_GE;
            if (op != CompiledEnsemble.OP_TRUE
                    && !(comparison && Double.isFinite(e.nodeValue[n]))) {
                return false;
            }
        }
        return true;
    }

    /** The target that evaluates the subtree below (and including the score of) a node. */
    private int subtree(int t, int node) {
        if (subtreeOf[node] != CompiledEnsemble.NO_BINARY_FORM) {
            return subtreeOf[node];
        }
        int first = e.nodeFirstChild[node];
        int count = e.nodeChildCount[node];
        int result;
        double records = e.nodeRecordCount[node];
        if (count == 0) {
            result = leaf(e.nodeScore[node], records);
        } else {
            // records tested against child c: the node's, less those the earlier children took
            double[] reaching = new double[count + 1];
            reaching[0] = records;
            for (int i = 0; i < count; i++) {
                reaching[i + 1] = reaching[i] - e.nodeRecordCount[first + i];
            }
            int noTrueChild =
                    e.treeReturnLast[t]
                            ? leaf(e.nodeScore[node], reaching[count])
                            : leaf(Double.NaN, reaching[count]);
            int onMissing;
            // how many records took a missing-value exit is not in PMML: unknown cover
            switch (e.treeMissing[t]) {
                case CompiledEnsemble.MISSING_LAST_PREDICTION:
                    onMissing = leaf(e.nodeScore[node], Double.NaN);
                    break;
                case CompiledEnsemble.MISSING_NULL_PREDICTION:
                    onMissing = leaf(Double.NaN, Double.NaN);
                    break;
                case CompiledEnsemble.MISSING_DEFAULT_CHILD:
                    onMissing = subtree(t, e.nodeDefaultChild[node]);
                    break;
                default:
                    onMissing = CompiledEnsemble.NO_BINARY_FORM; // "none": like false
            }
            int next = noTrueChild;
            for (int c = first + count - 1; c >= first; c--) {
                if (e.nodeOp[c] == CompiledEnsemble.OP_TRUE) {
                    next = subtree(t, c);
                    continue;
                }
                int taken = subtree(t, c);
                int notTaken = next;
                double threshold = e.nodeValue[c];
                byte op = e.nodeOp[c];
                if (op == CompiledEnsemble.OP_LE || op == CompiledEnsemble.OP_GT) {
                    threshold = Math.nextUp(threshold);
                }
                boolean takenBelow = op == CompiledEnsemble.OP_LT || op == CompiledEnsemble.OP_LE;
                next =
                        add(
                                reaching[c - first],
                                e.nodeSlot[c],
                                threshold,
                                takenBelow ? taken : notTaken,
                                takenBelow ? notTaken : taken,
                                onMissing == CompiledEnsemble.NO_BINARY_FORM
                                        ? notTaken
                                        : onMissing);
            }
            result = next;
        }
        subtreeOf[node] = result;
        return result;
    }

    private int add(double cover, int slot, double threshold, int lower, int upper, int onMissing) {
        covers.add(cover);
        slots.add(slot);
        thresholds.add(threshold);
        below.add(lower);
        atOrAbove.add(upper);
        missing.add(onMissing);
        values.add(Double.NaN);
        return slots.size() - 1;
    }

    private int leaf(double value, double cover) {
        int leaf = slots.size();
        add(cover, 0, Double.NaN, leaf, leaf, leaf);
        values.set(leaf, value);
        return leaf;
    }

    double[] thresholds() {
        return thresholds.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Per node, four ints: input slot, target below, target at or above, target missing. */
    int[] nodes() {
        int[] nodes = new int[slots.size() * 4];
        for (int n = 0; n < slots.size(); n++) {
            nodes[4 * n] = slots.get(n);
            nodes[4 * n + 1] = below.get(n);
            nodes[4 * n + 2] = atOrAbove.get(n);
            nodes[4 * n + 3] = missing.get(n);
        }
        return nodes;
    }

    /**
     * The records (PMML {@code recordCount}, XGBoost cover) that reach each node, derived from the
     * PMML nodes' counts: a comparison that tests child {@code i} sees the parent's records less
     * those of children {@code 0 .. i - 1}. NaN where the PMML has no count or the count of a
     * missing-value exit is not known.
     */
    double[] covers() {
        return covers.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The value of each leaf node (NaN for a missing prediction and for inner nodes). */
    double[] values() {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
