package io.propensity.scoring.pmml;

import java.util.Arrays;
import java.util.List;

/**
 * A gradient-boosted tree ensemble compiled from PMML into flat arrays, evaluated without
 * allocation. Immutable and safe to share; each caller brings its own scratch arrays ({@link
 * #newRow()}, {@link #newMargins()}, {@link #newResult()}).
 *
 * <p>Layout. Every node of every tree lives in one set of parallel arrays; the children of a node
 * are contiguous ({@code firstChild .. firstChild + childCount - 1}) and are tried in document
 * order, as PMML's TreeModel prescribes. A node holds its own predicate (the one that selects it
 * among its siblings): an input slot, an operator and a threshold or a sorted value set. Trees are
 * grouped into <em>margins</em> (one per boosted sum, e.g. one per class for a multiclass model);
 * each margin aggregates its trees (sum, weighted sum, average, weighted average), then applies the
 * Target rescaling. The final stage maps the margins to the result: the margin itself (regression),
 * or regression tables plus a normalisation (logit, softmax, exp, ...).
 *
 * <p>Arithmetic follows the model's math context: with {@code x-mathContext="float"} (what XGBoost
 * models declare) scores, sums and transformations are rounded to float at each step, in the same
 * order as JPMML-Evaluator, so results match it to the last float bit or nearly.
 *
 * <p>Per-node {@code recordCount} (PMML cover) is kept in {@link #nodeRecordCount} ({@code NaN}
 * when absent) and carried into the binary form as {@link #binaryCover}, for {@link TreeExplainer}.
 */
public final class CompiledEnsemble {

    static final byte OP_TRUE = 0;
    static final byte OP_FALSE = 1;
    static final byte OP_LT = 2;
    static final byte OP_LE = 3;
    static final byte OP_GT = 4;
    static final byte OP_GE = 5;
    static final byte OP_EQ = 6;
    static final byte OP_NE = 7;
    static final byte OP_IS_MISSING = 8;
    static final byte OP_IS_NOT_MISSING = 9;
    static final byte OP_IN = 10;
    static final byte OP_NOT_IN = 11;

    static final byte MISSING_NONE = 0;
    static final byte MISSING_LAST_PREDICTION = 1;
    static final byte MISSING_NULL_PREDICTION = 2;
    static final byte MISSING_DEFAULT_CHILD = 3;

    static final byte AGGREGATE_SUM = 0;
    static final byte AGGREGATE_WEIGHTED_SUM = 1;
    static final byte AGGREGATE_AVERAGE = 2;
    static final byte AGGREGATE_WEIGHTED_AVERAGE = 3;

    static final byte NORMALIZE_NONE = 0;
    static final byte NORMALIZE_LOGIT = 1;
    static final byte NORMALIZE_EXP = 2;
    static final byte NORMALIZE_SOFTMAX = 3;
    static final byte NORMALIZE_CLOGLOG = 4;
    static final byte NORMALIZE_LOGLOG = 5;
    static final byte NORMALIZE_CAUCHIT = 6;

    private static final int UNKNOWN = -1;

    // inputs
    final InputSlot[] slots;

    // nodes
    final int[] nodeSlot;
    final byte[] nodeOp;
    final double[] nodeValue;
    final double[][] nodeSet;
    final int[] nodeFirstChild;
    final int[] nodeChildCount;
    final double[] nodeScore;
    final int[] nodeDefaultChild;
    final double[] nodeRecordCount;

    // trees
    final int[] treeRoot;
    final byte[] treeMissing;
    final boolean[] treeReturnLast;
    final double[] treeWeight;

    // margins: trees marginStart[k] .. marginStart[k + 1] - 1
    final int[] marginStart;
    final byte[] marginAggregate;
    final double[] marginFactor;
    final double[] marginConstant;

    // final stage
    final boolean classification;

    /** Category labels of a classification, in the target's order; empty for regression. */
    final List<String> categories;

    /** Regression tables: intercept and one coefficient per margin; null: the margin as is. */
    final double[] tableIntercept;

    final double[][] tableCoefficients;

    /** For each table, the category index it scores (classification). */
    final int[] tableCategory;

    final byte normalization;
    final boolean floatMath;

    // binary form of the trees whose predicates are all comparisons (see BinaryForm)
    static final int NO_BINARY_FORM = Integer.MIN_VALUE;
    final int[] binaryRoot;
    final int[] binaryDepth;

    /** Whether trees t .. t + 3 all have a binary form and belong to the same margin. */
    final boolean[] binaryQuad;

    /** Trees walked side by side. */
    static final int BLOCK = 8;

    /** The deepest of trees t .. t + BLOCK - 1. */
    final int[] blockDepth;

    /** Binary node n at 4n: its input slot, then its targets below, at or above, and missing. */
    final int[] binaryNodes;

    final double[] binaryThreshold;

    final double[] binaryValue;

    /** Records reaching each binary node (from PMML recordCount), NaN when unknown. */
    final double[] binaryCover;

    CompiledEnsemble(Builder b) {
        this.slots = b.slots;
        this.nodeSlot = b.nodeSlot;
        this.nodeOp = b.nodeOp;
        this.nodeValue = b.nodeValue;
        this.nodeSet = b.nodeSet;
        this.nodeFirstChild = b.nodeFirstChild;
        this.nodeChildCount = b.nodeChildCount;
        this.nodeScore = b.nodeScore;
        this.nodeDefaultChild = b.nodeDefaultChild;
        this.nodeRecordCount = b.nodeRecordCount;
        this.treeRoot = b.treeRoot;
        this.treeMissing = b.treeMissing;
        this.treeReturnLast = b.treeReturnLast;
        this.treeWeight = b.treeWeight;
        this.marginStart = b.marginStart;
        this.marginAggregate = b.marginAggregate;
        this.marginFactor = b.marginFactor;
        this.marginConstant = b.marginConstant;
        this.classification = b.classification;
        this.categories = List.copyOf(b.categories);
        this.tableIntercept = b.tableIntercept;
        this.tableCoefficients = b.tableCoefficients;
        this.tableCategory = b.tableCategory;
        this.normalization = b.normalization;
        this.floatMath = b.floatMath;
        BinaryForm binary = new BinaryForm(this);
        this.binaryRoot = binary.roots;
        this.binaryNodes = binary.nodes();
        this.binaryThreshold = binary.thresholds();
        this.binaryValue = binary.values();
        this.binaryCover = binary.covers();
        this.binaryDepth = binary.depths;
        this.binaryQuad = new boolean[treeRoot.length];
        this.blockDepth = new int[treeRoot.length];
        for (int k = 0; k + 1 < marginStart.length; k++) {
            for (int t = marginStart[k]; t + BLOCK <= marginStart[k + 1]; t++) {
                boolean all = true;
                int depth = 0;
                for (int i = t; i < t + BLOCK; i++) {
                    all &= hasBinaryForm(i);
                    depth = Math.max(depth, binaryDepth[i]);
                }
                binaryQuad[t] = all;
                blockDepth[t] = depth;
            }
        }
    }

    /** The mutable parts, filled by {@link EnsembleCompiler}. */
    static final class Builder {
        InputSlot[] slots;
        int[] nodeSlot;
        byte[] nodeOp;
        double[] nodeValue;
        double[][] nodeSet;
        int[] nodeFirstChild;
        int[] nodeChildCount;
        double[] nodeScore;
        int[] nodeDefaultChild;
        double[] nodeRecordCount;
        int[] treeRoot;
        byte[] treeMissing;
        boolean[] treeReturnLast;
        double[] treeWeight;
        int[] marginStart;
        byte[] marginAggregate;
        double[] marginFactor;
        double[] marginConstant;
        boolean classification;
        List<String> categories = List.of();
        double[] tableIntercept;
        double[][] tableCoefficients;
        int[] tableCategory;
        byte normalization;
        boolean floatMath;
    }

    /** The number of margins (boosted sums); 1 for a binary classifier or a regression. */
    public int marginCount() {
        return marginStart.length - 1;
    }

    /**
     * How a binary classifier's first regression table turns the one boosted sum into its
     * category's margin: {@code intercept + slope * sum}, then normalised into the probability.
     *
     * @param category the category index the first table scores
     */
    public record BinaryLink(int category, double intercept, double slope) {}

    /**
     * The link of a binary classifier with one boosted sum and a logit-like normalisation (not
     * softmax), or {@code null} for any other model.
     */
    public BinaryLink binaryLink() {
        if (!classification
                || tableIntercept == null
                || tableIntercept.length != 2
                || categories.size() != 2
                || normalization == NORMALIZE_SOFTMAX
                || marginCount() != 1) {
            return null;
        }
        return new BinaryLink(tableCategory[0], tableIntercept[0], tableCoefficients[0][0]);
    }

    /** The number of trees. */
    public int trees() {
        return treeRoot.length;
    }

    /** The number of nodes over all trees. */
    public int nodes() {
        return nodeSlot.length;
    }

    /** The number of input slots (the model's input fields, in MiningSchema order). */
    public int inputCount() {
        return slots.length;
    }

    /** The name of input slot {@code i}. */
    public String inputName(int i) {
        return slots[i].name;
    }

    /** Whether input slot {@code i} holds string or boolean categories (codes). */
    public boolean inputIsCoded(int i) {
        return slots[i].isStringCoded();
    }

    /** Whether results are probabilities over {@link #categories()}. */
    public boolean isClassification() {
        return classification;
    }

    /** The category labels of a classification, in result order. */
    public List<String> categories() {
        return categories;
    }

    /** The number of values {@link #evaluate} writes: categories, or 1 for regression. */
    public int resultSize() {
        return classification ? categories.size() : 1;
    }

    /**
     * The distinct thresholds and set values that predicates compare slot {@code i} with, sorted:
     * the places where a row's path can change, used to build probing rows.
     */
    public double[] splitValues(int i) {
        return Arrays.stream(nodeSet.length == 0 ? new double[0][] : nodeSetsOf(i))
                .flatMapToDouble(Arrays::stream)
                .distinct()
                .sorted()
                .toArray();
    }

    private double[][] nodeSetsOf(int slot) {
        return java.util.stream.IntStream.range(0, nodeSlot.length)
                .filter(n -> nodeSlot[n] == slot && nodeSet[n] != null)
                .mapToObj(n -> nodeSet[n])
                .toArray(double[][]::new);
    }

    /** A scratch row of encoded inputs. */
    public double[] newRow() {
        return new double[slots.length];
    }

    /** A scratch array of margins (with four more places for tree scores). */
    public double[] newMargins() {
        return new double[marginStart.length - 1 + BLOCK];
    }

    /** A scratch result array. */
    public double[] newResult() {
        return new double[resultSize()];
    }

    /** Encodes a feature-vector number for slot {@code i}; NaN is missing. */
    public double encodeNumber(int i, double value) {
        return slots[i].encodeNumber(value);
    }

    /** Encodes a raw argument (number, string or null) for slot {@code i}. */
    public double encode(int i, Object raw) {
        return slots[i].encode(raw);
    }

    /**
     * Evaluates an encoded row: probabilities per category (classification) or the predicted value
     * (regression) into {@code result}.
     *
     * @return false when the model's prediction is missing (then {@code result} is all NaN)
     */
    public boolean evaluate(double[] row, double[] margins, double[] result) {
        int count = marginStart.length - 1;
        for (int k = 0; k < count; k++) {
            double margin = margin(k, row, margins, count);
            if (Double.isNaN(margin)) {
                Arrays.fill(result, Double.NaN);
                return false;
            }
            margins[k] = margin;
        }
        if (tableIntercept == null) {
            result[0] = margins[0];
            return true;
        }
        if (!classification) {
            result[0] = normalizeOne(table(0, margins));
            return true;
        }
        return classify(margins, result);
    }

    /**
     * Margin {@code k} recomputed in double from the trees' scores, without the float rounding of
     * the running sum that a float math context asks for: the reference that explanations sum to.
     * NaN when a tree returns a missing prediction.
     */
    public double marginInDouble(int k, double[] row) {
        int start = marginStart[k];
        int end = marginStart[k + 1];
        double sum = 0;
        double weights = 0;
        boolean weighted =
                marginAggregate[k] == AGGREGATE_WEIGHTED_SUM
                        || marginAggregate[k] == AGGREGATE_WEIGHTED_AVERAGE;
        for (int t = start; t < end; t++) {
            sum += weighted ? treeWeight[t] * tree(t, row) : tree(t, row);
            weights += treeWeight[t];
        }
        if (marginAggregate[k] == AGGREGATE_AVERAGE) {
            sum /= end - start;
        } else if (marginAggregate[k] == AGGREGATE_WEIGHTED_AVERAGE) {
            sum /= weights;
        }
        return sum * marginFactor[k] + marginConstant[k];
    }

    /** The aggregated, rescaled value of margin {@code k}; NaN when a tree returned missing. */
    public double margin(int k, double[] row) {
        return margin(k, row, new double[BLOCK], 0);
    }

    /**
     * As {@link #margin(int, double[])}, with {@code scratch[at .. at + 3]} for tree scores. Trees
     * are added in document order, in the math context's precision, as JPMML-Evaluator does.
     */
    private double margin(int k, double[] row, double[] scratch, int at) {
        int start = marginStart[k];
        int end = marginStart[k + 1];
        byte aggregate = marginAggregate[k];
        boolean weighted =
                aggregate == AGGREGATE_WEIGHTED_SUM || aggregate == AGGREGATE_WEIGHTED_AVERAGE;
        float floatSum = 0f;
        float floatWeights = 0f;
        double sum = 0;
        double weights = 0;
        int t = start;
        while (t < end) {
            int count;
            if (binaryQuad[t]) {
                quad(t, row, scratch, at);
                count = BLOCK;
            } else {
                scratch[at] = tree(t, row);
                count = 1;
            }
            for (int i = 0; i < count; i++, t++) {
                double score = scratch[at + i];
                if (Double.isNaN(score)) {
                    return Double.NaN;
                }
                if (floatMath) {
                    if (weighted) {
                        floatSum += (float) treeWeight[t] * (float) score;
                        floatWeights += (float) treeWeight[t];
                    } else {
                        floatSum += (float) score;
                    }
                } else if (weighted) {
                    sum += treeWeight[t] * score;
                    weights += treeWeight[t];
                } else {
                    sum += score;
                }
            }
        }
        if (floatMath) {
            if (aggregate == AGGREGATE_AVERAGE) {
                floatSum /= (end - start);
            } else if (aggregate == AGGREGATE_WEIGHTED_AVERAGE) {
                floatSum /= floatWeights;
            }
            return floatSum * (float) marginFactor[k] + (float) marginConstant[k];
        }
        if (aggregate == AGGREGATE_AVERAGE) {
            sum /= (end - start);
        } else if (aggregate == AGGREGATE_WEIGHTED_AVERAGE) {
            sum /= weights;
        }
        return sum * marginFactor[k] + marginConstant[k];
    }

    /** The score of tree {@code t} for an encoded row; NaN for a missing prediction. */
    double tree(int t, double[] row) {
        int node = binaryRoot[t];
        if (node == NO_BINARY_FORM) {
            return orderedTree(t, row);
        }
        for (int step = binaryDepth[t]; step > 0; step--) {
            node = step(node, row);
        }
        return binaryValue[node];
    }

    /**
     * One level down the binary form. The branch is computed, not jumped to: target 0 below, 1 at
     * or above, 2 missing (NaN fails both comparisons), so unpredictable splits cost no
     * mispredicted jumps; a leaf steps to itself.
     */
    private int step(int node, double[] row) {
        int base = node << 2;
        double x = row[binaryNodes[base]];
        double threshold = binaryThreshold[node];
        int below = x < threshold ? 1 : 0;
        int atOrAbove = x >= threshold ? 1 : 0;
        return binaryNodes[base + 3 - 2 * below - atOrAbove];
    }

    /**
     * Trees t .. t + 3 walked side by side (four independent chains of loads keep the core busy
     * while each waits), their scores written to {@code scores[at .. at + 3]}.
     */
    private void quad(int t, double[] row, double[] scores, int at) {
        int n0 = binaryRoot[t];
        int n1 = binaryRoot[t + 1];
        int n2 = binaryRoot[t + 2];
        int n3 = binaryRoot[t + 3];
        int n4 = binaryRoot[t + 4];
        int n5 = binaryRoot[t + 5];
        int n6 = binaryRoot[t + 6];
        int n7 = binaryRoot[t + 7];
        for (int step = blockDepth[t]; step > 0; step--) {
            n0 = step(n0, row);
            n1 = step(n1, row);
            n2 = step(n2, row);
            n3 = step(n3, row);
            n4 = step(n4, row);
            n5 = step(n5, row);
            n6 = step(n6, row);
            n7 = step(n7, row);
        }
        scores[at] = binaryValue[n0];
        scores[at + 1] = binaryValue[n1];
        scores[at + 2] = binaryValue[n2];
        scores[at + 3] = binaryValue[n3];
        scores[at + 4] = binaryValue[n4];
        scores[at + 5] = binaryValue[n5];
        scores[at + 6] = binaryValue[n6];
        scores[at + 7] = binaryValue[n7];
    }

    /** Whether tree {@code t} is evaluated in its binary form. */
    boolean hasBinaryForm(int t) {
        return binaryRoot[t] != NO_BINARY_FORM;
    }

    /**
     * The score of tree {@code t} by PMML's own rules: children tried in order, the first whose
     * predicate is true taken, missing values handled by the tree's strategy.
     */
    double orderedTree(int t, double[] row) {
        int node = treeRoot[t];
        byte missing = treeMissing[t];
        descend:
        while (true) {
            int child = nodeFirstChild[node];
            int end = child + nodeChildCount[node];
            for (; child < end; child++) {
                int outcome = test(child, row);
                if (outcome == 1) {
                    node = child;
                    continue descend;
                }
                if (outcome == UNKNOWN) {
                    switch (missing) {
                        case MISSING_LAST_PREDICTION:
                            return nodeScore[node];
                        case MISSING_NULL_PREDICTION:
                            return Double.NaN;
                        case MISSING_DEFAULT_CHILD:
                            node = nodeDefaultChild[node];
                            continue descend;
                        default:
                            // "none": a comparison with a missing value is false
                            break;
                    }
                }
            }
            if (nodeChildCount[node] == 0 || treeReturnLast[t]) {
                return nodeScore[node];
            }
            return Double.NaN;
        }
    }

    private int test(int node, double[] row) {
        byte op = nodeOp[node];
        if (op == OP_TRUE) {
            return 1;
        }
        if (op == OP_FALSE) {
            return 0;
        }
        double x = row[nodeSlot[node]];
        if (op == OP_IS_MISSING) {
            return Double.isNaN(x) ? 1 : 0;
        }
        if (op == OP_IS_NOT_MISSING) {
            return Double.isNaN(x) ? 0 : 1;
        }
        if (Double.isNaN(x)) {
            return UNKNOWN;
        }
        double v = nodeValue[node];
        switch (op) {
            case OP_LT:
                return x < v ? 1 : 0;
            case OP_LE:
                return x <= v ? 1 : 0;
            case OP_GT:
                return x > v ? 1 : 0;
            case OP_GE:
                return x >= v ? 1 : 0;
            case OP_EQ:
                return x == v ? 1 : 0;
            case OP_NE:
                return x != v ? 1 : 0;
            case OP_IN:
                return Arrays.binarySearch(nodeSet[node], x) >= 0 ? 1 : 0;
            case OP_NOT_IN:
                return Arrays.binarySearch(nodeSet[node], x) >= 0 ? 0 : 1;
            default:
                throw new IllegalStateException("operator " + op);
        }
    }

    private double table(int i, double[] margins) {
        double[] coefficients = tableCoefficients[i];
        if (floatMath) {
            float y = (float) tableIntercept[i];
            for (int k = 0; k < coefficients.length; k++) {
                if (coefficients[k] != 0) {
                    y += (float) coefficients[k] * (float) margins[k];
                }
            }
            return y;
        }
        double y = tableIntercept[i];
        for (int k = 0; k < coefficients.length; k++) {
            if (coefficients[k] != 0) {
                y += coefficients[k] * margins[k];
            }
        }
        return y;
    }

    private double normalizeOne(double y) {
        if (floatMath) {
            return normalizeFloat((float) y);
        }
        switch (normalization) {
            case NORMALIZE_LOGIT:
                return 1.0 / (1.0 + Math.exp(-y));
            case NORMALIZE_EXP:
                return Math.exp(y);
            case NORMALIZE_CLOGLOG:
                return 1.0 - Math.exp(-Math.exp(y));
            case NORMALIZE_LOGLOG:
                return Math.exp(-Math.exp(-y));
            case NORMALIZE_CAUCHIT:
                return 0.5 + (1 / Math.PI) * Math.atan(y);
            default:
                return y;
        }
    }

    /** The same transformations in float arithmetic, step by step, as a float math context asks. */
    private float normalizeFloat(float y) {
        switch (normalization) {
            case NORMALIZE_LOGIT:
                return 1f / (1f + expFloat(-y));
            case NORMALIZE_EXP:
                return expFloat(y);
            case NORMALIZE_CLOGLOG:
                return 1f - expFloat(-expFloat(y));
            case NORMALIZE_LOGLOG:
                return expFloat(-expFloat(-y));
            case NORMALIZE_CAUCHIT:
                return 0.5f + (float) (1 / Math.PI) * (float) Math.atan(y);
            default:
                return y;
        }
    }

    /**
     * e to the power of a float, in float: the float-rounded e raised with {@link Math#pow}, the
     * way JPMML-Evaluator's float arithmetic does it, so that both agree to the bit.
     */
    static float expFloat(float x) {
        return (float) Math.pow(FLOAT_E, x);
    }

    private static final double FLOAT_E = (float) Math.E;

    private boolean classify(double[] margins, double[] result) {
        int tables = tableIntercept.length;
        if (normalization == NORMALIZE_SOFTMAX) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < tables; i++) {
                result[tableCategory[i]] = table(i, margins);
                max = Math.max(max, result[tableCategory[i]]);
            }
            if (floatMath) {
                float sum = 0f;
                for (int i = 0; i < tables; i++) {
                    int c = tableCategory[i];
                    result[c] = expFloat((float) result[c] - (float) max);
                    sum += (float) result[c];
                }
                for (int c = 0; c < result.length; c++) {
                    result[c] = (float) result[c] / sum;
                }
                return true;
            }
            double sum = 0;
            for (int i = 0; i < tables; i++) {
                int c = tableCategory[i];
                result[c] = Math.exp(result[c] - max);
                sum += result[c];
            }
            for (int c = 0; c < result.length; c++) {
                result[c] = result[c] / sum;
            }
            return true;
        }
        // binary: the first table scores its category, the other one gets the complement
        double first = normalizeOne(table(0, margins));
        result[tableCategory[0]] = first;
        result[tableCategory[1]] = floatMath ? (double) (1f - (float) first) : 1.0 - first;
        return true;
    }
}
