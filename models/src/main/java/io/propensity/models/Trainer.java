package io.propensity.models;

import io.propensity.features.Durations;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ModelLoadException;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntConsumer;

/**
 * One training run, from event files to a gated PMML model with its model card and plots.
 *
 * <p>Steps: read the log; replay it through the features module and label it ({@link
 * TrainingExamples}); refuse if a class is too small; split by time ({@link TimeSplit}); boost with
 * early stopping; export PMML and pass the parity gate; score the two baselines on the same
 * validation rows; choose the threshold; write card and plots. The model version is the first 12
 * hex digits of the PMML's sha256, so the same data, parameters and code give the same version.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final int TOP_FEATURES = 10;

    private Trainer() {}

    /** What a run produced. */
    public record Result(
            ModelCard card,
            Path pmml,
            Path cardJson,
            Path cardMarkdown,
            Map<String, Metrics.MetricSet> validationMetrics,
            boolean beatsBaselines) {}

    /** A listener of replay progress: told the number of users done, out of the total. */
    public interface Progress {
        /** Called once before the replay. */
        IntConsumer replay(int users);

        /** No progress output. */
        Progress NONE = users -> done -> {};
    }

    /** Runs the training. */
    public static Result train(TrainingRequest request, Progress progress)
            throws IOException, XGBoostError, ModelLoadException {
        Files.createDirectories(request.outputDir());
        String name = request.modelName();

        // read and replay
        EventLog log =
                EventLog.read(
                        request.inputs(),
                        request.format(),
                        request.fromMillis(),
                        request.untilMillis(),
                        request.excludedUsers());
        LOG.info(
                "{}: {} events of {} users from {} to {}",
                name,
                log.events(),
                log.users(),
                Instant.ofEpochMilli(log.startMillis()),
                Instant.ofEpochMilli(log.endMillis()));
        TrainingExamples built =
                TrainingExamples.build(
                        log,
                        request.task(),
                        request.featureConfig(),
                        request.horizon(),
                        request.schedule(),
                        progress.replay(log.users()));
        ExampleSet examples = built.examples();
        int[] all = new int[examples.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        long positives = examples.positives(all);
        LOG.info(
                "{}: {} labelled examples ({} positive), {} censored",
                name,
                examples.size(),
                positives,
                built.censored());
        requireClasses("all labelled examples", examples.size(), positives, request);

        // split by time
        TimeSplit split =
                TimeSplit.of(
                        examples,
                        request.validationFraction(),
                        request.earlyStoppingFraction(),
                        request.booster().seed());
        int[] training = split.training();
        requireClasses(
                "training (before " + Instant.ofEpochMilli(split.cutMillis()) + ")",
                training.length,
                examples.positives(training),
                request);
        requireClasses(
                "validation (from " + Instant.ofEpochMilli(split.cutMillis()) + ")",
                split.validation().length,
                examples.positives(split.validation()),
                request);
        LOG.info(
                "{}: cut at {}: {} fit, {} early-stopping, {} validation, {} purged",
                name,
                Instant.ofEpochMilli(split.cutMillis()),
                split.fit().length,
                split.earlyStopping().length,
                split.validation().length,
                split.purged());

        // boost
        DMatrix fit = matrix(examples, split.fit());
        DMatrix stopping = matrix(examples, split.earlyStopping());
        DMatrix validation = matrix(examples, split.validation());
        Boosting.Trained trained =
                Boosting.train(
                        name,
                        request.booster().xgboost(),
                        fit,
                        stopping,
                        request.booster().maxRounds(),
                        request.booster().patience());
        Booster booster = trained.booster();
        double[] gbmScores = Boosting.predict(booster, validation);
        double[] gbmFitScores = Boosting.predict(booster, fit);

        // export and gate
        byte[] pmmlBytes =
                PmmlExport.toBytes(PmmlExport.toPmml(booster, name, request.task().cardTask()));
        String version = sha256(pmmlBytes).substring(0, 12);
        Path pmml = request.outputDir().resolve(name + ".pmml");
        Files.write(pmml, pmmlBytes);
        ParityGate.Result parity;
        try {
            parity = ParityGate.check(pmml, version, examples, split.validation(), gbmScores);
        } catch (RuntimeException | ModelLoadException e) {
            Files.deleteIfExists(pmml);
            throw e;
        }
        LOG.info(
                "{}: PMML {} version {} matches XGBoost on {} validation rows (max difference"
                        + " {})",
                name,
                pmml,
                version,
                parity.rows(),
                parity.maxAbsDifference());

        ExplanationGate.Result explained;
        try {
            explained =
                    ExplanationGate.check(
                            pmml, version, booster, validation, examples, split.validation());
        } catch (RuntimeException | ModelLoadException e) {
            Files.deleteIfExists(pmml);
            throw e;
        }
        LOG.info(
                "{}: TreeSHAP of the PMML matches XGBoost's predictContrib on {} validation rows"
                        + " (max difference {})",
                name,
                explained.rows(),
                explained.maxAbsDifference());

        // baselines on the same split
        int ruleFeature = request.task().ruleFeatureIndex();
        double[] ruleScores =
                OneFeatureRule.fit(examples, ruleFeature, training)
                        .score(examples, split.validation());
        double[] linearScores =
                LinearBaseline.fitAndScore(
                        examples,
                        split.fit(),
                        split.earlyStopping(),
                        split.validation(),
                        request.booster().seed(),
                        request.booster().threads(),
                        request.booster().maxRounds(),
                        request.booster().patience());

        int[] validationLabels = examples.labels(split.validation());
        Map<String, Metrics.MetricSet> metrics = new LinkedHashMap<>();
        metrics.put("gbm", Metrics.MetricSet.of(gbmScores, validationLabels));
        metrics.put("one_feature_rule", Metrics.MetricSet.of(ruleScores, validationLabels));
        metrics.put("linear", Metrics.MetricSet.of(linearScores, validationLabels));
        Metrics.MetricSet fitMetrics =
                Metrics.MetricSet.of(gbmFitScores, examples.labels(split.fit()));
        Verdict verdict = Verdict.of(metrics);
        ThresholdPolicy.Choice threshold =
                request.thresholdPolicy().choose(gbmScores, validationLabels);

        // importance, plots, card
        Map<String, Double> gain = gainImportance(booster);
        List<String> top =
                new ArrayList<>(gain.keySet()).subList(0, Math.min(TOP_FEATURES, gain.size()));
        Map<String, double[]> validationScores = new LinkedHashMap<>();
        validationScores.put("GBM", gbmScores);
        validationScores.put("rule: " + request.task().ruleFeature(), ruleScores);
        validationScores.put("linear", linearScores);
        Map<String, Double> shap = shapImportance(explained.meanAbsoluteContribution());
        Map<String, String> plots =
                Plots.write(
                        request.outputDir(), name, validationScores, validationLabels, gain, shap);

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("data", dataDetails(request, log));
        Map<String, Object> span = new LinkedHashMap<>();
        span.put("start", Instant.ofEpochMilli(log.startMillis()).toString());
        span.put("end", Instant.ofEpochMilli(log.endMillis()).toString());
        details.put("time_span", span);
        details.put("labels", labelDetails(request, built, examples.size(), positives));
        details.put("split", splitDetails(request, examples, split));
        Map<String, Object> parameters = new LinkedHashMap<>(request.booster().xgboost());
        parameters.put("max_rounds", request.booster().maxRounds());
        parameters.put("early_stopping_patience", request.booster().patience());
        parameters.put("rounds_kept", trained.rounds());
        parameters.put("early_stopping_logloss", round(trained.bestStoppingLogLoss()));
        details.put("parameters", parameters);
        details.put("seed", request.booster().seed());
        details.put("libraries", libraries());
        Map<String, Object> metricDetails = new LinkedHashMap<>();
        metrics.forEach((model, set) -> metricDetails.put(model, metricMap(set)));
        metricDetails.put("gbm_on_fit_rows", metricMap(fitMetrics));
        metricDetails.put("one_feature_rule_feature", request.task().ruleFeature());
        details.put("validation_metrics", metricDetails);
        details.put("beats_baselines", verdict.beatsBoth());
        details.put("verdict", verdict.text());
        Map<String, Object> thresholdDetails = new LinkedHashMap<>();
        thresholdDetails.put("policy_option", request.thresholdPolicy().toString());
        thresholdDetails.put("validation_precision", round(threshold.precision()));
        thresholdDetails.put("validation_recall", round(threshold.recall()));
        thresholdDetails.put(
                "validation_alert_rate", round(alertRate(gbmScores, threshold.threshold())));
        details.put("threshold_on_validation", thresholdDetails);
        Map<String, Object> gate = new LinkedHashMap<>();
        gate.put("rows", parity.rows());
        gate.put("max_abs_difference", parity.maxAbsDifference());
        gate.put("tolerance", ParityGate.TOLERANCE);
        gate.put("evaluator", "JPMML-Evaluator via io.propensity.scoring.Scorers");
        details.put("parity_gate", gate);
        Map<String, Object> importance = new LinkedHashMap<>();
        gain.forEach((feature, value) -> importance.put(feature, round(value)));
        details.put("gain_importance", importance);
        Map<String, Object> explanationGate = new LinkedHashMap<>();
        explanationGate.put("rows", explained.rows());
        explanationGate.put("max_abs_difference", explained.maxAbsDifference());
        explanationGate.put("tolerance", ExplanationGate.TOLERANCE);
        explanationGate.put(
                "reference", "xgboost4j Booster.predictContrib (TreeSHAP) on the validation rows");
        details.put("explanation_gate", explanationGate);
        Map<String, Object> shapDetails = new LinkedHashMap<>();
        shap.forEach((feature, value) -> shapDetails.put(feature, round(value)));
        details.put("shap_importance", shapDetails);
        details.put("plots", plots);
        if (request.dataNote() != null) {
            details.put("note", request.dataNote());
        }

        FeatureConfig config = request.featureConfig();
        ModelCard card =
                new ModelCard(
                        name,
                        version,
                        request.task().cardTask(),
                        FeatureSchema.VERSION,
                        FeatureSchema.names(),
                        new ModelCard.FeatureConfigCard(
                                Durations.format(config.sessionGap()),
                                Durations.format(config.allowedLateness()),
                                Durations.format(config.retention()),
                                config.zone().getId()),
                        Durations.format(request.horizon()),
                        request.schedule() == null ? null : request.schedule().toString(),
                        new ModelCard.Threshold(threshold.threshold(), threshold.policy()),
                        top,
                        details);
        Path cardJson = ModelCard.besidePmml(pmml);
        card.write(cardJson);
        Path cardMarkdown = request.outputDir().resolve(name + ".card.md");
        Files.writeString(cardMarkdown, ModelCardDocument.render(card, metrics, verdict));
        booster.dispose();
        fit.dispose();
        stopping.dispose();
        validation.dispose();
        LOG.info("{}: wrote {}, {} and {}", name, pmml, cardJson, cardMarkdown);
        return new Result(card, pmml, cardJson, cardMarkdown, metrics, verdict.beatsBoth());
    }

    /**
     * Whether the GBM beats both baselines on the validation set: a higher ROC AUC and PR AUC and a
     * lower log loss than each.
     */
    record Verdict(boolean beatsBoth, String text) {
        static Verdict of(Map<String, Metrics.MetricSet> metrics) {
            Metrics.MetricSet gbm = metrics.get("gbm");
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, Metrics.MetricSet> entry : metrics.entrySet()) {
                if (entry.getKey().equals("gbm")) {
                    continue;
                }
                Metrics.MetricSet baseline = entry.getValue();
                if (gbm.rocAuc() <= baseline.rocAuc()) {
                    lost.add("ROC AUC vs " + entry.getKey());
                }
                if (gbm.prAuc() <= baseline.prAuc()) {
                    lost.add("PR AUC vs " + entry.getKey());
                }
                if (gbm.logLoss() >= baseline.logLoss()) {
                    lost.add("log loss vs " + entry.getKey());
                }
            }
            if (lost.isEmpty()) {
                return new Verdict(
                        true,
                        "The GBM beats both baselines on ROC AUC, PR AUC and log loss on the"
                                + " validation set.");
            }
            return new Verdict(
                    false,
                    "The GBM does NOT beat both baselines: it is not better on "
                            + String.join(", ", lost)
                            + ". Prefer the simpler model or more data before relying on it.");
        }
    }

    private static void requireClasses(
            String what, long rows, long positives, TrainingRequest request) {
        long negatives = rows - positives;
        int min = request.minClassExamples();
        if (positives < min || negatives < min) {
            throw new InsufficientExamplesException(
                    String.format(
                            Locale.ROOT,
                            "refusing to train %s: %s has %d positive and %d negative examples,"
                                    + " fewer than the minimum of %d per class (lower it with"
                                    + " --min-class-examples, or use more data or a longer"
                                    + " horizon)",
                            request.modelName(),
                            what,
                            positives,
                            negatives,
                            min));
        }
    }

    private static DMatrix matrix(ExampleSet examples, int[] rows) throws XGBoostError {
        return Boosting.matrix(examples.matrix(rows), rows.length, examples.labels(rows));
    }

    /** Total gain per feature, highest first; features never split on are left out. */
    private static Map<String, Double> gainImportance(Booster booster) throws XGBoostError {
        Map<String, Double> gain =
                booster.getScore(FeatureSchema.names().toArray(new String[0]), "total_gain");
        Map<String, Double> sorted = new LinkedHashMap<>();
        gain.entrySet().stream()
                .sorted(
                        Map.Entry.<String, Double>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }

    /**
     * Mean absolute TreeSHAP contribution (log-odds) per feature over the validation rows, highest
     * first; features that never contribute are left out, as in the gain importance.
     */
    private static Map<String, Double> shapImportance(double[] meanAbsolute) {
        Map<String, Double> sorted = new LinkedHashMap<>();
        java.util.stream.IntStream.range(0, meanAbsolute.length)
                .filter(f -> meanAbsolute[f] > 0)
                .boxed()
                .sorted(
                        java.util.Comparator.<Integer>comparingDouble(f -> -meanAbsolute[f])
                                .thenComparing(f -> FeatureSchema.names().get(f)))
                .forEach(f -> sorted.put(FeatureSchema.names().get(f), meanAbsolute[f]));
        return sorted;
    }

    private static Map<String, Object> dataDetails(TrainingRequest request, EventLog log) {
        Map<String, Object> data = new LinkedHashMap<>();
        List<Map<String, Object>> files = new ArrayList<>();
        for (EventLog.DataFile file : log.files()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("path", file.path());
            entry.put("sha256", file.sha256());
            entry.put("events", file.events());
            entry.put("bad_lines", file.badLines());
            files.add(entry);
        }
        data.put("files", files);
        data.put("format", request.format().cliName());
        data.put(
                "window_from",
                request.fromMillis() == Long.MIN_VALUE
                        ? null
                        : Instant.ofEpochMilli(request.fromMillis()).toString());
        data.put(
                "window_until",
                request.untilMillis() == Long.MAX_VALUE
                        ? null
                        : Instant.ofEpochMilli(request.untilMillis()).toString());
        data.put("excluded_users", request.excludedUsers().stream().sorted().toList());
        data.put("events_kept", log.events());
        data.put("users", log.users());
        data.put("events_outside_window", log.outsideWindow());
        data.put("events_of_excluded_users", log.excludedUserEvents());
        data.put("bad_lines", log.badLines());
        return data;
    }

    private static Map<String, Object> labelDetails(
            TrainingRequest request, TrainingExamples built, int examples, long positives) {
        Map<String, Object> labels = new LinkedHashMap<>();
        String horizon = Durations.format(request.horizon());
        labels.put(
                "definition",
                request.task() == Task.PURCHASE_INTENT
                        ? "1 if the user purchases strictly after the event and at most "
                                + horizon
                                + " after it, else 0; one example per applied event"
                        : "1 if the user has no event in the "
                                + horizon
                                + " after an inactivity check, else 0; checks at "
                                + request.schedule()
                                + " after the user's latest event, while no event came since");
        labels.put("examples", examples);
        labels.put("positives", positives);
        labels.put("positive_rate", round(positives / (double) examples));
        labels.put("censored", built.censored());
        labels.put(
                "censoring",
                "examples whose label window runs past the end of the data are left out, never"
                        + " labelled 0");
        labels.put("events_not_applied", built.notApplied());
        return labels;
    }

    private static Map<String, Object> splitDetails(
            TrainingRequest request, ExampleSet examples, TimeSplit split) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("cut", Instant.ofEpochMilli(split.cutMillis()).toString());
        details.put("validation_fraction", request.validationFraction());
        details.put("early_stopping_fraction", request.earlyStoppingFraction());
        details.put(
                "rule",
                "training: examples whose label window ends at or before the cut; validation:"
                        + " examples at or after the cut; examples before the cut whose label"
                        + " window crosses it are purged; early stopping uses a seeded share of"
                        + " training-period users");
        details.put("purged", split.purged());
        details.put("train", part(examples, split.fit()));
        details.put("early_stopping", part(examples, split.earlyStopping()));
        details.put("validation", part(examples, split.validation()));
        return details;
    }

    private static Map<String, Object> part(ExampleSet examples, int[] rows) {
        Map<String, Object> part = new LinkedHashMap<>();
        long positives = examples.positives(rows);
        part.put("rows", rows.length);
        part.put("positives", positives);
        part.put("negatives", rows.length - positives);
        part.put(
                "positive_rate", rows.length == 0 ? null : round(positives / (double) rows.length));
        if (rows.length > 0) {
            long from = Long.MAX_VALUE;
            long to = Long.MIN_VALUE;
            for (int row : rows) {
                from = Math.min(from, examples.time(row));
                to = Math.max(to, examples.time(row));
            }
            part.put("from", Instant.ofEpochMilli(from).toString());
            part.put("to", Instant.ofEpochMilli(to).toString());
        }
        return part;
    }

    static Map<String, Object> metricMap(Metrics.MetricSet set) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("roc_auc", round(set.rocAuc()));
        map.put("pr_auc", round(set.prAuc()));
        map.put("log_loss", round(set.logLoss()));
        map.put("brier", round(set.brier()));
        map.put("ece", round(set.calibrationError()));
        return map;
    }

    private static Map<String, Object> libraries() {
        Properties versions = new Properties();
        try (InputStream in = Trainer.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> libraries = new LinkedHashMap<>();
        for (String key : List.of("xgboost4j", "jpmml-xgboost", "jpmml-evaluator", "propensity")) {
            libraries.put(key, versions.getProperty(key, "unknown"));
        }
        libraries.put("java", System.getProperty("java.specification.version"));
        return libraries;
    }

    private static double alertRate(double[] scores, double threshold) {
        long alerts = 0;
        for (double score : scores) {
            if (score >= threshold) {
                alerts++;
            }
        }
        return alerts / (double) scores.length;
    }

    /** Rounds to 6 decimals so cards read well and compare exactly across runs. */
    static double round(double value) {
        return Math.round(value * 1e6) / 1e6;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
