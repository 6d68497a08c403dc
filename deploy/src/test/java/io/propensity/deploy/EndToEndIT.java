package io.propensity.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's quick start, end to end, with real processes: {@code deploy/quickstart.sh} builds
 * nothing (the reactor already did), starts the Kafka broker and the standalone Flink cluster,
 * submits the job's shaded jar with its default models and thresholds, replays its default file
 * (the Taobao tail slice of data/, sorted by time) as fast as possible and prints the summary. The
 * test then checks, independently of the scripts, through Flink's REST API that the job is RUNNING
 * and its source read exactly the events replayed, reads the alerts back from Kafka (both types, as
 * the README promises), and finally runs {@code deploy/bin/stop.sh} and checks that no process is
 * left.
 *
 * <p>It uses its own work folder (deploy/.work/e2e) and free ports, so a local quick start that is
 * running is not disturbed. Every wait is bounded; on failure the message carries the script's
 * output and the tails of the service logs.
 */
class EndToEndIT {

    private static final Path REPO = DeployPaths.repository();
    private static final Path WORK = REPO.resolve("deploy/.work/e2e");
    private static final Path DATA =
            REPO.resolve("data/taobao-userbehavior-tail/UserBehavior_tail.csv.gz");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A line of the alert printer: see {@link AlertLine}. */
    private static final Pattern ALERT_LINE =
            Pattern.compile(
                    "^\\S+Z (purchase_intent|churn_risk) user \\S+ score (\\d+\\.\\d{3})"
                            + " \\(threshold (\\d+\\.\\d{3})\\) \\S+@\\S+"
                            + " (?:after \\S+|on inactivity check) \\| reasons: (.+)$",
                    Pattern.MULTILINE);

    /** One reason of an alert line: a feature, its value and its signed contribution. */
    private static final String REASON = "[a-z0-9_]+=\\S+ \\([+-]\\d+\\.\\d{3}\\)";

    private static final List<String> ALERT_FIELDS =
            List.of(
                    "alert_id",
                    "type",
                    "user_id",
                    "score",
                    "threshold",
                    "model_name",
                    "model_version",
                    "arm",
                    "trigger",
                    "event_time",
                    "emitted_at",
                    "reasons");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> environment = new HashMap<>();
    private String restUrl;
    private String bootstrapServers;

    @Test
    @Timeout(value = 290, unit = TimeUnit.SECONDS)
    void shouldRunTheQuickstartOnRealDataThenStopWithoutLeavingAProcess() throws Exception {
        int kafkaPort = freePort();
        int restPort = freePort();
        environment.put("PROPENSITY_WORK_DIR", WORK.toString());
        environment.put("PROPENSITY_KAFKA_PORT", Integer.toString(kafkaPort));
        environment.put("PROPENSITY_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        environment.put("PROPENSITY_FLINK_REST_PORT", Integer.toString(restPort));
        environment.put("PROPENSITY_FLINK_RPC_PORT", Integer.toString(freePort()));
        String jobJar = System.getProperty("propensity.e2e.jobJar");
        if (jobJar != null && !jobJar.isBlank()) {
            environment.put("PROPENSITY_JOB_JAR", jobJar); // a stand-in job, for local checks
        }
        restUrl = "http://127.0.0.1:" + restPort;
        bootstrapServers = "127.0.0.1:" + kafkaPort;

        List<ProcessHandle> leftovers;
        ScriptRun stop;
        try {
            ScriptRun quickstart =
                    runScript(
                            Duration.ofSeconds(210),
                            "deploy/quickstart.sh",
                            "--skip-build",
                            "--speed-up",
                            "0");
            // into the failsafe report, for whoever reads a CI log
            System.out.println(quickstart.output());
            assertThat(quickstart.exitCode()).as(diagnostics(quickstart)).isZero();
            checkRun(quickstart);
        } finally {
            stop = runScript(Duration.ofSeconds(100), "deploy/bin/stop.sh");
            leftovers = processesOfThisWorkFolder();
            // never leave a process behind, even when the assertion below fails
            leftovers.forEach(ProcessHandle::destroyForcibly);
        }
        assertThat(stop.exitCode()).as(diagnostics(stop)).isZero();
        assertThat(leftovers)
                .as("processes still running after stop.sh")
                .extracting(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .isEmpty();
    }

    private void checkRun(ScriptRun quickstart) throws Exception {
        // what the replay says it sent equals an independent count of the file's complete lines
        Matcher replayed =
                Pattern.compile("replayed ([\\d,]+) events").matcher(quickstart.output());
        assertThat(replayed.find()).as(diagnostics(quickstart)).isTrue();
        long eventsReplayed = Long.parseLong(replayed.group(1).replace(",", ""));
        assertThat(eventsReplayed).isEqualTo(completeLines(DATA)).isPositive();

        String jobId = Files.readString(WORK.resolve("run/job.id")).trim();
        JsonNode overview = get("/jobs/overview");
        assertThat(overview.path("jobs").findValuesAsText("state")).containsExactly("RUNNING");
        assertThat(overview.path("jobs").get(0).path("jid").asText()).isEqualTo(jobId);

        // Flink refreshes task metrics every few seconds: poll, bounded
        long recordsIn = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = get("/jobs/" + jobId);
            assertThat(job.path("state").asText()).isEqualTo("RUNNING");
            recordsIn = 0;
            for (JsonNode vertex : job.path("vertices")) {
                if (vertex.path("name").asText().startsWith("Source")) {
                    recordsIn += vertex.path("metrics").path("read-records").asLong();
                }
            }
            if (recordsIn == eventsReplayed) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(recordsIn)
                .as("records in of the job's source vertices")
                .isEqualTo(eventsReplayed);

        List<ConsumerRecord<String, String>> alerts;
        try (KafkaConsumer<String, String> consumer = consumer()) {
            assertThat(readAll(consumer, "propensity.events")).hasSize((int) eventsReplayed);

            alerts = readAll(consumer, "propensity.alerts");
            assertThat(alerts)
                    .as("alert types on propensity.alerts at the default thresholds")
                    .extracting(record -> JSON.readTree(record.value()).path("type").asText())
                    .contains("purchase_intent", "churn_risk");
            for (ConsumerRecord<String, String> record : alerts) {
                JsonNode alert = JSON.readTree(record.value());
                assertThat(alert.isObject()).as(record.value()).isTrue();
                for (String field : ALERT_FIELDS) {
                    assertThat(alert.has(field)).as("%s in %s", field, record.value()).isTrue();
                }
                assertThat(alert.path("type").asText()).isIn("purchase_intent", "churn_risk");
                // the default models carry node covers: exact TreeSHAP reasons, three by default
                JsonNode reasons = alert.path("reasons");
                assertThat(reasons.path("explanation_method").asText())
                        .as(record.value())
                        .isEqualTo("tree_shap");
                assertThat(reasons.path("features").size()).as(record.value()).isBetween(1, 3);
                for (JsonNode feature : reasons.path("features")) {
                    assertThat(feature.has("name") && feature.has("contribution"))
                            .as(record.value())
                            .isTrue();
                }
                assertThat(record.key()).isEqualTo(alert.path("user_id").asText());
            }
        }
        checkPrintedAlerts(quickstart, alerts);
        checkSummary(quickstart, eventsReplayed, alerts.size());
    }

    /**
     * The alert printer printed alerts in its readable form, each with its reasons, and each the
     * line of an alert that is on the topic.
     */
    private static void checkPrintedAlerts(
            ScriptRun quickstart, List<ConsumerRecord<String, String>> alerts) throws IOException {
        Set<String> onTopic = new HashSet<>();
        for (ConsumerRecord<String, String> record : alerts) {
            onTopic.add(AlertLine.format(JSON.readTree(record.value())));
        }
        Matcher line = ALERT_LINE.matcher(quickstart.output());
        int printed = 0;
        while (line.find()) {
            printed++;
            assertThat(line.group(4))
                    .as("reasons of %s", line.group())
                    .matches(REASON + "(, " + REASON + "){0,2}( \\[approximate])?");
            assertThat(Double.parseDouble(line.group(2)))
                    .as("score against threshold in %s", line.group())
                    .isGreaterThanOrEqualTo(Double.parseDouble(line.group(3)));
            assertThat(onTopic).as("printed alert on propensity.alerts").contains(line.group());
        }
        assertThat(printed).as("alert lines printed" + diagnostics(quickstart)).isPositive();
    }

    /**
     * The summary's figures are the run's: events replayed, alerts on the topic, no dead letter.
     */
    private static void checkSummary(ScriptRun quickstart, long eventsReplayed, int alerts) {
        String output = quickstart.output();
        Matcher eventsIn =
                Pattern.compile(
                                "^  events in +([\\d,]+) read by the job's source \\(([\\d,]+) on"
                                        + " propensity\\.events\\)$",
                                Pattern.MULTILINE)
                        .matcher(output);
        assertThat(eventsIn.find())
                .as("the summary's events in" + diagnostics(quickstart))
                .isTrue();
        assertThat(count(eventsIn.group(1)))
                .as("events read by the source")
                .isEqualTo(eventsReplayed);
        assertThat(count(eventsIn.group(2))).as("events on the topic").isEqualTo(eventsReplayed);

        Matcher alertsLine =
                Pattern.compile("^  alerts +([\\d,]+) on propensity\\.alerts", Pattern.MULTILINE)
                        .matcher(output);
        assertThat(alertsLine.find()).as("the summary's alerts" + diagnostics(quickstart)).isTrue();
        assertThat(count(alertsLine.group(1))).as("alerts in the summary").isEqualTo(alerts);

        Matcher deadLetters =
                Pattern.compile("^  dead letters +([\\d,]+) on ", Pattern.MULTILINE)
                        .matcher(output);
        assertThat(deadLetters.find()).as("the summary's dead letters").isTrue();
        assertThat(count(deadLetters.group(1))).as("dead letters of real data").isZero();
    }

    private static long count(String figure) {
        return Long.parseLong(figure.replace(",", ""));
    }

    private KafkaConsumer<String, String> consumer() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    /** Every committed record of a topic, read from the beginning to the current end. */
    private static List<ConsumerRecord<String, String>> readAll(
            KafkaConsumer<String, String> consumer, String topic) {
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(info -> new TopicPartition(topic, info.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            assertThat(System.nanoTime()).as("reading %s within 30 s", topic).isLessThan(deadline);
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() < end.get(new TopicPartition(topic, record.partition()))) {
                    records.add(record);
                }
            }
        }
        return records;
    }

    /** Lines that end with a line feed (Taobao files have no header): the complete records. */
    private static long completeLines(Path gzip) throws IOException {
        long lineFeeds = 0;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gzip))) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lineFeeds++;
                    }
                }
            }
        }
        return lineFeeds;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(restUrl + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private record ScriptRun(String command, int exitCode, String output) {}

    /**
     * Runs a script of the repository with no stdin, bounded in time; kills its tree on timeout.
     */
    private ScriptRun runScript(Duration timeout, String script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", REPO.resolve(script).toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("propensity-e2e-", ".out");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(REPO.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        Process process = builder.start();
        int exitCode;
        if (process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            exitCode = process.exitValue();
        } else {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            exitCode = -1;
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Files.deleteIfExists(output);
        if (exitCode == -1) {
            text += "\n[timed out after " + timeout.toSeconds() + " s]";
        }
        return new ScriptRun(String.join(" ", command), exitCode, text);
    }

    /** The script's output tail and the service logs' tails, for a failure message. */
    private static String diagnostics(ScriptRun run) {
        StringBuilder text = new StringBuilder();
        text.append("\n--- ").append(run.command()).append(" (exit ").append(run.exitCode());
        text.append(")\n").append(tail(run.output(), 80));
        for (String log : List.of("kafka.log", "flink-jobmanager.log", "flink-taskmanager.log")) {
            Path file = WORK.resolve("logs").resolve(log);
            try {
                if (Files.exists(file)) {
                    text.append("\n--- ").append(file).append('\n');
                    text.append(tail(Files.readString(file, StandardCharsets.UTF_8), 30));
                }
            } catch (IOException e) {
                text.append("(cannot read ").append(file).append(": ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** Processes started for this work folder: the scripts tag each with its path. */
    private static List<ProcessHandle> processesOfThisWorkFolder() {
        String marker = "-Dpropensity.work=" + WORK;
        return ProcessHandle.allProcesses()
                .filter(
                        p ->
                                p.info()
                                        .commandLine()
                                        .map(c -> c.contains(marker + " "))
                                        .orElse(false))
                .toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
