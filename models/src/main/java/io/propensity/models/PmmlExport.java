package io.propensity.models;

import io.propensity.features.FeatureSchema;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.Header;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.Model;
import org.dmg.pmml.OpType;
import org.dmg.pmml.PMML;
import org.jpmml.model.PMMLUtil;
import org.jpmml.xgboost.FeatureMap;
import org.jpmml.xgboost.HasXGBoostOptions;
import org.jpmml.xgboost.Learner;
import org.jpmml.xgboost.XGBoostUtil;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a trained XGBoost booster to PMML with JPMML-XGBoost: compact trees, float inputs and
 * float math (as XGBoost computes), NaN as missing.
 *
 * <p>Guarantees the scoring contract: the target is a binary category {@code 0}/{@code 1} and the
 * input fields are exactly {@link FeatureSchema#names()}, all of them, in order. The converter
 * drops features that no tree splits on, so those are added back as unused continuous float inputs.
 * The output carries no timestamp, so the same booster always gives the same bytes (the model
 * version is a hash of them).
 *
 * <p>Public for the benchmarks, which export their generated models the same way.
 *
 * <p>Writes each Node's {@code recordCount}: the cover (XGBoost's {@code sum_hessian}) of the
 * XGBoost node it stands for, which the converter does not write and TreeSHAP needs ({@link
 * NodeCovers}).
 */
public final class PmmlExport {

    private PmmlExport() {}

    /** The PMML document of a booster. */
    public static PMML toPmml(Booster booster, String modelName, String targetName)
            throws IOException, XGBoostError {
        byte[] json = booster.toByteArray("json");
        Learner learner = XGBoostUtil.loadLearner(new ByteArrayInputStream(json));
        FeatureMap featureMap = new FeatureMap();
        for (String name : FeatureSchema.names()) {
            featureMap.addEntry(name, "q");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put(HasXGBoostOptions.OPTION_COMPACT, Boolean.TRUE);
        options.put(HasXGBoostOptions.OPTION_INPUT_FLOAT, Boolean.TRUE);
        // null, not NaN: with NaN as an explicit missing value JPMML treats NaN input as invalid
        options.put(HasXGBoostOptions.OPTION_MISSING, null);
        PMML pmml = learner.encodePMML(options, targetName, List.of("0", "1"), featureMap);

        Header header = pmml.getHeader();
        if (header != null) {
            header.setTimestamp(null);
            header.setDescription(modelName + " (XGBoost binary:logistic, Propensity models)");
        }
        Model model = pmml.getModels().get(0);
        model.setModelName(modelName);
        NodeCovers.write(json, model);
        declareAllFeatures(pmml, model, targetName);
        return pmml;
    }

    /** The document as bytes. */
    public static byte[] toBytes(PMML pmml) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PMMLUtil.marshal(pmml, out);
        } catch (Exception e) {
            throw new IOException("cannot write PMML: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Rewrites the DataDictionary and top-level MiningSchema: target, then every feature. */
    private static void declareAllFeatures(PMML pmml, Model model, String targetName) {
        DataDictionary dictionary = pmml.requireDataDictionary();
        Map<String, DataField> existing = new HashMap<>();
        for (DataField field : dictionary.getDataFields()) {
            existing.put(field.requireName(), field);
        }
        List<DataField> fields = new ArrayList<>();
        fields.add(existing.get(targetName));
        for (String name : FeatureSchema.names()) {
            DataField field = existing.get(name);
            fields.add(
                    field != null ? field : new DataField(name, OpType.CONTINUOUS, DataType.FLOAT));
        }
        dictionary.getDataFields().clear();
        dictionary.getDataFields().addAll(fields);

        MiningSchema schema = model.requireMiningSchema();
        Map<String, MiningField> mining = new HashMap<>();
        for (MiningField field : schema.getMiningFields()) {
            mining.put(field.requireName(), field);
        }
        List<MiningField> miningFields = new ArrayList<>();
        miningFields.add(mining.get(targetName));
        for (String name : FeatureSchema.names()) {
            MiningField field = mining.get(name);
            miningFields.add(field != null ? field : new MiningField(name));
        }
        schema.getMiningFields().clear();
        schema.getMiningFields().addAll(miningFields);
    }
}
