package io.propensity.models;

import io.propensity.features.FeatureSchema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dmg.pmml.Model;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.True;
import org.dmg.pmml.mining.MiningModel;
import org.dmg.pmml.mining.Segment;
import org.dmg.pmml.tree.CountingBranchNode;
import org.dmg.pmml.tree.CountingLeafNode;
import org.dmg.pmml.tree.Node;
import org.dmg.pmml.tree.TreeModel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes XGBoost's per-node cover ({@code sum_hessian} in its JSON model) into the converted PMML
 * as Node {@code recordCount}, which TreeSHAP needs and the JPMML converter does not write.
 *
 * <p>The converter's compact trees do not keep XGBoost's node ids: a PMML node's children stand for
 * a chain of XGBoost splits. The first child is the branch the parent's XGBoost split sends its
 * predicate's way ({@code lessThan}: the left child, {@code greaterOrEqual}: the right child,
 * chosen so that a missing value fails the predicate and takes its default branch); the next child
 * is the same for the other branch's split, and so on; the PMML node's own score is the value of
 * the leaf that ends the chain. Each PMML node gets the cover of the XGBoost node its predicate
 * selects (the root: the tree's root).
 *
 * <p>The walk checks every step (feature, threshold, leaf values) and throws when the converter's
 * tree does not have this shape, for example if it pruned a node, so a wrong count can never be
 * written silently.
 */
final class NodeCovers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeCovers() {}

    /**
     * Writes the covers of the booster's JSON model into the PMML model's trees.
     *
     * @throws IllegalStateException naming the tree and node where PMML and XGBoost differ
     */
    static void write(byte[] boosterJson, Model pmmlModel) throws IOException {
        JsonNode trees =
                JSON.readTree(boosterJson)
                        .path("learner")
                        .path("gradient_booster")
                        .path("model")
                        .path("trees");
        List<TreeModel> treeModels = new ArrayList<>();
        collectTrees(pmmlModel, treeModels);
        if (!trees.isArray() || trees.size() != treeModels.size()) {
            throw new IllegalStateException(
                    "XGBoost model has "
                            + trees.size()
                            + " trees, its PMML "
                            + treeModels.size()
                            + ": cannot match node covers");
        }
        for (int t = 0; t < treeModels.size(); t++) {
            XgbTree tree = new XgbTree(t, trees.get(t));
            // the converter's memory-saving node classes have no recordCount: copy into ones that
            // do
            Node root = counting(treeModels.get(t).requireNode());
            treeModels.get(t).setNode(root);
            if (!(root.requirePredicate() instanceof True)) {
                throw tree.mismatch(0, "PMML root predicate is not True");
            }
            root.setRecordCount(tree.cover(0));
            tree.match(root, 0);
        }
    }

    private static Node counting(Node node) {
        if (!node.hasNodes()) {
            return new CountingLeafNode(node);
        }
        Node copy = new CountingBranchNode(node);
        List<Node> children = copy.getNodes();
        for (int i = 0; i < children.size(); i++) {
            children.set(i, counting(children.get(i)));
        }
        return copy;
    }

    private static void collectTrees(Model model, List<TreeModel> trees) {
        if (model instanceof TreeModel tree) {
            trees.add(tree);
        } else if (model instanceof MiningModel mining) {
            for (Segment segment : mining.requireSegmentation().requireSegments()) {
                collectTrees(segment.requireModel(), trees);
            }
        }
    }

    /** One tree of XGBoost's JSON model. */
    private static final class XgbTree {
        final int index;
        final JsonNode left;
        final JsonNode right;
        final JsonNode feature;
        final JsonNode condition;
        final JsonNode hessian;

        XgbTree(int index, JsonNode tree) {
            this.index = index;
            this.left = tree.path("left_children");
            this.right = tree.path("right_children");
            this.feature = tree.path("split_indices");
            this.condition = tree.path("split_conditions");
            this.hessian = tree.path("sum_hessian");
            if (!left.isArray() || hessian.size() != left.size()) {
                throw mismatch(0, "no left_children or sum_hessian in the JSON model");
            }
        }

        boolean isLeaf(int node) {
            return left.get(node).asInt() < 0;
        }

        float cover(int node) {
            return (float) hessian.get(node).asDouble();
        }

        /** Splits store the threshold, leaves the leaf value, both as float. */
        float condition(int node) {
            return (float) condition.get(node).asDouble();
        }

        /** Covers the children of PMML {@code pmml}, which stands for XGBoost node {@code node}. */
        void match(Node pmml, int node) {
            int current = node;
            for (Node child : pmml.hasNodes() ? pmml.getNodes() : List.<Node>of()) {
                if (isLeaf(current)) {
                    throw mismatch(current, "PMML has a split where XGBoost has a leaf");
                }
                if (!(child.requirePredicate() instanceof SimplePredicate predicate)) {
                    throw mismatch(current, "PMML child predicate is not a comparison");
                }
                String name = FeatureSchema.names().get(feature.get(current).asInt());
                if (!predicate.requireField().equals(name)
                        || Float.parseFloat(String.valueOf(predicate.requireValue()))
                                != condition(current)) {
                    throw mismatch(
                            current,
                            "PMML compares "
                                    + predicate.requireField()
                                    + " with "
                                    + predicate.requireValue()
                                    + ", XGBoost "
                                    + name
                                    + " with "
                                    + condition(current));
                }
                int taken;
                int other;
                switch (predicate.requireOperator()) {
                    case LESS_THAN:
                        taken = left.get(current).asInt();
                        other = right.get(current).asInt();
                        break;
                    case GREATER_OR_EQUAL:
                        taken = right.get(current).asInt();
                        other = left.get(current).asInt();
                        break;
                    default:
                        throw mismatch(
                                current, "PMML operator " + predicate.requireOperator().value());
                }
                child.setRecordCount(cover(taken));
                match(child, taken);
                current = other;
            }
            if (!isLeaf(current)) {
                throw mismatch(current, "PMML ends a chain where XGBoost splits");
            }
            if (Float.parseFloat(String.valueOf(pmml.getScore())) != condition(current)) {
                throw mismatch(
                        current,
                        "PMML score " + pmml.getScore() + ", XGBoost leaf " + condition(current));
            }
        }

        IllegalStateException mismatch(int node, String what) {
            return new IllegalStateException(
                    "PMML tree "
                            + (index + 1)
                            + " does not follow XGBoost tree "
                            + index
                            + " at node "
                            + node
                            + ": "
                            + what
                            + "; node covers cannot be written");
        }
    }
}
