package io.propensity.scoring.pmml;

import org.dmg.pmml.Array;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.False;
import org.dmg.pmml.Interval;
import org.dmg.pmml.InvalidValueTreatmentMethod;
import org.dmg.pmml.MathContext;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.Model;
import org.dmg.pmml.OpType;
import org.dmg.pmml.OutlierTreatmentMethod;
import org.dmg.pmml.Output;
import org.dmg.pmml.OutputField;
import org.dmg.pmml.PMML;
import org.dmg.pmml.PMMLObject;
import org.dmg.pmml.Predicate;
import org.dmg.pmml.ResultFeature;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.SimpleSetPredicate;
import org.dmg.pmml.Target;
import org.dmg.pmml.Targets;
import org.dmg.pmml.True;
import org.dmg.pmml.Value;
import org.dmg.pmml.mining.MiningModel;
import org.dmg.pmml.mining.Segment;
import org.dmg.pmml.mining.Segmentation;
import org.dmg.pmml.regression.NumericPredictor;
import org.dmg.pmml.regression.RegressionModel;
import org.dmg.pmml.regression.RegressionTable;
import org.dmg.pmml.tree.Node;
import org.dmg.pmml.tree.TreeModel;
import org.jpmml.model.ArrayUtil;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.propensity.scoring.pmml.CompiledEnsemble.AGGREGATE_AVERAGE;
import static io.propensity.scoring.pmml.CompiledEnsemble.AGGREGATE_SUM;
import static io.propensity.scoring.pmml.CompiledEnsemble.AGGREGATE_WEIGHTED_AVERAGE;
import static io.propensity.scoring.pmml.CompiledEnsemble.AGGREGATE_WEIGHTED_SUM;

/**
 * Compiles the gradient-boosted tree ensembles that the JPMML converters emit (XGBoost, LightGBM,
 * scikit-learn) into a {@link CompiledEnsemble}, reading the PMML with pmml-model (BSD-3) only.
 *
 * <p>Supported: a TreeModel, a MiningModel that sums, weighted-sums or averages TreeModels, and a
 * modelChain of such sums (one per class) into a RegressionModel with logit, softmax, exp, cloglog,
 * loglog, cauchit or no normalisation; Targets rescaling; compact and non-compact trees with True,
 * False, SimplePredicate and SimpleSetPredicate; missing value strategies none, defaultChild,
 * lastPrediction and nullPrediction; noTrueChildStrategy; float or double math context; DataField
 * Intervals and Values with invalidValueTreatment asIs, asMissing and returnInvalid;
 * missingValueReplacement; probability and predicted-value OutputFields.
 *
 * <p>Anything else (derived fields and transformations, compound predicates, embedded models in
 * nodes, other output features, ...) is refused with an {@link UnsupportedPmmlException} that names
 * the element and its line, and the caller uses JPMML-Evaluator instead.
 */
public final class EnsembleCompiler {

    private final PMML pmml;
    private final Map<String, DataField> dataFields = new HashMap<>();
    private final Map<String, Integer> slotIndex = new LinkedHashMap<>();
    private final List<String> slotNames = new ArrayList<>();

    /** Category values each string or boolean field's predicates name, in first-seen order. */
    private final Map<String, LinkedHashSet<String>> usedCategories = new HashMap<>();

    private MathContext mathContext;

    // node arrays, grown as trees are added
    private final List<Integer> nodeSlot = new ArrayList<>();
    private final List<Byte> nodeOp = new ArrayList<>();
    private final List<Object> nodeValue = new ArrayList<>();
    private final List<Integer> nodeFirstChild = new ArrayList<>();
    private final List<Integer> nodeChildCount = new ArrayList<>();
    private final List<Double> nodeScore = new ArrayList<>();
    private final List<Integer> nodeDefaultChild = new ArrayList<>();
    private final List<Double> nodeRecordCount = new ArrayList<>();

    private final List<Integer> treeRoot = new ArrayList<>();
    private final List<Byte> treeMissing = new ArrayList<>();
    private final List<Boolean> treeReturnLast = new ArrayList<>();
    private final List<Double> treeWeight = new ArrayList<>();

    private final List<Integer> marginStart = new ArrayList<>();
    private final List<Byte> marginAggregate = new ArrayList<>();
    private final List<Double> marginFactor = new ArrayList<>();
    private final List<Double> marginConstant = new ArrayList<>();

    private EnsembleCompiler(PMML pmml) {
        this.pmml = pmml;
    }

    /**
     * Compiles the model of a document read by {@link PmmlSource}.
     *
     * @throws UnsupportedPmmlException naming the first unsupported element and its line
     */
    public static CompiledModel compile(PMML pmml) throws UnsupportedPmmlException {
        return new EnsembleCompiler(pmml).compile();
    }

    private CompiledModel compile() throws UnsupportedPmmlException {
        for (DataField field : pmml.requireDataDictionary().getDataFields()) {
            dataFields.put(field.requireName(), field);
        }
        if (pmml.getTransformationDictionary() != null
                && (pmml.getTransformationDictionary().hasDerivedFields()
                        || pmml.getTransformationDictionary().hasDefineFunctions())) {
            throw new UnsupportedPmmlException(
                    pmml.getTransformationDictionary(), "TransformationDictionary");
        }
        Model model = PmmlSource.model(pmml);
        mathContext = model.getMathContext();

        String target = null;
        for (MiningField field : model.requireMiningSchema().getMiningFields()) {
            MiningField.UsageType usage = field.getUsageType();
            if (usage == MiningField.UsageType.ACTIVE) {
                slotIndex.put(field.requireName(), slotNames.size());
                slotNames.add(field.requireName());
            } else if (usage == MiningField.UsageType.TARGET
                    || usage == MiningField.UsageType.PREDICTED) {
                target = field.requireName();
            } else {
                throw new UnsupportedPmmlException(field, "MiningField usageType=" + usage.value());
            }
        }
        if (target == null) {
            throw new UnsupportedPmmlException(model.getMiningSchema(), "a model without target");
        }
        checkPlainModel(model, true);

        CompiledEnsemble.Builder b = new CompiledEnsemble.Builder();
        b.floatMath = mathContext == MathContext.FLOAT;
        List<OutputField> outputs = new ArrayList<>(outputFields(model));
        MiningFunction function = model.requireMiningFunction();

        if (model instanceof MiningModel mining
                && mining.requireSegmentation().requireMultipleModelMethod()
                        == Segmentation.MultipleModelMethod.MODEL_CHAIN) {
            compileChain(mining, function, b, outputs);
        } else if (function == MiningFunction.REGRESSION) {
            addMargin(model);
        } else {
            throw new UnsupportedPmmlException(
                    model,
                    model.getClass().getSimpleName()
                            + " functionName="
                            + function.value()
                            + " (only boosted regression trees, optionally chained into a"
                            + " RegressionModel)");
        }
        marginStart.add(treeRoot.size());

        b.slots = slots(model);
        fillArrays(b);
        return new CompiledModel(new CompiledEnsemble(b), target, resultOutputs(outputs, b));
    }

    // ---- model structure -------------------------------------------------------------------

    private void compileChain(
            MiningModel chain,
            MiningFunction function,
            CompiledEnsemble.Builder b,
            List<OutputField> outputs)
            throws UnsupportedPmmlException {
        List<Segment> segments = chain.requireSegmentation().requireSegments();
        Map<String, Integer> marginByName = new HashMap<>();
        for (int i = 0; i < segments.size() - 1; i++) {
            Segment segment = segments.get(i);
            checkTrue(segment);
            Model model = segment.requireModel();
            checkPlainModel(model, false);
            String name = intermediateOutput(model);
            marginByName.put(name, marginByName.size());
            addMargin(model);
        }
        Segment last = segments.get(segments.size() - 1);
        checkTrue(last);
        if (!(last.requireModel() instanceof RegressionModel regression)) {
            throw new UnsupportedPmmlException(
                    last.requireModel(),
                    "modelChain ending in " + last.requireModel().getClass().getSimpleName());
        }
        checkPlainModel(regression, false);
        if (regression.requireMiningFunction() != function) {
            throw new UnsupportedPmmlException(regression, "RegressionModel functionName differs");
        }
        outputs.addAll(outputFields(regression));
        compileRegression(regression, marginByName, b);
    }

    private void compileRegression(
            RegressionModel regression,
            Map<String, Integer> marginByName,
            CompiledEnsemble.Builder b)
            throws UnsupportedPmmlException {
        if (regression.getTargets() != null && regression.getTargets().hasTargets()) {
            throw new UnsupportedPmmlException(
                    regression.getTargets(), "Targets on RegressionModel");
        }
        b.normalization = normalization(regression);
        List<RegressionTable> tables = regression.requireRegressionTables();
        b.tableIntercept = new double[tables.size()];
        b.tableCoefficients = new double[tables.size()][marginByName.size()];
        b.tableCategory = new int[tables.size()];
        for (int i = 0; i < tables.size(); i++) {
            RegressionTable table = tables.get(i);
            if (table.hasCategoricalPredictors() || table.hasPredictorTerms()) {
                throw new UnsupportedPmmlException(
                        table, "RegressionTable with CategoricalPredictor or PredictorTerm");
            }
            b.tableIntercept[i] = number(table.requireIntercept());
            for (NumericPredictor predictor : table.getNumericPredictors()) {
                Integer margin = marginByName.get(predictor.requireField());
                if (margin == null
                        || (predictor.getExponent() != null && predictor.getExponent() != 1)) {
                    throw new UnsupportedPmmlException(
                            predictor,
                            "NumericPredictor on "
                                    + predictor.requireField()
                                    + " (only chained tree sums, exponent 1)");
                }
                b.tableCoefficients[i][margin] += number(predictor.requireCoefficient());
            }
        }
        if (regression.requireMiningFunction() == MiningFunction.CLASSIFICATION) {
            b.classification = true;
            b.categories = targetCategories(regression);
            for (int i = 0; i < tables.size(); i++) {
                Object category = tables.get(i).requireTargetCategory();
                b.tableCategory[i] = b.categories.indexOf(String.valueOf(category));
                if (b.tableCategory[i] < 0) {
                    throw new UnsupportedPmmlException(
                            tables.get(i), "RegressionTable targetCategory=" + category);
                }
            }
            boolean softmax = b.normalization == CompiledEnsemble.NORMALIZE_SOFTMAX;
            boolean binary = tables.size() == 2 && b.categories.size() == 2;
            if (!softmax && !(binary && b.normalization != CompiledEnsemble.NORMALIZE_EXP)) {
                throw new UnsupportedPmmlException(
                        regression,
                        "classification RegressionModel normalizationMethod="
                                + regression.getNormalizationMethod().value()
                                + " with "
                                + tables.size()
                                + " tables");
            }
            if (softmax && tables.size() != b.categories.size()) {
                throw new UnsupportedPmmlException(regression, "softmax over a subset of classes");
            }
        } else if (tables.size() != 1 || b.normalization == CompiledEnsemble.NORMALIZE_SOFTMAX) {
            throw new UnsupportedPmmlException(regression, "regression with several tables");
        }
    }

    private byte normalization(RegressionModel regression) throws UnsupportedPmmlException {
        RegressionModel.NormalizationMethod method = regression.getNormalizationMethod();
        switch (method) {
            case NONE:
                if (regression.requireMiningFunction() == MiningFunction.CLASSIFICATION) {
                    break;
                }
                return CompiledEnsemble.NORMALIZE_NONE;
            case LOGIT:
                return CompiledEnsemble.NORMALIZE_LOGIT;
            case EXP:
                return CompiledEnsemble.NORMALIZE_EXP;
            case SOFTMAX:
                return CompiledEnsemble.NORMALIZE_SOFTMAX;
            case CLOGLOG:
                return CompiledEnsemble.NORMALIZE_CLOGLOG;
            case LOGLOG:
                return CompiledEnsemble.NORMALIZE_LOGLOG;
            case CAUCHIT:
                return CompiledEnsemble.NORMALIZE_CAUCHIT;
            default:
                break;
        }
        throw new UnsupportedPmmlException(
                regression, "RegressionModel normalizationMethod=" + method.value());
    }

    /** Adds a margin: a TreeModel, or a MiningModel aggregating TreeModels, with its Targets. */
    private void addMargin(Model model) throws UnsupportedPmmlException {
        if (model.requireMiningFunction() != MiningFunction.REGRESSION) {
            throw new UnsupportedPmmlException(
                    model,
                    "boosted sum with functionName=" + model.requireMiningFunction().value());
        }
        marginStart.add(treeRoot.size());
        if (model instanceof TreeModel tree) {
            marginAggregate.add(AGGREGATE_SUM);
            addTree(tree, 1.0);
        } else if (model instanceof MiningModel mining) {
            Segmentation segmentation = mining.requireSegmentation();
            byte aggregate;
            switch (segmentation.requireMultipleModelMethod()) {
                case SUM:
                    aggregate = AGGREGATE_SUM;
                    break;
                case WEIGHTED_SUM:
                    aggregate = AGGREGATE_WEIGHTED_SUM;
                    break;
                case AVERAGE:
                    aggregate = AGGREGATE_AVERAGE;
                    break;
                case WEIGHTED_AVERAGE:
                    aggregate = AGGREGATE_WEIGHTED_AVERAGE;
                    break;
                default:
                    throw new UnsupportedPmmlException(
                            segmentation,
                            "Segmentation multipleModelMethod="
                                    + segmentation.requireMultipleModelMethod().value());
            }
            marginAggregate.add(aggregate);
            int firstTree = treeRoot.size();
            for (Segment segment : segmentation.requireSegments()) {
                checkTrue(segment);
                if (!(segment.requireModel() instanceof TreeModel tree)) {
                    throw new UnsupportedPmmlException(
                            segment.requireModel(),
                            "segment model "
                                    + segment.requireModel().getClass().getSimpleName()
                                    + " in a tree sum");
                }
                checkPlainModel(tree, false);
                addTree(tree, number(segment.getWeight()));
            }
            if (segmentation.getMissingPredictionTreatment()
                            != Segmentation.MissingPredictionTreatment.RETURN_MISSING
                    && anyTreeCanBeMissing(firstTree)) {
                throw new UnsupportedPmmlException(
                        segmentation,
                        "Segmentation missingPredictionTreatment="
                                + segmentation.getMissingPredictionTreatment().value()
                                + " with trees that can return a missing prediction");
            }
        } else {
            throw new UnsupportedPmmlException(
                    model, model.getClass().getSimpleName() + " in a boosted sum");
        }
        double factor = 1.0;
        double constant = 0.0;
        Targets targets = model.getTargets();
        if (targets != null && targets.hasTargets()) {
            if (targets.getTargets().size() != 1) {
                throw new UnsupportedPmmlException(targets, "several Target elements");
            }
            Target target = targets.getTargets().get(0);
            if (target.hasTargetValues()
                    || target.getMin() != null
                    || target.getMax() != null
                    || target.getCastInteger() != null) {
                throw new UnsupportedPmmlException(
                        target, "Target with TargetValue, min, max or castInteger");
            }
            factor = number(target.getRescaleFactor());
            constant = number(target.getRescaleConstant());
        }
        marginFactor.add(factor);
        marginConstant.add(constant);
    }

    private boolean anyTreeCanBeMissing(int firstTree) {
        for (int t = firstTree; t < treeRoot.size(); t++) {
            if (treeMissing.get(t) == CompiledEnsemble.MISSING_NULL_PREDICTION
                    || !treeReturnLast.get(t)) {
                return true;
            }
        }
        for (int n = treeRoot.get(firstTree); n < nodeScore.size(); n++) {
            if (nodeChildCount.get(n) == 0 && Double.isNaN(nodeScore.get(n))) {
                return true;
            }
        }
        return false;
    }

    // ---- trees -------------------------------------------------------------------------------

    private void addTree(TreeModel tree, double weight) throws UnsupportedPmmlException {
        if (tree.requireMiningFunction() != MiningFunction.REGRESSION) {
            throw new UnsupportedPmmlException(
                    tree, "TreeModel functionName=" + tree.requireMiningFunction().value());
        }
        if (tree.getMissingValuePenalty() != null
                && tree.getMissingValuePenalty().doubleValue() != 1.0) {
            throw new UnsupportedPmmlException(tree, "TreeModel missingValuePenalty");
        }
        byte missing;
        switch (tree.getMissingValueStrategy()) {
            case NONE:
                missing = CompiledEnsemble.MISSING_NONE;
                break;
            case LAST_PREDICTION:
                missing = CompiledEnsemble.MISSING_LAST_PREDICTION;
                break;
            case NULL_PREDICTION:
                missing = CompiledEnsemble.MISSING_NULL_PREDICTION;
                break;
            case DEFAULT_CHILD:
                missing = CompiledEnsemble.MISSING_DEFAULT_CHILD;
                break;
            default:
                throw new UnsupportedPmmlException(
                        tree,
                        "TreeModel missingValueStrategy=" + tree.getMissingValueStrategy().value());
        }
        Node root = tree.requireNode();
        if (!(root.requirePredicate() instanceof True)) {
            throw new UnsupportedPmmlException(root, "root Node predicate other than True");
        }
        treeRoot.add(nodeScore.size());
        treeMissing.add(missing);
        treeReturnLast.add(
                tree.getNoTrueChildStrategy()
                        == TreeModel.NoTrueChildStrategy.RETURN_LAST_PREDICTION);
        treeWeight.add(weight);

        // breadth-first, so that the children of every node are contiguous
        Deque<Node> queue = new ArrayDeque<>();
        queue.add(root);
        addNode(root);
        int index = treeRoot.get(treeRoot.size() - 1);
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            List<Node> children = node.hasNodes() ? node.getNodes() : List.of();
            nodeFirstChild.set(index, nodeScore.size());
            nodeChildCount.set(index, children.size());
            if (missing == CompiledEnsemble.MISSING_DEFAULT_CHILD && !children.isEmpty()) {
                nodeDefaultChild.set(index, defaultChild(node, children, nodeScore.size()));
            }
            for (Node child : children) {
                addNode(child);
                queue.add(child);
            }
            index++;
        }
    }

    private int defaultChild(Node node, List<Node> children, int firstChild)
            throws UnsupportedPmmlException {
        Object id = node.getDefaultChild();
        if (id == null) {
            throw new UnsupportedPmmlException(
                    node, "Node without defaultChild under missingValueStrategy=defaultChild");
        }
        for (int i = 0; i < children.size(); i++) {
            if (id.toString().equals(String.valueOf(children.get(i).getId()))) {
                return firstChild + i;
            }
        }
        throw new UnsupportedPmmlException(node, "Node defaultChild=" + id + " names no child");
    }

    private void addNode(Node node) throws UnsupportedPmmlException {
        if (node.getEmbeddedModel() != null) {
            throw new UnsupportedPmmlException(node.getEmbeddedModel(), "embedded model in Node");
        }
        if (node.hasScoreDistributions()) {
            throw new UnsupportedPmmlException(node, "Node with ScoreDistribution");
        }
        Object score = node.getScore();
        nodeScore.add(score == null ? Double.NaN : scoreValue(node, score));
        Number records = node.getRecordCount();
        nodeRecordCount.add(records == null ? Double.NaN : records.doubleValue());
        nodeFirstChild.add(0);
        nodeChildCount.add(0);
        nodeDefaultChild.add(-1);
        addPredicate(node.requirePredicate());
    }

    private void addPredicate(Predicate predicate) throws UnsupportedPmmlException {
        if (predicate instanceof True) {
            nodeSlot.add(0);
            nodeOp.add(CompiledEnsemble.OP_TRUE);
            nodeValue.add(0.0);
        } else if (predicate instanceof False) {
            nodeSlot.add(0);
            nodeOp.add(CompiledEnsemble.OP_FALSE);
            nodeValue.add(0.0);
        } else if (predicate instanceof SimplePredicate simple) {
            String field = simple.requireField();
            nodeSlot.add(slot(simple, field));
            byte op;
            switch (simple.requireOperator()) {
                case EQUAL:
                    op = CompiledEnsemble.OP_EQ;
                    break;
                case NOT_EQUAL:
                    op = CompiledEnsemble.OP_NE;
                    break;
                case LESS_THAN:
                    op = CompiledEnsemble.OP_LT;
                    break;
                case LESS_OR_EQUAL:
                    op = CompiledEnsemble.OP_LE;
                    break;
                case GREATER_THAN:
                    op = CompiledEnsemble.OP_GT;
                    break;
                case GREATER_OR_EQUAL:
                    op = CompiledEnsemble.OP_GE;
                    break;
                case IS_MISSING:
                    op = CompiledEnsemble.OP_IS_MISSING;
                    break;
                case IS_NOT_MISSING:
                    op = CompiledEnsemble.OP_IS_NOT_MISSING;
                    break;
                default:
                    throw new UnsupportedPmmlException(
                            simple, "SimplePredicate operator=" + simple.requireOperator().value());
            }
            nodeOp.add(op);
            if (op == CompiledEnsemble.OP_IS_MISSING || op == CompiledEnsemble.OP_IS_NOT_MISSING) {
                nodeValue.add(0.0);
            } else {
                if (isCoded(field)
                        && op != CompiledEnsemble.OP_EQ
                        && op != CompiledEnsemble.OP_NE) {
                    throw new UnsupportedPmmlException(
                            simple, "ordering comparison on categorical field " + field);
                }
                List<String> values = List.of(text(simple.requireValue()));
                useCategories(field, values);
                nodeValue.add(new Pending(field, values, simple));
            }
        } else if (predicate instanceof SimpleSetPredicate set) {
            String field = set.requireField();
            nodeSlot.add(slot(set, field));
            nodeOp.add(
                    set.requireBooleanOperator() == SimpleSetPredicate.BooleanOperator.IS_IN
                            ? CompiledEnsemble.OP_IN
                            : CompiledEnsemble.OP_NOT_IN);
            List<String> values = arrayValues(set.requireArray());
            useCategories(field, values);
            nodeValue.add(new Pending(field, values, set));
        } else {
            throw new UnsupportedPmmlException(predicate, predicate.getClass().getSimpleName());
        }
    }

    private void useCategories(String field, List<String> values) {
        if (isCoded(field)) {
            boolean bool = dataFields.get(field).requireDataType() == DataType.BOOLEAN;
            for (String value : values) {
                usedCategories.get(field).add(bool ? value.toLowerCase(Locale.ROOT) : value);
            }
        }
    }

    /** A predicate value resolved once every string category of its field is known. */
    private record Pending(String field, List<String> values, PMMLObject element) {}

    private int slot(PMMLObject element, String field) throws UnsupportedPmmlException {
        Integer slot = slotIndex.get(field);
        if (slot == null) {
            throw new UnsupportedPmmlException(
                    element, "predicate on " + field + ", which is not an input field");
        }
        if (isCoded(field)) {
            // remember the categories predicates use, so that each gets a code
            usedCategories.computeIfAbsent(field, f -> new LinkedHashSet<>());
        }
        return slot;
    }

    private boolean isCoded(String field) {
        DataType type = dataFields.get(field).requireDataType();
        return type == DataType.STRING || type == DataType.BOOLEAN;
    }

    private static List<String> arrayValues(Array array) throws UnsupportedPmmlException {
        Object value = array.getValue();
        if (value instanceof String text) {
            return ArrayUtil.parse(array.requireType(), text);
        }
        if (value instanceof Collection<?> values) {
            List<String> texts = new ArrayList<>();
            for (Object v : values) {
                texts.add(String.valueOf(v));
            }
            return texts;
        }
        throw new UnsupportedPmmlException(array, "Array content");
    }

    // ---- inputs ------------------------------------------------------------------------------

    private InputSlot[] slots(Model model) throws UnsupportedPmmlException {
        Map<String, MiningField> miningFields = new HashMap<>();
        for (MiningField field : model.requireMiningSchema().getMiningFields()) {
            miningFields.put(field.requireName(), field);
        }
        InputSlot[] slots = new InputSlot[slotNames.size()];
        for (int i = 0; i < slots.length; i++) {
            String name = slotNames.get(i);
            DataField data = dataFields.get(name);
            MiningField mining = miningFields.get(name);
            if (data == null) {
                throw new UnsupportedPmmlException(mining, "input " + name + " without DataField");
            }
            slots[i] = slot(data, mining);
        }
        return slots;
    }

    private InputSlot slot(DataField data, MiningField mining) throws UnsupportedPmmlException {
        String name = data.requireName();
        DataType type = data.requireDataType();
        if (type != DataType.FLOAT
                && type != DataType.DOUBLE
                && type != DataType.INTEGER
                && type != DataType.STRING
                && type != DataType.BOOLEAN) {
            throw new UnsupportedPmmlException(data, "DataField dataType=" + type.value());
        }
        OpType opType = mining.getOpType() != null ? mining.getOpType() : data.requireOpType();
        boolean categorical = opType != OpType.CONTINUOUS;
        boolean coded = type == DataType.STRING || type == DataType.BOOLEAN;
        if (coded && !categorical) {
            throw new UnsupportedPmmlException(data, "continuous " + type.value() + " field");
        }
        if (mining.getOutlierTreatment() != OutlierTreatmentMethod.AS_IS) {
            throw new UnsupportedPmmlException(
                    mining, "MiningField outliers=" + mining.getOutlierTreatment().value());
        }
        InvalidValueTreatmentMethod invalid = mining.getInvalidValueTreatment();
        if (invalid == InvalidValueTreatmentMethod.AS_VALUE
                && mining.getInvalidValueReplacement() == null) {
            // pmml-model reads PMML 4.4's "asIs" as asValue without a replacement: keep the value
            invalid = InvalidValueTreatmentMethod.AS_IS;
        }
        if (invalid != InvalidValueTreatmentMethod.AS_IS
                && invalid != InvalidValueTreatmentMethod.AS_MISSING
                && invalid != InvalidValueTreatmentMethod.RETURN_INVALID) {
            throw new UnsupportedPmmlException(
                    mining, "MiningField invalidValueTreatment=" + invalid.value());
        }

        Set<String> missing = new HashSet<>();
        List<String> valid = new ArrayList<>();
        for (Value value : data.getValues()) {
            String text = text(value.requireValue());
            switch (value.getProperty()) {
                case MISSING:
                    missing.add(coded ? text : canonical(text));
                    break;
                case VALID:
                    valid.add(type == DataType.BOOLEAN ? text.toLowerCase(Locale.ROOT) : text);
                    break;
                default:
                    throw new UnsupportedPmmlException(
                            value, "Value property=" + value.getProperty().value());
            }
        }
        if (!categorical && !valid.isEmpty()) {
            throw new UnsupportedPmmlException(data, "valid Values on a continuous field");
        }
        List<double[]> intervals = new ArrayList<>();
        List<boolean[]> closures = new ArrayList<>();
        for (Interval interval : data.getIntervals()) {
            if (categorical) {
                throw new UnsupportedPmmlException(interval, "Interval on a categorical field");
            }
            double left =
                    interval.getLeftMargin() == null
                            ? Double.NEGATIVE_INFINITY
                            : fieldNumber(type, text(interval.getLeftMargin()));
            double right =
                    interval.getRightMargin() == null
                            ? Double.POSITIVE_INFINITY
                            : fieldNumber(type, text(interval.getRightMargin()));
            String closure = interval.requireClosure().value();
            intervals.add(new double[] {left, right});
            closures.add(new boolean[] {closure.startsWith("closed"), closure.endsWith("Closed")});
        }

        Map<String, Integer> codes = null;
        double[] validNumbers = null;
        Set<String> validStrings = null;
        if (coded) {
            codes = new LinkedHashMap<>();
            for (String category : valid) {
                codes.putIfAbsent(category, codes.size());
            }
            for (String category : usedCategories.getOrDefault(name, new LinkedHashSet<>())) {
                codes.putIfAbsent(category, codes.size());
            }
            validStrings = valid.isEmpty() ? null : new HashSet<>(valid);
        } else if (categorical && !valid.isEmpty()) {
            validNumbers = new double[valid.size()];
            for (int i = 0; i < valid.size(); i++) {
                validNumbers[i] = fieldNumber(type, valid.get(i));
            }
            Arrays.sort(validNumbers);
        }

        InputSlot slot =
                new InputSlot(
                        name,
                        type,
                        categorical,
                        codes,
                        validNumbers,
                        validStrings,
                        intervals,
                        closures,
                        missing,
                        invalid,
                        Double.NaN);
        Object replacement = mining.getMissingValueReplacement();
        if (replacement == null) {
            return slot;
        }
        return new InputSlot(
                name,
                type,
                categorical,
                codes,
                validNumbers,
                validStrings,
                intervals,
                closures,
                missing,
                invalid,
                slot.encode(text(replacement)));
    }

    // ---- outputs -----------------------------------------------------------------------------

    private static List<OutputField> outputFields(Model model) {
        Output output = model.getOutput();
        return output == null || !output.hasOutputFields() ? List.of() : output.getOutputFields();
    }

    private static String intermediateOutput(Model model) throws UnsupportedPmmlException {
        List<OutputField> fields = outputFields(model);
        if (fields.size() != 1
                || fields.get(0).isFinalResult()
                || fields.get(0).getResultFeature() != ResultFeature.PREDICTED_VALUE
                || fields.get(0).getExpression() != null) {
            throw new UnsupportedPmmlException(
                    model.getOutput() != null ? model.getOutput() : model,
                    "chained segment without exactly one intermediate predictedValue OutputField");
        }
        return fields.get(0).requireName();
    }

    private List<CompiledModel.Result> resultOutputs(
            List<OutputField> outputs, CompiledEnsemble.Builder b) throws UnsupportedPmmlException {
        List<CompiledModel.Result> results = new ArrayList<>();
        for (OutputField field : outputs) {
            if (!field.isFinalResult()) {
                continue;
            }
            if (field.getExpression() != null || field.getSegmentId() != null) {
                throw new UnsupportedPmmlException(
                        field, "OutputField " + field.requireName() + " with an expression");
            }
            ResultFeature feature = field.getResultFeature();
            if (feature == ResultFeature.PREDICTED_VALUE) {
                results.add(new CompiledModel.Result(field.requireName(), -1));
            } else if (feature == ResultFeature.PROBABILITY && b.classification) {
                Object value = field.getValue();
                int category = value == null ? -1 : b.categories.indexOf(text(value));
                if (category < 0) {
                    throw new UnsupportedPmmlException(
                            field, "probability OutputField for value " + value);
                }
                results.add(new CompiledModel.Result(field.requireName(), category));
            } else {
                throw new UnsupportedPmmlException(field, "OutputField feature=" + feature.value());
            }
        }
        return results;
    }

    private List<String> targetCategories(Model model) throws UnsupportedPmmlException {
        for (MiningField field : model.requireMiningSchema().getMiningFields()) {
            if (field.getUsageType() == MiningField.UsageType.TARGET
                    || field.getUsageType() == MiningField.UsageType.PREDICTED) {
                DataField data = dataFields.get(field.requireName());
                List<String> categories = new ArrayList<>();
                for (Value value : data.getValues()) {
                    if (value.getProperty() == Value.Property.VALID) {
                        categories.add(text(value.requireValue()));
                    }
                }
                if (categories.isEmpty()) {
                    throw new UnsupportedPmmlException(data, "target without categories");
                }
                return categories;
            }
        }
        throw new UnsupportedPmmlException(model, "classification without target field");
    }

    // ---- checks and values -------------------------------------------------------------------

    private void checkPlainModel(Model model, boolean top) throws UnsupportedPmmlException {
        if (model.getLocalTransformations() != null
                && model.getLocalTransformations().hasDerivedFields()) {
            throw new UnsupportedPmmlException(
                    model.getLocalTransformations(), "LocalTransformations (derived fields)");
        }
        if (model.getMathContext() != mathContext) {
            throw new UnsupportedPmmlException(model, "mixed x-mathContext");
        }
        if (model.getModelVerification() != null && !top) {
            throw new UnsupportedPmmlException(
                    model.getModelVerification(), "ModelVerification in a segment");
        }
        if (!top) {
            for (MiningField field : model.requireMiningSchema().getMiningFields()) {
                if (field.getInvalidValueTreatment() != InvalidValueTreatmentMethod.RETURN_INVALID
                        || field.getMissingValueReplacement() != null
                        || field.getOutlierTreatment() != OutlierTreatmentMethod.AS_IS) {
                    throw new UnsupportedPmmlException(
                            field, "treatment on the MiningField of a segment");
                }
                if (field.getUsageType() == MiningField.UsageType.ACTIVE
                        && !slotIndex.containsKey(field.requireName())
                        && !(model instanceof RegressionModel)) {
                    throw new UnsupportedPmmlException(
                            field, "segment input " + field.requireName() + " not in the model");
                }
            }
        }
        if (model instanceof MiningModel mining) {
            for (Segment segment : mining.requireSegmentation().requireSegments()) {
                if (segment.requireModel() instanceof MiningModel nested
                        && nested.requireSegmentation().requireMultipleModelMethod()
                                == Segmentation.MultipleModelMethod.MODEL_CHAIN) {
                    throw new UnsupportedPmmlException(nested, "nested modelChain");
                }
            }
        }
    }

    private static void checkTrue(Segment segment) throws UnsupportedPmmlException {
        if (!(segment.requirePredicate() instanceof True)) {
            throw new UnsupportedPmmlException(segment, "Segment predicate other than True");
        }
    }

    private double scoreValue(Node node, Object score) throws UnsupportedPmmlException {
        try {
            return mathContext == MathContext.FLOAT
                    ? Float.parseFloat(text(score))
                    : Double.parseDouble(text(score));
        } catch (NumberFormatException e) {
            throw new UnsupportedPmmlException(node, "Node score=" + score + " is not a number");
        }
    }

    private static double fieldNumber(DataType type, String text) {
        return type == DataType.FLOAT ? Float.parseFloat(text) : Double.parseDouble(text);
    }

    private static double number(Number number) {
        return number == null ? Double.NaN : number.doubleValue();
    }

    private static String text(Object value) {
        return value instanceof String s ? s : String.valueOf(value);
    }

    private static String canonical(String number) {
        try {
            return new BigDecimal(number).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return number;
        }
    }

    // ---- arrays ------------------------------------------------------------------------------

    private void fillArrays(CompiledEnsemble.Builder b) throws UnsupportedPmmlException {
        int n = nodeScore.size();
        b.nodeSlot = ints(nodeSlot);
        b.nodeOp = new byte[n];
        b.nodeValue = new double[n];
        b.nodeSet = new double[n][];
        for (int i = 0; i < n; i++) {
            b.nodeOp[i] = nodeOp.get(i);
            Object value = nodeValue.get(i);
            if (value instanceof Pending pending) {
                InputSlot slot = b.slots[b.nodeSlot[i]];
                double[] encoded = new double[pending.values().size()];
                for (int j = 0; j < encoded.length; j++) {
                    encoded[j] = predicateValue(slot, pending, pending.values().get(j));
                }
                Arrays.sort(encoded);
                b.nodeSet[i] = encoded;
                b.nodeValue[i] = encoded.length == 1 ? encoded[0] : Double.NaN;
            } else {
                b.nodeValue[i] = (Double) value;
            }
        }
        b.nodeFirstChild = ints(nodeFirstChild);
        b.nodeChildCount = ints(nodeChildCount);
        b.nodeScore = doubles(nodeScore);
        b.nodeDefaultChild = ints(nodeDefaultChild);
        b.nodeRecordCount = doubles(nodeRecordCount);
        b.treeRoot = ints(treeRoot);
        b.treeMissing = new byte[treeMissing.size()];
        b.treeReturnLast = new boolean[treeReturnLast.size()];
        for (int t = 0; t < b.treeMissing.length; t++) {
            b.treeMissing[t] = treeMissing.get(t);
            b.treeReturnLast[t] = treeReturnLast.get(t);
        }
        b.treeWeight = doubles(treeWeight);
        b.marginStart = ints(marginStart);
        b.marginAggregate = new byte[marginAggregate.size()];
        for (int k = 0; k < b.marginAggregate.length; k++) {
            b.marginAggregate[k] = marginAggregate.get(k);
        }
        b.marginFactor = doubles(marginFactor);
        b.marginConstant = doubles(marginConstant);
    }

    private static double predicateValue(InputSlot slot, Pending pending, String text)
            throws UnsupportedPmmlException {
        if (slot.isStringCoded()) {
            String key = slot.dataType == DataType.BOOLEAN ? text.toLowerCase(Locale.ROOT) : text;
            Integer code = slot.codes.get(key);
            if (code == null) {
                throw new UnsupportedPmmlException(pending.element(), "category " + text);
            }
            return code;
        }
        try {
            return fieldNumber(slot.dataType, text);
        } catch (NumberFormatException e) {
            throw new UnsupportedPmmlException(
                    pending.element(), "value " + text + " of numeric field " + slot.name);
        }
    }

    private static int[] ints(List<Integer> values) {
        int[] array = new int[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private static double[] doubles(List<Double> values) {
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
