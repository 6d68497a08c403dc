package io.propensity.models;

import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The linear baseline: logistic regression on the same features, fitted by XGBoost's {@code
 * gblinear} booster (coordinate descent, deterministic) with the same early stopping as the GBM.
 *
 * <p>Features are standardised with the fit rows' mean and standard deviation, and a missing value
 * becomes the mean (0 after standardising): a linear model has no other way to read NaN. Features
 * that never vary on the fit rows are set to 0.
 */
final class LinearBaseline {

    private final double[] means;
    private final double[] scales;

    private LinearBaseline(double[] means, double[] scales) {
        this.means = means;
        this.scales = scales;
    }

    /** Fits the baseline and returns its scores on {@code scored}. */
    static double[] fitAndScore(
            ExampleSet examples,
            int[] fit,
            int[] stopping,
            int[] scored,
            long seed,
            int threads,
            int maxRounds,
            int patience)
            throws XGBoostError {
        LinearBaseline scaling = standardiser(examples, fit);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("booster", "gblinear");
        params.put("objective", "binary:logistic");
        params.put("updater", "coord_descent");
        params.put("eta", 0.3);
        params.put("lambda", 1.0);
        params.put("eval_metric", "logloss");
        params.put("seed", seed);
        params.put("nthread", threads);
        params.put("verbosity", 0);
        DMatrix fitMatrix = scaling.matrix(examples, fit);
        DMatrix stoppingMatrix = scaling.matrix(examples, stopping);
        DMatrix scoredMatrix = scaling.matrix(examples, scored);
        Boosting.Trained trained =
                Boosting.train(
                        "linear baseline", params, fitMatrix, stoppingMatrix, maxRounds, patience);
        try {
            return Boosting.predict(trained.booster(), scoredMatrix);
        } finally {
            trained.booster().dispose();
            fitMatrix.dispose();
            stoppingMatrix.dispose();
            scoredMatrix.dispose();
        }
    }

    private static LinearBaseline standardiser(ExampleSet examples, int[] rows) {
        int width = examples.width();
        double[] means = new double[width];
        double[] scales = new double[width];
        for (int f = 0; f < width; f++) {
            double sum = 0;
            double sumSquares = 0;
            long count = 0;
            for (int row : rows) {
                float value = examples.feature(row, f);
                if (!Float.isNaN(value)) {
                    sum += value;
                    sumSquares += (double) value * value;
                    count++;
                }
            }
            double mean = count == 0 ? 0 : sum / count;
            double variance = count == 0 ? 0 : Math.max(sumSquares / count - mean * mean, 0);
            means[f] = mean;
            scales[f] = variance > 0 ? Math.sqrt(variance) : 0;
        }
        return new LinearBaseline(means, scales);
    }

    private DMatrix matrix(ExampleSet examples, int[] rows) throws XGBoostError {
        float[] values = examples.matrix(rows);
        int width = examples.width();
        for (int i = 0; i < values.length; i++) {
            int f = i % width;
            float value = values[i];
            values[i] =
                    Float.isNaN(value) || scales[f] == 0
                            ? 0f
                            : (float) ((value - means[f]) / scales[f]);
        }
        return Boosting.matrix(values, rows.length, examples.labels(rows));
    }
}
