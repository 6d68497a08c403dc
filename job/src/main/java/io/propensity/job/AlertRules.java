package io.propensity.job;

import io.propensity.features.FeatureConfig;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.UserActivity;
import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ModelInfo;
import io.propensity.scoring.ModelLoadException;
import io.propensity.scoring.ScorerKind;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;

/**
 * Everything the per-user function needs to decide on alerts, resolved at start-up from the command
 * line and the model cards, and shipped with the job graph: the models, their thresholds, the
 * cooldown, the inactivity schedule and the features configuration.
 *
 * <p>Held as plain values (millis, strings) so it serializes with the job graph; {@link
 * #featureConfig()} and {@link #schedule()} rebuild the features module's types.
 */
public final class AlertRules implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AlertRules.class);

    /** How many features an alert's reasons list unless {@code --reasons} says otherwise. */
    public static final int DEFAULT_REASONS = 3;

    /** {@link #cooldownMillis()} value meaning "one purchase-intent alert per session". */
    public static final long COOLDOWN_SESSION = -1;

    private final ModelArtifact purchaseModel;
    private final ModelArtifact churnModel;
    private final ScorerKind scorerKind;
    private final double purchaseThreshold;
    private final double churnThreshold;
    private final long cooldownMillis;
    private final String inactivitySchedule;
    private final long sessionGapMillis;
    private final long allowedLatenessMillis;
    private final long retentionMillis;
    private final String zone;
    private final int reasons;
    private final int stateFormatVersion;

    /**
     * @param cooldownMillis the minimum time between two purchase-intent alerts of a user, or
     *     {@link #COOLDOWN_SESSION}
     */
    public AlertRules(
            ModelArtifact purchaseModel,
            ModelArtifact churnModel,
            ScorerKind scorerKind,
            double purchaseThreshold,
            double churnThreshold,
            long cooldownMillis,
            InactivitySchedule inactivitySchedule,
            FeatureConfig featureConfig) {
        this(
                purchaseModel,
                churnModel,
                scorerKind,
                purchaseThreshold,
                churnThreshold,
                cooldownMillis,
                inactivitySchedule,
                featureConfig,
                DEFAULT_REASONS);
    }

    /**
     * @param reasons how many features each alert's reasons list (the largest absolute
     *     contributions), 0 for none
     */
    public AlertRules(
            ModelArtifact purchaseModel,
            ModelArtifact churnModel,
            ScorerKind scorerKind,
            double purchaseThreshold,
            double churnThreshold,
            long cooldownMillis,
            InactivitySchedule inactivitySchedule,
            FeatureConfig featureConfig,
            int reasons) {
        this(
                purchaseModel,
                churnModel,
                scorerKind,
                purchaseThreshold,
                churnThreshold,
                cooldownMillis,
                inactivitySchedule,
                featureConfig,
                reasons,
                UserActivity.FORMAT_VERSION);
    }

    private AlertRules(
            ModelArtifact purchaseModel,
            ModelArtifact churnModel,
            ScorerKind scorerKind,
            double purchaseThreshold,
            double churnThreshold,
            long cooldownMillis,
            InactivitySchedule inactivitySchedule,
            FeatureConfig featureConfig,
            int reasons,
            int stateFormatVersion) {
        this.stateFormatVersion = stateFormatVersion;
        this.reasons = reasons;
        this.purchaseModel = purchaseModel;
        this.churnModel = churnModel;
        this.scorerKind = scorerKind;
        this.purchaseThreshold = purchaseThreshold;
        this.churnThreshold = churnThreshold;
        this.cooldownMillis = cooldownMillis;
        this.inactivitySchedule = inactivitySchedule.toString();
        this.sessionGapMillis = featureConfig.sessionGap().toMillis();
        this.allowedLatenessMillis = featureConfig.allowedLateness().toMillis();
        this.retentionMillis = featureConfig.retention().toMillis();
        this.zone = featureConfig.zone().getId();
    }

    /**
     * Resolves the rules from the command line and the model cards: reads both models (the paths
     * given, else the ones bundled in the jar), checks that they load and fit this job, and takes
     * the thresholds and the inactivity schedule from the cards unless overridden.
     *
     * @throws IllegalArgumentException naming the option and file at fault
     */
    public static AlertRules resolve(JobOptions options) {
        ModelArtifact purchase =
                artifact("--purchase-model", options.purchaseModel, "purchase-intent");
        ModelArtifact churn = artifact("--churn-model", options.churnModel, "churn-risk");
        ModelCard purchaseCard =
                validate("--purchase-model", purchase, ModelCard.PURCHASE_INTENT, options);
        ModelCard churnCard = validate("--churn-model", churn, ModelCard.CHURN_RISK, options);

        InactivitySchedule schedule = options.inactivitySchedule;
        if (schedule == null) {
            if (churnCard.inactivitySchedule() == null) {
                throw new IllegalArgumentException(
                        "--inactivity-schedule: not given, and the churn model card of "
                                + churn.source()
                                + " has no inactivity_schedule");
            }
            try {
                schedule = InactivitySchedule.parse(churnCard.inactivitySchedule());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--churn-model: inactivity_schedule of "
                                + churn.source()
                                + " is not valid: "
                                + e.getMessage(),
                        e);
            }
        }
        ZoneId zone = ZoneId.of("UTC");
        if (purchaseCard.featureConfig() != null && purchaseCard.featureConfig().zone() != null) {
            zone = ZoneId.of(purchaseCard.featureConfig().zone());
        }
        FeatureConfig featureConfig = options.featureConfig(zone);
        warnIfTrainedDifferently(purchase, purchaseCard, featureConfig);
        warnIfTrainedDifferently(churn, churnCard, featureConfig);

        double purchaseThreshold =
                options.purchaseThreshold != null
                        ? options.purchaseThreshold
                        : purchaseCard.threshold().value();
        double churnThreshold =
                options.churnThreshold != null
                        ? options.churnThreshold
                        : churnCard.threshold().value();
        long cooldown = options.cooldown == null ? COOLDOWN_SESSION : options.cooldown.toMillis();
        return new AlertRules(
                purchase,
                churn,
                options.scorer,
                purchaseThreshold,
                churnThreshold,
                cooldown,
                schedule,
                featureConfig,
                options.reasons,
                options.stateFormatVersion);
    }

    /**
     * The same rules, writing the per-user state in {@code version} of the {@link UserActivity}
     * format ({@code --state-format-version}): an older one keeps a rollback to the build that
     * reads only it possible.
     *
     * @throws IllegalArgumentException for a version this build cannot write
     */
    public AlertRules withStateFormatVersion(int version) {
        UserActivity.empty().toBytes(version);
        return new AlertRules(
                purchaseModel,
                churnModel,
                scorerKind,
                purchaseThreshold,
                churnThreshold,
                cooldownMillis,
                schedule(),
                featureConfig(),
                reasons,
                version);
    }

    private static ModelArtifact artifact(String option, java.nio.file.Path path, String bundled) {
        try {
            return path != null
                    ? ModelArtifact.fromFile(path)
                    : ModelArtifact.fromClasspath(bundled);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    private static ModelCard validate(
            String option, ModelArtifact artifact, String task, JobOptions options) {
        try {
            ModelInfo info = artifact.validate(task, options.scorer).info();
            ModelCard card = artifact.card();
            LOG.info(
                    "model {} version {} from {}: {} trees, {} scorer{}, threshold {} ({})",
                    info.name(),
                    info.version(),
                    artifact.source(),
                    info.trees(),
                    info.kind(),
                    info.fallbackReason() == null
                            ? ""
                            : " (fallback: " + info.fallbackReason() + ")",
                    card.threshold().value(),
                    card.threshold().policy());
            return card;
        } catch (ModelLoadException | IOException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    private static void warnIfTrainedDifferently(
            ModelArtifact artifact, ModelCard card, FeatureConfig config) {
        ModelCard.FeatureConfigCard trained = card.featureConfig();
        if (trained == null) {
            return;
        }
        check(artifact, "session_gap", "--session-gap", trained.sessionGap(), config.sessionGap());
        check(
                artifact,
                "allowed_lateness",
                "--allowed-lateness",
                trained.allowedLateness(),
                config.allowedLateness());
        check(artifact, "retention", "--retention", trained.retention(), config.retention());
    }

    private static void check(
            ModelArtifact artifact, String field, String option, String trained, Duration used) {
        if (trained == null) {
            return;
        }
        try {
            if (!io.propensity.features.Durations.parse(trained).equals(used)) {
                LOG.warn(
                        "{} is {} but {} was trained with {} {}: its features will differ from"
                                + " training",
                        option,
                        io.propensity.features.Durations.format(used),
                        artifact.source(),
                        field,
                        trained);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: card field {} '{}' is not a duration", artifact.source(), field, trained);
        }
    }

    public ModelArtifact purchaseModel() {
        return purchaseModel;
    }

    public ModelArtifact churnModel() {
        return churnModel;
    }

    public ScorerKind scorerKind() {
        return scorerKind;
    }

    /** Purchase-intent alerts fire at or above this score. */
    public double purchaseThreshold() {
        return purchaseThreshold;
    }

    /** Churn-risk alerts fire at or above this score. */
    public double churnThreshold() {
        return churnThreshold;
    }

    /** Minimum time between purchase-intent alerts of one user, or {@link #COOLDOWN_SESSION}. */
    public long cooldownMillis() {
        return cooldownMillis;
    }

    /** How many features each alert's reasons list. */
    public int reasons() {
        return reasons;
    }

    /** The {@link UserActivity} format version the per-user state is written in. */
    public int stateFormatVersion() {
        return stateFormatVersion;
    }

    /** When quiet users are checked for churn risk. */
    public InactivitySchedule schedule() {
        return InactivitySchedule.parse(inactivitySchedule);
    }

    /** The features configuration (session gap, allowed lateness, retention, zone). */
    public FeatureConfig featureConfig() {
        return new FeatureConfig(
                Duration.ofMillis(sessionGapMillis),
                Duration.ofMillis(allowedLatenessMillis),
                Duration.ofMillis(retentionMillis),
                ZoneId.of(zone));
    }
}
