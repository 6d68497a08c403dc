package io.propensity.models;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The XGBoost settings of the gradient-boosted model. Defaults suit the small logs in {@code
 * data/}: shallow trees, a modest learning rate, row and column subsampling (seeded, so
 * deterministic), one thread (OpenMP busy-waits on shared cores and makes training slower, not
 * faster).
 *
 * @param maxRounds the most boosting rounds
 * @param patience early stopping: rounds without a better early-stopping log loss before stopping
 * @param maxDepth tree depth
 * @param eta learning rate
 * @param subsample share of rows per tree
 * @param colsampleByTree share of features per tree
 * @param minChildWeight minimum hessian sum per leaf
 * @param lambda L2 regularisation of leaf weights
 * @param seed random seed of subsampling
 * @param threads XGBoost's nthread
 */
public record BoosterParameters(
        int maxRounds,
        int patience,
        int maxDepth,
        double eta,
        double subsample,
        double colsampleByTree,
        double minChildWeight,
        double lambda,
        long seed,
        int threads) {

    /** 400 rounds at most, patience 30, depth 4, eta 0.1, subsample 0.8, seed 42, 1 thread. */
    public static BoosterParameters defaults() {
        return new BoosterParameters(400, 30, 4, 0.1, 0.8, 0.8, 1.0, 1.0, 42, 1);
    }

    /** The same with another round limit (for quick runs). */
    public BoosterParameters withMaxRounds(int rounds) {
        return new BoosterParameters(
                rounds,
                patience,
                maxDepth,
                eta,
                subsample,
                colsampleByTree,
                minChildWeight,
                lambda,
                seed,
                threads);
    }

    /** The XGBoost parameter map of the GBM. */
    Map<String, Object> xgboost() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("booster", "gbtree");
        params.put("objective", "binary:logistic");
        params.put("tree_method", "hist");
        params.put("max_depth", maxDepth);
        params.put("eta", eta);
        params.put("subsample", subsample);
        params.put("colsample_bytree", colsampleByTree);
        params.put("min_child_weight", minChildWeight);
        params.put("lambda", lambda);
        params.put("eval_metric", "logloss");
        params.put("seed", seed);
        params.put("nthread", threads);
        params.put("verbosity", 0);
        return params;
    }
}
