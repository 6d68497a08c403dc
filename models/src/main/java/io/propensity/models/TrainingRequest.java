package io.propensity.models;

import io.propensity.features.FeatureConfig;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.io.EventFormat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one training run needs; the train command and the default models build one.
 *
 * @param inputs event files
 * @param format their format
 * @param task what to predict
 * @param modelName file base name and PMML model name
 * @param horizon purchase intent: purchase within; churn risk: no event within
 * @param schedule churn checks after a user's latest event (churn risk only, else null)
 * @param featureConfig the features module configuration, as the job will use it
 * @param fromMillis first event time kept, or {@link Long#MIN_VALUE}
 * @param untilMillis end of the data (exclusive), or {@link Long#MAX_VALUE} for the last event
 * @param excludedUsers users left out (for example cut-off histories)
 * @param thresholdPolicy how to choose the alert threshold
 * @param outputDir where the PMML, card and plots go
 * @param minClassExamples refuse to train with fewer examples of a class in training or validation
 * @param validationFraction share of examples, latest first, for validation
 * @param earlyStoppingFraction share of training-period users held out for early stopping
 * @param booster XGBoost settings
 * @param dataNote a sentence for the card on why these data and horizons, or null
 */
public record TrainingRequest(
        List<Path> inputs,
        EventFormat format,
        Task task,
        String modelName,
        Duration horizon,
        InactivitySchedule schedule,
        FeatureConfig featureConfig,
        long fromMillis,
        long untilMillis,
        Set<String> excludedUsers,
        ThresholdPolicy thresholdPolicy,
        Path outputDir,
        int minClassExamples,
        double validationFraction,
        double earlyStoppingFraction,
        BoosterParameters booster,
        String dataNote) {

    public TrainingRequest {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(horizon, "horizon");
        Objects.requireNonNull(featureConfig, "featureConfig");
        Objects.requireNonNull(thresholdPolicy, "thresholdPolicy");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(booster, "booster");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no input files");
        }
        if (task == Task.CHURN_RISK && schedule == null) {
            throw new IllegalArgumentException("churn risk needs an inactivity schedule");
        }
        if (horizon.isNegative() || horizon.isZero()) {
            throw new IllegalArgumentException("horizon must be positive, was " + horizon);
        }
        excludedUsers = Set.copyOf(excludedUsers);
    }

    /** The same request with another output folder and booster settings (tests). */
    public TrainingRequest with(Path output, BoosterParameters parameters) {
        return new TrainingRequest(
                inputs,
                format,
                task,
                modelName,
                horizon,
                schedule,
                featureConfig,
                fromMillis,
                untilMillis,
                excludedUsers,
                thresholdPolicy,
                output,
                minClassExamples,
                validationFraction,
                earlyStoppingFraction,
                parameters,
                dataNote);
    }
}
