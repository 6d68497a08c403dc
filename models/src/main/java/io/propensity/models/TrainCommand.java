package io.propensity.models;

import io.propensity.features.Durations;
import io.propensity.features.FeatureConfig;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.io.EventFormat;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;

/**
 * The {@code train} command: event files in, a gated PMML model with its model card and plots out.
 * Prints progress (replay, boosting rounds) and ends with a summary table. Exit code 0 on success,
 * 2 when training is refused (too few examples, failed parity gate), 1 on other errors.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Trains a purchase-intent or churn-risk model from event files.")
public final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--input",
            required = true,
            split = ",",
            paramLabel = "FILE",
            description = "Event files (repeat or comma-separate); .gz is read transparently.")
    List<Path> inputs = new ArrayList<>();

    @Option(
            names = "--format",
            required = true,
            description = "Input format: rees46, taobao or json.",
            converter = FormatConverter.class)
    EventFormat format;

    @Option(
            names = "--task",
            required = true,
            description = "purchase-intent or churn-risk.",
            converter = TaskConverter.class)
    Task task;

    @Option(
            names = "--horizon",
            description =
                    "Purchase intent: purchase within (default 7d). Churn risk: no event within"
                            + " (default 7d). Examples: 1h, 24h, 3d.")
    String horizon = "7d";

    @Option(
            names = "--inactivity-schedule",
            description = "Churn checks after a user's latest event (default ${DEFAULT-VALUE}).")
    String schedule = "1d,2d,3d";

    @Option(names = "--output", required = true, description = "Output folder.")
    Path output;

    @Option(
            names = "--name",
            description =
                    "Model name and file base name (default: the task, e.g. purchase-intent).")
    String name;

    @Option(
            names = "--threshold-policy",
            description =
                    "precision:P (highest recall with precision >= P) or top:K% (default"
                            + " ${DEFAULT-VALUE}).")
    String thresholdPolicy = "precision:0.5";

    @Option(names = "--from", description = "Leave out events before this instant (ISO-8601).")
    Instant from;

    @Option(
            names = "--until",
            description =
                    "Leave out events at or after this instant (ISO-8601); also the end of the"
                            + " data for censoring (default: the last event).")
    Instant until;

    @Option(
            names = "--exclude-user",
            split = ",",
            description = "User ids to leave out (e.g. a history cut off by a slice).")
    List<String> excludedUsers = new ArrayList<>();

    @Option(
            names = "--min-class-examples",
            description = "Refuse with fewer examples per class (default ${DEFAULT-VALUE}).")
    int minClassExamples = 100;

    @Option(
            names = "--validation-fraction",
            description = "Latest share of examples for validation (default ${DEFAULT-VALUE}).")
    double validationFraction = 0.25;

    @Option(
            names = "--early-stopping-fraction",
            description =
                    "Share of training-period users held out for early stopping (default"
                            + " ${DEFAULT-VALUE}).")
    double earlyStoppingFraction = 0.2;

    @Option(
            names = "--max-rounds",
            description = "Most boosting rounds (default ${DEFAULT-VALUE}).")
    int maxRounds = BoosterParameters.defaults().maxRounds();

    @Option(
            names = "--patience",
            description = "Early stopping patience in rounds (default ${DEFAULT-VALUE}).")
    int patience = BoosterParameters.defaults().patience();

    @Option(names = "--max-depth", description = "Tree depth (default ${DEFAULT-VALUE}).")
    int maxDepth = BoosterParameters.defaults().maxDepth();

    @Option(names = "--eta", description = "Learning rate (default ${DEFAULT-VALUE}).")
    double eta = BoosterParameters.defaults().eta();

    @Option(
            names = "--min-child-weight",
            description = "Minimum hessian sum per leaf (default ${DEFAULT-VALUE}).")
    double minChildWeight = BoosterParameters.defaults().minChildWeight();

    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed = BoosterParameters.defaults().seed();

    @Option(
            names = "--threads",
            description =
                    "XGBoost threads (default ${DEFAULT-VALUE}; more busy-waits on shared cores).")
    int threads = 1;

    @Option(names = "--session-gap", description = "Features: session gap (default 30m).")
    String sessionGap = Durations.format(FeatureConfig.DEFAULT_SESSION_GAP);

    @Option(names = "--allowed-lateness", description = "Features: allowed lateness (default 10m).")
    String allowedLateness = Durations.format(FeatureConfig.DEFAULT_ALLOWED_LATENESS);

    @Option(names = "--retention", description = "Features: state retention (default 90d).")
    String retention = Durations.format(FeatureConfig.DEFAULT_RETENTION);

    @Option(names = "--zone", description = "Features: time zone of hour and day (default UTC).")
    String zone = "UTC";

    @Option(names = "--note", description = "A sentence for the card on the data and horizons.")
    String note;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        TrainingRequest request = request();
        return run(request, System.out, System.err);
    }

    /** Runs one request, printing progress to {@code err} and the summary to {@code out}. */
    static int run(TrainingRequest request, PrintStream out, PrintStream err) throws Exception {
        try {
            Trainer.Result result = Trainer.train(request, progressBar(err));
            out.print(summary(result));
            return 0;
        } catch (InsufficientExamplesException | ParityException e) {
            err.println("train: " + e.getMessage());
            return 2;
        }
    }

    TrainingRequest request() {
        FeatureConfig config =
                new FeatureConfig(
                        Durations.parse(sessionGap),
                        Durations.parse(allowedLateness),
                        Durations.parse(retention),
                        ZoneId.of(zone));
        BoosterParameters defaults = BoosterParameters.defaults();
        BoosterParameters booster =
                new BoosterParameters(
                        maxRounds,
                        patience,
                        maxDepth,
                        eta,
                        defaults.subsample(),
                        defaults.colsampleByTree(),
                        minChildWeight,
                        defaults.lambda(),
                        seed,
                        threads);
        Duration horizonDuration = Durations.parse(horizon);
        return new TrainingRequest(
                inputs,
                format,
                task,
                name == null ? task.modelName() : name,
                horizonDuration,
                task == Task.CHURN_RISK ? InactivitySchedule.parse(schedule) : null,
                config,
                from == null ? Long.MIN_VALUE : from.toEpochMilli(),
                until == null ? Long.MAX_VALUE : until.toEpochMilli(),
                java.util.Set.copyOf(excludedUsers),
                ThresholdPolicy.parse(thresholdPolicy),
                output,
                minClassExamples,
                validationFraction,
                earlyStoppingFraction,
                booster,
                note);
    }

    static Trainer.Progress progressBar(PrintStream err) {
        return users -> {
            ProgressBar bar =
                    new ProgressBarBuilder()
                            .setTaskName("replay")
                            .setInitialMax(users)
                            .setUnit(" users", 1)
                            .setStyle(ProgressBarStyle.ASCII)
                            .setUpdateIntervalMillis(1000)
                            .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err))
                            .build();
            return new IntConsumer() {
                @Override
                public void accept(int done) {
                    bar.stepTo(done);
                    if (done == users) {
                        bar.close();
                    }
                }
            };
        };
    }

    /** The closing table: metrics of the model and its baselines, threshold, files. */
    static String summary(Trainer.Result result) {
        StringBuilder text = new StringBuilder();
        text.append(
                String.format(
                        Locale.ROOT,
                        "%n%s  version %s  task %s  horizon %s%n",
                        result.card().modelName(),
                        result.card().modelVersion(),
                        result.card().task(),
                        result.card().horizon()));
        text.append(
                String.format(
                        Locale.ROOT,
                        "%-20s %8s %8s %9s %8s %8s%n",
                        "validation",
                        "ROC AUC",
                        "PR AUC",
                        "log loss",
                        "Brier",
                        "ECE"));
        for (Map.Entry<String, Metrics.MetricSet> entry : result.validationMetrics().entrySet()) {
            Metrics.MetricSet set = entry.getValue();
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%-20s %8.4f %8.4f %9.4f %8.4f %8.4f%n",
                            entry.getKey(),
                            set.rocAuc(),
                            set.prAuc(),
                            set.logLoss(),
                            set.brier(),
                            set.calibrationError()));
        }
        text.append(
                String.format(
                        Locale.ROOT,
                        "threshold %.6f: %s%n%s%n",
                        result.card().threshold().value(),
                        result.card().threshold().policy(),
                        result.card().details().get("verdict")));
        text.append(
                String.format(
                        Locale.ROOT,
                        "wrote %s, %s, %s%n",
                        result.pmml(),
                        result.cardJson(),
                        result.cardMarkdown()));
        return text.toString();
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<EventFormat> {
        @Override
        public EventFormat convert(String value) {
            return EventFormat.fromName(value);
        }
    }

    static final class TaskConverter implements CommandLine.ITypeConverter<Task> {
        @Override
        public Task convert(String value) {
            return Task.parse(value);
        }
    }
}
