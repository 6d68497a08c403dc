package io.propensity.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.File;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker and cluster of {@code deploy/bin}, as a test drives them: one work folder of its own
 * and free ports (passed to the scripts through their environment variables), the scripts run
 * bounded in time, the Flink REST API, committed reads of topics, the logs' tails for a failure
 * message, and the processes the scripts started for this work folder.
 */
final class LocalDeployment {

    static final Path REPO = DeployPaths.repository();
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path work;
    final String restUrl;
    final String bootstrapServers;
    private final Map<String, String> environment = new HashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LocalDeployment(Path work) throws IOException {
        this.work = work;
        int kafkaPort = freePort();
        int restPort = freePort();
        environment.put("PROPENSITY_WORK_DIR", work.toString());
        environment.put("PROPENSITY_KAFKA_PORT", Integer.toString(kafkaPort));
        environment.put("PROPENSITY_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
        environment.put("PROPENSITY_FLINK_REST_PORT", Integer.toString(restPort));
        environment.put("PROPENSITY_FLINK_RPC_PORT", Integer.toString(freePort()));
        restUrl = "http://127.0.0.1:" + restPort;
        bootstrapServers = "127.0.0.1:" + kafkaPort;
    }

    record ScriptRun(String command, int exitCode, String output) {}

    /**
     * Runs a script of the repository with no stdin, bounded in time; kills its tree on timeout.
     */
    ScriptRun run(Duration timeout, String script, String... args)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("propensity-it-", ".out");
        Process process = start(output, script, args);
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
        return new ScriptRun(script + " " + String.join(" ", args), exitCode, text);
    }

    /** Starts a script of the repository in the background, its output to {@code output}. */
    Process start(Path output, String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", REPO.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(REPO.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Runs a script and fails, with the logs' tails, unless it exits 0. */
    ScriptRun runOrFail(Duration timeout, String script, String... args)
            throws IOException, InterruptedException {
        ScriptRun run = run(timeout, script, args);
        System.out.println("--- " + run.command() + "\n" + run.output());
        assertThat(run.exitCode()).as(diagnostics(run)).isZero();
        return run;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        JsonNode body = getOrNull(path);
        assertThat(body).as("GET %s: 404", path).isNotNull();
        return body;
    }

    /** GET of the REST API; {@code null} for 404 (e.g. a checkpoint gone from the history). */
    JsonNode getOrNull(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(restUrl + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return null;
        }
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    void patch(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(restUrl + path))
                                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PATCH %s: %s", path, response.body()).isEqualTo(202);
    }

    /** A consumer that sees only committed records, as a downstream reader of alerts would. */
    KafkaConsumer<String, String> committedConsumer() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    /** Every record of a topic the consumer may see, from the beginning to the current end. */
    static List<ConsumerRecord<String, String>> readAll(
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

    /** The script's output tail and the service logs' tails, for a failure message. */
    String diagnostics(ScriptRun run) {
        return "\n--- "
                + run.command()
                + " (exit "
                + run.exitCode()
                + ")\n"
                + tail(run.output(), 60)
                + logTails();
    }

    /** The tails of the broker's and the cluster's logs. */
    String logTails() {
        StringBuilder text = new StringBuilder();
        for (String log :
                List.of(
                        "kafka.log",
                        "flink-jobmanager.log",
                        "flink-taskmanager.log",
                        "flink-taskmanager.out")) {
            Path file = work.resolve("logs").resolve(log);
            try {
                if (Files.exists(file)) {
                    text.append("\n--- ").append(file).append('\n');
                    text.append(tail(Files.readString(file, StandardCharsets.UTF_8), 40));
                }
            } catch (IOException e) {
                text.append("(cannot read ").append(file).append(": ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** Processes started for this work folder: the scripts tag each with its path. */
    List<ProcessHandle> processes() {
        String marker = "-Dpropensity.work=" + work;
        return ProcessHandle.allProcesses()
                .filter(
                        p ->
                                p.info()
                                        .commandLine()
                                        .map(c -> c.contains(marker + " "))
                                        .orElse(false))
                .toList();
    }

    /** The PID that {@code deploy/bin} recorded for a service of this work folder. */
    long recordedPid(String service) throws IOException {
        return Long.parseLong(
                Files.readString(work.resolve("run").resolve(service + ".pid")).trim());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
