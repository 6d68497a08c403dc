package io.propensity.models;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ExplanationMethod;
import io.propensity.scoring.ModelLoadException;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The explanation gate: the PMML file, loaded from disk by the compiled scorer the job uses, must
 * explain every row with TreeSHAP, and its contributions and expected value must equal XGBoost's
 * own {@code predictContrib} within {@link #TOLERANCE}. Also yields the mean absolute contribution
 * per feature over those rows, the model card's SHAP importance.
 */
final class ExplanationGate {

    /** Largest accepted absolute difference of a contribution or the expected value (log-odds). */
    static final double TOLERANCE = 1e-5;

    private ExplanationGate() {}

    /**
     * What the gate saw.
     *
     * @param meanAbsoluteContribution per feature, in FeatureSchema order
     */
    record Result(int rows, double maxAbsDifference, double[] meanAbsoluteContribution) {}

    /**
     * Explains {@code rows} of {@code examples} (the rows of {@code matrix}, in order) with the
     * PMML and with the booster.
     *
     * @throws ParityException naming the worst row and feature when they differ, or when the PMML
     *     has no record counts
     */
    static Result check(
            Path pmml,
            String version,
            Booster booster,
            DMatrix matrix,
            ExampleSet examples,
            int[] rows)
            throws ModelLoadException, XGBoostError {
        Scorer scorer = Scorers.load(pmml, version, ScorerKind.COMPILED);
        if (scorer.explanationMethod() != ExplanationMethod.TREE_SHAP) {
            throw new ParityException(
                    pmml
                            + " is explained by "
                            + scorer.explanationMethod().wireName()
                            + ", not tree_shap: are the node covers missing?");
        }
        float[][] expected = booster.predictContrib(matrix, 0);
        int features = FeatureSchema.size();
        double[] contributions = new double[features];
        double[] meanAbsolute = new double[features];
        double worst = 0;
        String worstWhere = "";
        for (int r = 0; r < rows.length; r++) {
            double bias = scorer.contributions(examples.vector(rows[r]), contributions);
            for (int f = 0; f <= features; f++) {
                double ours = f < features ? contributions[f] : bias;
                double difference = Math.abs(ours - expected[r][f]);
                if (!(difference <= worst)) {
                    worst = difference;
                    worstWhere =
                            String.format(
                                    Locale.ROOT,
                                    "row %d (user %s, time %d) %s: %.7f in PMML, %.7f in XGBoost",
                                    r,
                                    examples.userId(rows[r]),
                                    examples.time(rows[r]),
                                    f < features ? FeatureSchema.names().get(f) : "expected value",
                                    ours,
                                    expected[r][f]);
                }
            }
            for (int f = 0; f < features; f++) {
                meanAbsolute[f] += Math.abs(contributions[f]) / rows.length;
            }
        }
        if (!(worst <= TOLERANCE)) {
            throw new ParityException(
                    String.format(
                            Locale.ROOT,
                            "%s explanations do not match XGBoost's predictContrib: %s"
                                    + " (difference %.3g > %.0g)",
                            pmml,
                            worstWhere,
                            worst,
                            TOLERANCE));
        }
        return new Result(rows.length, worst, meanAbsolute);
    }
}
