package io.propensity.bench;

import io.propensity.features.FeatureSchema;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.dmg.pmml.PMML;
import org.jpmml.model.PMMLUtil;
import org.jpmml.xgboost.FeatureMap;
import org.jpmml.xgboost.HasXGBoostOptions;
import org.jpmml.xgboost.Learner;
import org.jpmml.xgboost.XGBoostUtil;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the scoring benchmark's model: XGBoost (xgboost4j, one thread) binary:logistic, 200 trees
 * of depth 6, on generated rows over the 40 {@link FeatureSchema} features (a sixth of the recency
 * and ratio features missing), exported to PMML with JPMML-XGBoost the way the models module does
 * (compact, float inputs, NaN as missing). The file is written once under {@code
 * bench/target/scoring/} and reused; it is never committed.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.propensity.bench.ScoringModelGenerator</pre>
 */
public final class ScoringModelGenerator {

    /** Where the benchmark model is written, relative to the repository root. */
    public static final Path DEFAULT_PATH = Path.of("bench/target/scoring/generated-200x6.pmml");

    static final int ROWS = 20_000;
    static final int TREES = 200;
    static final int DEPTH = 6;

    private ScoringModelGenerator() {}

    public static void main(String[] args) throws Exception {
        Path path = args.length > 0 ? Path.of(args[0]) : DEFAULT_PATH;
        Files.deleteIfExists(path);
        System.out.println("wrote " + ensure(path));
    }

    /** The model file, trained and written first if it does not exist yet. */
    public static Path ensure(Path path) throws IOException, XGBoostError {
        if (Files.exists(path)) {
            return path;
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        PMML pmml = toPmml(train());
        Path partial = path.resolveSibling(path.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            PMMLUtil.marshal(pmml, out);
        } catch (jakarta.xml.bind.JAXBException e) {
            throw new IOException("cannot write " + path + ": " + e.getMessage(), e);
        }
        Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING);
        return path;
    }

    /** Rows of generated features, NaN for missing, as the feature vector would hold them. */
    public static double[][] rows(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = FeatureSchema.size();
        double[][] rows = new double[count][n];
        for (double[] row : rows) {
            for (int f = 0; f < n; f++) {
                String unit = FeatureSchema.features().get(f).unit();
                boolean sometimesMissing = unit.equals("ratio") || unit.equals("seconds");
                if (sometimesMissing && random.nextInt(6) == 0) {
                    row[f] = Double.NaN;
                } else if (unit.equals("ratio")) {
                    row[f] = random.nextDouble();
                } else if (unit.equals("seconds")) {
                    row[f] = Math.floor(Math.exp(random.nextDouble(0, 14)));
                } else {
                    row[f] = Math.floor(Math.exp(random.nextDouble(0, 4))) - 1;
                }
            }
        }
        return rows;
    }

    private static Booster train() throws XGBoostError {
        double[][] rows = rows(ROWS, 42);
        int n = FeatureSchema.size();
        float[] data = new float[ROWS * n];
        float[] labels = new float[ROWS];
        SplittableRandom random = new SplittableRandom(7);
        for (int r = 0; r < ROWS; r++) {
            double[] row = rows[r];
            for (int f = 0; f < n; f++) {
                data[r * n + f] = (float) row[f];
            }
            // a label that depends on several features, with interactions and noise
            double carts = row[FeatureSchema.CART_COUNT_24H];
            double views = row[FeatureSchema.VIEW_COUNT_24H];
            double since = row[FeatureSchema.SECONDS_SINCE_LAST_CART];
            double ratio = row[FeatureSchema.VIEW_TO_CART_RATIO_7D];
            double margin =
                    -1.5
                            + 0.6 * Math.log1p(carts)
                            + 0.2 * Math.log1p(views)
                            + (Double.isNaN(since) ? -0.5 : -0.1 * Math.log1p(since) + 0.8)
                            + (Double.isNaN(ratio) ? 0 : ratio - 0.5)
                            + 0.3
                                    * Math.sin(
                                            row[FeatureSchema.HOUR_OF_DAY]
                                                    + row[FeatureSchema.SESSIONS_7D])
                            + random.nextDouble(-1.5, 1.5);
            labels[r] = margin > 0 ? 1f : 0f;
        }
        DMatrix train = new DMatrix(data, ROWS, n, Float.NaN);
        train.setLabel(labels);
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "binary:logistic");
        params.put("max_depth", DEPTH);
        params.put("eta", 0.1);
        params.put("min_child_weight", 1);
        params.put("nthread", 1);
        params.put("seed", 1);
        return XGBoost.train(train, params, TREES, new HashMap<>(), null, null);
    }

    private static PMML toPmml(Booster booster) throws IOException, XGBoostError {
        Learner learner =
                XGBoostUtil.loadLearner(new ByteArrayInputStream(booster.toByteArray("json")));
        FeatureMap featureMap = new FeatureMap();
        for (String name : FeatureSchema.names()) {
            featureMap.addEntry(name, "q");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put(HasXGBoostOptions.OPTION_COMPACT, Boolean.TRUE);
        options.put(HasXGBoostOptions.OPTION_INPUT_FLOAT, Boolean.TRUE);
        options.put(HasXGBoostOptions.OPTION_MISSING, null);
        PMML pmml = learner.encodePMML(options, "purchase", List.of("0", "1"), featureMap);
        pmml.getModels().get(0).setModelName("generated-200x6");
        return pmml;
    }
}
