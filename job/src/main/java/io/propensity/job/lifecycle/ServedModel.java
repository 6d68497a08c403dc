package io.propensity.job.lifecycle;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ModelInfo;
import io.propensity.scoring.ModelLoadException;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One model ready to serve in one slot of one instance: its scorer, its threshold, the top features
 * alerts report, and what alerts and score records say about it (name, version, arm). Immutable
 * once built; a swap replaces the whole object, so an event is always scored, judged and described
 * by one and the same model.
 */
public final class ServedModel {

    /** How many top features an alert carries. */
    public static final int TOP_FEATURES = 5;

    /** Scores computed on generated rows before a loaded model serves (JIT, caches). */
    static final int WARM_UP_ROWS = 2_000;

    private final ModelRole role;
    private final Arm arm;
    private final Scorer scorer;
    private final ModelInfo info;
    private final double threshold;
    private final String mode;
    private final double share;
    private final String[] topNames;
    private final int[] topIndexes;

    ServedModel(
            ModelRole role,
            Arm arm,
            ModelCard card,
            Scorer scorer,
            double threshold,
            String mode,
            double share) {
        this.role = role;
        this.arm = arm;
        this.scorer = scorer;
        this.info = scorer.info();
        this.threshold = threshold;
        this.mode = mode;
        this.share = share;
        List<String> top = card.topFeatures() == null ? List.of() : card.topFeatures();
        int n = Math.min(TOP_FEATURES, top.size());
        topNames = new String[n];
        topIndexes = new int[n];
        for (int i = 0; i < n; i++) {
            topNames[i] = top.get(i);
            topIndexes[i] = FeatureSchema.indexOf(top.get(i));
        }
    }

    /** A champion from the command line (or the jar): the model the job starts with. */
    public static ServedModel champion(
            ModelRole role, ModelCard card, Scorer scorer, double threshold) {
        return new ServedModel(role, Arm.CHAMPION, card, scorer, threshold, null, 0);
    }

    /**
     * Loads, checks and warms up a deployed model: the card, the PMML through {@link Scorers}
     * (contract, cross-check), then {@link #WARM_UP_ROWS} scores so the first live ones are not
     * slow.
     *
     * @throws ModelLoadException naming the source and the problem
     */
    public static ServedModel load(ModelDeployment deployment, ScorerKind kind)
            throws ModelLoadException {
        ModelCard card;
        try {
            card = ModelCommands.card(deployment.source(), deployment.card());
        } catch (RejectedModelException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
        Scorer scorer =
                Scorers.load(
                        new ByteArrayInputStream(
                                deployment.pmml().getBytes(StandardCharsets.UTF_8)),
                        deployment.source(),
                        card,
                        kind);
        warmUp(scorer);
        double threshold =
                deployment.threshold() != null ? deployment.threshold() : card.threshold().value();
        return new ServedModel(
                deployment.role(),
                deployment.arm(),
                card,
                scorer,
                threshold,
                deployment.mode(),
                deployment.share());
    }

    private static void warmUp(Scorer scorer) {
        SplittableRandom random = new SplittableRandom(7);
        double[] row = FeatureSchema.newVector();
        double sink = 0;
        for (int r = 0; r < WARM_UP_ROWS; r++) {
            for (int i = 0; i < row.length; i++) {
                // counts, seconds and ratios of every size, a quarter of them missing
                row[i] = random.nextInt(4) == 0 ? Double.NaN : random.nextDouble(0, 1e5);
            }
            sink += scorer.score(row);
        }
        if (Double.isInfinite(sink)) {
            // keeps the loop from being optimised away; a probability sum is never infinite
            throw new IllegalStateException("warm-up scores are not probabilities");
        }
    }

    /** The probability of the positive class. */
    public double score(double[] features) {
        return scorer.score(features);
    }

    /** The top features' values in {@code features}, in the card's order. */
    public double[] topValues(double[] features) {
        double[] values = new double[topIndexes.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = features[topIndexes[i]];
        }
        return values;
    }

    /** The card's top feature names (the first {@link #TOP_FEATURES}); a copy. */
    public String[] topNames() {
        return topNames.clone();
    }

    public ModelRole role() {
        return role;
    }

    public Arm arm() {
        return arm;
    }

    /** The scorer, for explanations (contributions) of the served score. */
    public Scorer scorer() {
        return scorer;
    }

    /** Name, version, scorer kind, source. */
    public ModelInfo info() {
        return info;
    }

    public String version() {
        return info.version();
    }

    /** Alerts fire at or above this score. */
    public double threshold() {
        return threshold;
    }

    /** For a challenger: {@link ModelDeployment#SHADOW} or {@link ModelDeployment#AB}. */
    public String mode() {
        return mode;
    }

    /** For an A/B challenger: the share of users it serves. */
    public double share() {
        return share;
    }

    /** Whether this is a challenger that only runs in shadow. */
    public boolean isShadow() {
        return ModelDeployment.SHADOW.equals(mode);
    }
}
