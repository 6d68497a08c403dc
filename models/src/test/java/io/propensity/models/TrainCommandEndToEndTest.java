package io.propensity.models;

import io.propensity.features.FeatureSchema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.OutputStreamAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Runs the real {@code train} command end to end, through picocli, on the Taobao tail slice (113
 * complete users, 9 days) with a 24 h purchase horizon and at most 20 boosting rounds, and checks
 * what a user sees and gets: progress on the console, the closing summary table, and the PMML,
 * model card (JSON and Markdown) and five plots side by side in the output folder.
 *
 * <p>The card's counts are checked against labels computed here straight from the CSV (not through
 * the features module or {@link TrainingExamples}), the PMML and the plots are read back with XML
 * and image decoders, and the printed table against the card.
 */
class TrainCommandEndToEndTest {

    // surefire runs in the module folder
    private static final Path DATA =
            Path.of("../data/taobao-userbehavior-tail/UserBehavior_tail.csv.gz");
    // the first user of a tail cut may miss the start of its history (see PROVENANCE.md)
    private static final String CUT_OFF_USER = "999477";
    private static final Duration HORIZON = Duration.ofHours(24);
    private static final int MAX_ROUNDS = 20;
    private static final String NAME = "purchase-intent";
    private static final Map<String, String> PLOTS =
            orderedMap(
                    "roc", NAME + ".roc.png",
                    "precision_recall", NAME + ".pr.png",
                    "calibration", NAME + ".calibration.png",
                    "feature_importance", NAME + ".importance.png",
                    "shap_importance", NAME + ".shap-importance.png");
    private static final List<String> MODELS = List.of("gbm", "one_feature_rule", "linear");
    private static final List<String> METRICS =
            List.of("roc_auc", "pr_auc", "log_loss", "brier", "ece");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+\\.\\d+");

    @TempDir static Path output;

    private static int status;
    private static String out;
    private static String err;
    private static JsonNode card;
    private static Truth truth;

    @BeforeAll
    static void train() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        PrintStream capturedErr = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        // log4j's console appender keeps the stream it started with, so the log lines (replay
        // counts, boosting rounds) are copied, in the console's layout, into the captured stderr
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = logging.getConfiguration().getRootLogger();
        ConsoleAppender console =
                root.getAppenders().values().stream()
                        .filter(ConsoleAppender.class::isInstance)
                        .map(ConsoleAppender.class::cast)
                        .filter(
                                appender ->
                                        appender.getTarget() == ConsoleAppender.Target.SYSTEM_ERR)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("the log does not go to stderr"));
        OutputStreamAppender copy =
                OutputStreamAppender.newBuilder()
                        .setName("captured-stderr")
                        .setLayout(console.getLayout())
                        .setTarget(capturedErr)
                        .build();
        copy.start();
        root.addAppender(copy, null, null);
        logging.updateLoggers();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(capturedErr);
        try {
            status =
                    new CommandLine(new TrainCommand())
                            .execute(
                                    "--input",
                                    DATA.toString(),
                                    "--format",
                                    "taobao",
                                    "--task",
                                    "purchase-intent",
                                    "--horizon",
                                    "24h",
                                    "--exclude-user",
                                    CUT_OFF_USER,
                                    "--max-rounds",
                                    String.valueOf(MAX_ROUNDS),
                                    "--patience",
                                    "5",
                                    "--output",
                                    output.toString());
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            root.removeAppender(copy.getName());
            logging.updateLoggers();
            copy.stop();
        }
        out = stdout.toString(StandardCharsets.UTF_8);
        err = stderr.toString(StandardCharsets.UTF_8);
        assertThat(status).as("exit code; stderr:%n%s", err).isZero();
        card = new ObjectMapper().readTree(output.resolve(NAME + ".card.json").toFile());
        truth = Truth.read(DATA, CUT_OFF_USER, HORIZON.toMillis());
    }

    @Test
    void shouldWriteThePmmlTheCardAndTheFivePlotsSideBySide() throws IOException {
        List<String> expected = new ArrayList<>(PLOTS.values());
        expected.addAll(List.of(NAME + ".pmml", NAME + ".card.json", NAME + ".card.md"));
        try (Stream<Path> files = Files.list(output)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
        Map<String, String> plots = new LinkedHashMap<>();
        card.at("/details/plots")
                .fields()
                .forEachRemaining(entry -> plots.put(entry.getKey(), entry.getValue().asText()));
        assertThat(plots).containsExactlyEntriesOf(PLOTS);
    }

    @Test
    void shouldPrintReplayAndBoostingRoundProgress() {
        int users = truth.users();
        assertThat(err).contains("replay 100%").contains(users + "/" + users + " users");
        assertThat(err)
                .containsPattern(
                        NAME + " round 0: \\[0\\] fit-logloss:[0-9.]+ stop-logloss:[0-9.]+");
        int kept = card.at("/details/parameters/rounds_kept").asInt();
        assertThat(err).contains(NAME + ": early stopping kept " + kept + " rounds");
        assertThat(err)
                .contains(
                        String.format(
                                Locale.ROOT,
                                "%d labelled examples (%d positive), %d censored",
                                truth.examples.size(),
                                truth.positives(truth.examples),
                                truth.censored));
    }

    @Test
    void shouldEndWithASummaryTableThatEqualsTheCardMetrics() {
        List<String> lines = out.lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines.get(0))
                .isEqualTo(
                        String.format(
                                Locale.ROOT,
                                "%s  version %s  task %s  horizon %s",
                                card.get("model_name").asText(),
                                card.get("model_version").asText(),
                                card.get("task").asText(),
                                card.get("horizon").asText()));
        assertThat(lines.get(1).split("\\s{2,}"))
                .containsExactly("validation", "ROC AUC", "PR AUC", "log loss", "Brier", "ECE");
        Map<String, List<String>> table = new LinkedHashMap<>();
        for (String line : lines.subList(2, 2 + MODELS.size())) {
            String[] cells = line.trim().split("\\s+");
            table.put(cells[0], List.of(cells).subList(1, cells.length));
        }
        assertThat(table.keySet()).containsExactlyElementsOf(MODELS);
        for (String model : MODELS) {
            JsonNode metrics = card.at("/details/validation_metrics/" + model);
            assertThat(table.get(model)).as(model).hasSize(METRICS.size());
            for (int i = 0; i < METRICS.size(); i++) {
                // printed to 4 decimals, the card keeps 6
                assertThat(Double.parseDouble(table.get(model).get(i)))
                        .as("%s %s", model, METRICS.get(i))
                        .isCloseTo(metrics.get(METRICS.get(i)).asDouble(), within(0.000051));
            }
        }
        assertThat(lines.get(2 + MODELS.size()))
                .isEqualTo(
                        String.format(
                                Locale.ROOT,
                                "threshold %.6f: %s",
                                card.at("/threshold/value").asDouble(),
                                card.at("/threshold/policy").asText()));
        assertThat(lines.get(3 + MODELS.size())).isEqualTo(card.at("/details/verdict").asText());
        assertThat(lines.get(4 + MODELS.size()))
                .isEqualTo(
                        "wrote "
                                + output.resolve(NAME + ".pmml")
                                + ", "
                                + output.resolve(NAME + ".card.json")
                                + ", "
                                + output.resolve(NAME + ".card.md"));
        assertThat(lines).hasSize(5 + MODELS.size());
    }

    @Test
    void shouldRenderTheSameMetricsInTheMarkdownCardAsInTheSummary() throws IOException {
        String markdown = Files.readString(output.resolve(NAME + ".card.md"));
        assertThat(markdown).startsWith("# Model card: " + NAME + "\n");
        Map<String, List<String>> printed = new LinkedHashMap<>();
        out.lines()
                .map(String::trim)
                .filter(line -> MODELS.contains(line.split("\\s+")[0]))
                .forEach(line -> printed.put(line.split("\\s+")[0], numbers(line)));
        String ruleFeature =
                card.at("/details/validation_metrics/one_feature_rule_feature").asText();
        Map<String, String> labels =
                orderedMap(
                        "gbm", "gbm",
                        "one_feature_rule", "one-feature rule (" + ruleFeature + ")",
                        "linear", "linear");
        for (String model : MODELS) {
            String row =
                    markdown.lines()
                            .filter(line -> line.startsWith("| " + labels.get(model) + " | "))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("no Markdown row of " + model));
            assertThat(numbers(row)).as(model).isEqualTo(printed.get(model));
        }
        Matcher image = Pattern.compile("!\\[(\\w+)]\\(([^)]+)\\)").matcher(markdown);
        Map<String, String> images = new LinkedHashMap<>();
        while (image.find()) {
            images.put(image.group(1), image.group(2));
        }
        assertThat(images).containsExactlyEntriesOf(PLOTS);
    }

    @Test
    void shouldCountRowsCensoringAndClassBalanceAsTheRawDataDoes() throws Exception {
        JsonNode data = card.at("/details/data");
        assertThat(data.at("/files/0/path").asText()).isEqualTo(DATA.toString());
        assertThat(data.at("/files/0/sha256").asText()).isEqualTo(sha256(Files.readAllBytes(DATA)));
        assertThat(data.at("/files/0/events").asLong()).isEqualTo(truth.lines);
        assertThat(data.get("events_kept").asLong()).isEqualTo(truth.kept);
        assertThat(data.get("events_of_excluded_users").asLong()).isEqualTo(truth.excluded);
        assertThat(data.get("users").asInt()).isEqualTo(truth.users());
        assertThat(data.get("bad_lines").asLong()).isZero();
        assertThat(card.at("/details/time_span/start").asText())
                .isEqualTo(Instant.ofEpochMilli(truth.start).toString());
        assertThat(card.at("/details/time_span/end").asText())
                .isEqualTo(Instant.ofEpochMilli(truth.end).toString());

        // every event is an example (none is a duplicate or late) unless censored
        JsonNode labels = card.at("/details/labels");
        assertThat(labels.get("events_not_applied").asLong()).isZero();
        assertThat(labels.get("examples").asLong()).isEqualTo(truth.examples.size());
        assertThat(labels.get("censored").asLong()).isEqualTo(truth.censored);
        assertThat(labels.get("examples").asLong() + labels.get("censored").asLong())
                .isEqualTo(truth.kept);
        assertBalance("labels", labels, truth.examples);

        // the time split, recounted from the examples and the card's cut
        JsonNode split = card.at("/details/split");
        long cut = Instant.parse(split.get("cut").asText()).toEpochMilli();
        List<Example> validation = new ArrayList<>();
        List<Example> training = new ArrayList<>();
        int purged = 0;
        for (Example example : truth.examples) {
            if (example.time >= cut) {
                validation.add(example);
            } else if (example.time + HORIZON.toMillis() > cut) {
                purged++;
            } else {
                training.add(example);
            }
        }
        assertThat(truth.examples).anyMatch(example -> example.time == cut);
        assertThat(validation.size() / (double) truth.examples.size())
                .isCloseTo(split.get("validation_fraction").asDouble(), within(0.005));
        assertThat(split.get("purged").asInt()).isEqualTo(purged);
        assertBalance("validation", split.get("validation"), validation);
        assertThat(split.at("/validation/from").asText())
                .isEqualTo(Instant.ofEpochMilli(validation.get(0).time).toString());
        JsonNode fit = split.get("train");
        JsonNode stopping = split.get("early_stopping");
        assertThat(fit.get("rows").asInt() + stopping.get("rows").asInt())
                .isEqualTo(training.size());
        assertThat(fit.get("positives").asLong() + stopping.get("positives").asLong())
                .isEqualTo(truth.positives(training));
        for (JsonNode part : List.of(fit, stopping)) {
            assertThat(part.get("positives").asLong() + part.get("negatives").asLong())
                    .isEqualTo(part.get("rows").asLong());
            assertThat(part.get("positive_rate").asDouble())
                    .isEqualTo(
                            Trainer.round(
                                    part.get("positives").asDouble() / part.get("rows").asInt()));
        }
        assertThat(
                        fit.get("rows").asInt()
                                + stopping.get("rows").asInt()
                                + split.at("/validation/rows").asInt()
                                + purged)
                .isEqualTo(truth.examples.size());
    }

    @Test
    void shouldStateTheVerdictAndThresholdTheCardNumbersSupport() {
        JsonNode metrics = card.at("/details/validation_metrics");
        JsonNode gbm = metrics.get("gbm");
        boolean beats = true;
        for (String baseline : List.of("one_feature_rule", "linear")) {
            JsonNode other = metrics.get(baseline);
            beats &= gbm.get("roc_auc").asDouble() > other.get("roc_auc").asDouble();
            beats &= gbm.get("pr_auc").asDouble() > other.get("pr_auc").asDouble();
            beats &= gbm.get("log_loss").asDouble() < other.get("log_loss").asDouble();
        }
        assertThat(card.at("/details/beats_baselines").asBoolean()).isEqualTo(beats);
        assertThat(card.at("/details/verdict").asText())
                .startsWith(beats ? "The GBM beats both" : "The GBM does NOT beat both");
        // the default policy, precision:0.5
        assertThat(card.at("/details/threshold_on_validation/policy_option").asText())
                .isEqualTo("precision:0.5");
        assertThat(card.at("/details/threshold_on_validation/validation_precision").asDouble())
                .isGreaterThanOrEqualTo(0.5);
        assertThat(card.at("/threshold/value").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void shouldExportAPmmlOfTheKeptRoundsOverTheDocumentedFeatures() throws Exception {
        Path pmml = output.resolve(NAME + ".pmml");
        assertThat(card.get("model_version").asText())
                .isEqualTo(sha256(Files.readAllBytes(pmml)).substring(0, 12));
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document document = factory.newDocumentBuilder().parse(pmml.toFile());
        assertThat(document.getDocumentElement().getLocalName()).isEqualTo("PMML");
        NodeList fields = document.getElementsByTagNameNS("*", "DataField");
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < fields.getLength(); i++) {
            String field = ((Element) fields.item(i)).getAttribute("name");
            if (!field.equals(card.get("task").asText())) {
                inputs.add(field);
            }
        }
        assertThat(inputs).containsExactlyElementsOf(FeatureSchema.names());
        List<String> cardFeatures = new ArrayList<>();
        card.get("feature_names").forEach(name -> cardFeatures.add(name.asText()));
        assertThat(cardFeatures).containsExactlyElementsOf(FeatureSchema.names());

        // binary:logistic: one tree per kept boosting round
        int kept = card.at("/details/parameters/rounds_kept").asInt();
        assertThat(kept).isBetween(1, MAX_ROUNDS);
        assertThat(card.at("/details/parameters/max_rounds").asInt()).isEqualTo(MAX_ROUNDS);
        assertThat(document.getElementsByTagNameNS("*", "TreeModel").getLength()).isEqualTo(kept);
    }

    @Test
    void shouldWritePlotsThatDecodeAsPngPictures() throws IOException {
        for (String file : PLOTS.values()) {
            BufferedImage image = ImageIO.read(output.resolve(file).toFile());
            assertThat(image).as(file).isNotNull();
            assertThat(image.getWidth()).as(file).isEqualTo(720);
            assertThat(image.getHeight()).as(file).isEqualTo(520);
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < image.getHeight(); y += 2) {
                for (int x = 0; x < image.getWidth(); x += 2) {
                    colours.add(image.getRGB(x, y));
                }
            }
            assertThat(colours).as("%s is not blank", file).hasSizeGreaterThan(2);
        }
    }

    private static void assertBalance(String what, JsonNode part, List<Example> examples) {
        long positives = truth.positives(examples);
        JsonNode rows = part.has("rows") ? part.get("rows") : part.get("examples");
        assertThat(rows.asLong()).as(what + " rows").isEqualTo(examples.size());
        assertThat(part.get("positives").asLong()).as(what + " positives").isEqualTo(positives);
        if (part.has("negatives")) {
            assertThat(part.get("negatives").asLong())
                    .as(what + " negatives")
                    .isEqualTo(examples.size() - positives);
        }
        assertThat(part.get("positive_rate").asDouble())
                .as(what + " positive rate")
                .isCloseTo(positives / (double) examples.size(), within(0.0000005));
    }

    private static List<String> numbers(String line) {
        List<String> found = new ArrayList<>();
        Matcher matcher = NUMBER.matcher(line);
        while (matcher.find()) {
            found.add(matcher.group());
        }
        return found;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** One purchase-intent example as the issue defines it: an event and its label. */
    private record Example(String user, long time, int label) {}

    /** The slice read and labelled here, straight from the CSV. */
    private static final class Truth {
        long lines;
        long kept;
        long excluded;
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        long censored;
        final Map<String, List<long[]>> eventsByUser = new LinkedHashMap<>();
        final List<Example> examples = new ArrayList<>();

        static Truth read(Path file, String excludedUser, long horizonMillis) throws IOException {
            Truth truth = new Truth();
            try (BufferedReader reader =
                    new BufferedReader(
                            new InputStreamReader(
                                    new GZIPInputStream(Files.newInputStream(file)),
                                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    // user_id,item_id,category_id,behavior_type,timestamp (seconds)
                    String[] cells = line.split(",");
                    assertThat(cells).as(line).hasSize(5);
                    truth.lines++;
                    if (cells[0].equals(excludedUser)) {
                        truth.excluded++;
                        continue;
                    }
                    long time = Long.parseLong(cells[4]) * 1000;
                    long purchase = cells[3].equals("buy") ? 1 : 0;
                    truth.eventsByUser
                            .computeIfAbsent(cells[0], user -> new ArrayList<>())
                            .add(new long[] {time, purchase});
                    truth.kept++;
                    truth.start = Math.min(truth.start, time);
                    truth.end = Math.max(truth.end, time);
                }
            }
            // label 1 when the same user buys strictly after the event and within the horizon;
            // left out (censored) when the horizon runs past the last event of the data
            truth.eventsByUser.forEach(
                    (user, events) -> {
                        for (long[] event : events) {
                            long windowEnd = event[0] + horizonMillis;
                            if (windowEnd > truth.end) {
                                truth.censored++;
                                continue;
                            }
                            boolean buys =
                                    events.stream()
                                            .anyMatch(
                                                    other ->
                                                            other[1] == 1
                                                                    && other[0] > event[0]
                                                                    && other[0] <= windowEnd);
                            truth.examples.add(new Example(user, event[0], buys ? 1 : 0));
                        }
                    });
            truth.examples.sort(Comparator.comparingLong(Example::time));
            return truth;
        }

        int users() {
            return eventsByUser.size();
        }

        long positives(List<Example> rows) {
            return rows.stream().filter(example -> example.label == 1).count();
        }
    }
}
