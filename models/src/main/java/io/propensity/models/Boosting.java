package io.propensity.models;

import io.propensity.features.FeatureSchema;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs XGBoost boosting rounds with early stopping, one round at a time so progress can be
 * reported, and returns a booster with exactly the rounds that early stopping chose.
 *
 * <p>The chosen booster is trained a second time with that many rounds rather than truncated: with
 * one thread and a fixed seed XGBoost is deterministic, so the second run repeats the first rounds
 * exactly, and the saved model (hence the PMML) holds no unused trees.
 */
final class Boosting {

    private static final Logger LOG = LoggerFactory.getLogger(Boosting.class);

    private Boosting() {}

    /** A trained booster and the rounds it kept. */
    record Trained(Booster booster, int rounds, double bestStoppingLogLoss) {}

    /** A DMatrix of the rows, NaN as missing, named FeatureSchema columns. */
    static DMatrix matrix(float[] rowMajor, int rows, int[] labels) throws XGBoostError {
        DMatrix matrix = new DMatrix(rowMajor, rows, FeatureSchema.size(), Float.NaN);
        float[] floatLabels = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            floatLabels[i] = labels[i];
        }
        matrix.setLabel(floatLabels);
        matrix.setFeatureNames(FeatureSchema.names().toArray(new String[0]));
        // "q" (quantitative) for every feature: the saved model then carries names and types,
        // which JPMML-XGBoost needs to name the PMML inputs
        String[] types = new String[FeatureSchema.size()];
        java.util.Arrays.fill(types, "q");
        matrix.setFeatureTypes(types);
        return matrix;
    }

    /**
     * Boosts on {@code fit}, watching the log loss on {@code stopping}, for at most {@code
     * maxRounds}; stops after {@code patience} rounds without improvement.
     *
     * @param label names the model in progress lines
     */
    static Trained train(
            String label,
            Map<String, Object> params,
            DMatrix fit,
            DMatrix stopping,
            int maxRounds,
            int patience)
            throws XGBoostError {
        Booster booster = XGBoost.train(fit, params, 0, new HashMap<>(), null, null);
        DMatrix[] watched = {fit, stopping};
        String[] names = {"fit", "stop"};
        double best = Double.POSITIVE_INFINITY;
        int bestRound = 0;
        for (int round = 0; round < maxRounds; round++) {
            booster.update(fit, round);
            String evaluation = booster.evalSet(watched, names, round);
            double stopLoss = metric(evaluation, "stop-logloss");
            if (stopLoss < best) {
                best = stopLoss;
                bestRound = round;
            }
            if (round % 25 == 0 || round - bestRound >= patience) {
                LOG.info("{} round {}: {}", label, round, evaluation.replace('\t', ' '));
            }
            if (round - bestRound >= patience) {
                break;
            }
        }
        booster.dispose();
        int rounds = bestRound + 1;
        LOG.info(
                "{}: early stopping kept {} rounds (stop-logloss {})",
                label,
                rounds,
                String.format(java.util.Locale.ROOT, "%.5f", best));
        Booster kept = XGBoost.train(fit, params, rounds, new HashMap<>(), null, null);
        return new Trained(kept, rounds, best);
    }

    /** Reads one metric from XGBoost's evaluation line ({@code [3]\tfit-logloss:0.5\t...}). */
    static double metric(String evaluation, String name) {
        for (String part : evaluation.split("\t")) {
            if (part.startsWith(name + ":")) {
                return Double.parseDouble(part.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException(
                "no " + name + " in XGBoost evaluation '" + evaluation + "'");
    }

    /** Scores every row with the booster: the probabilities, widened to double. */
    static double[] predict(Booster booster, DMatrix matrix) throws XGBoostError {
        float[][] predictions = booster.predict(matrix);
        double[] out = new double[predictions.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = predictions[i][0];
        }
        return out;
    }
}
