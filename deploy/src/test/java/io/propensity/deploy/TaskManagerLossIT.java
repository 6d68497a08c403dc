package io.propensity.deploy;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TaskManager lost from the standalone cluster of {@code deploy/}, with real processes: the
 * broker and the cluster start through {@code deploy/bin}, the job runs exactly-once with a
 * checkpoint every second and a fixed-delay restart strategy (6 attempts, 3 s apart), and the
 * Taobao tail slice of data/ (time-sorted, as the quick start replays it) is replayed at 14,400
 * times event time. Mid-stream, after a checkpoint that covers replayed events has completed, the
 * TaskManager process is killed with SIGKILL and a new one is started with {@code flink.sh
 * start-taskmanager}. The test checks through the REST API that the job restarted on the new
 * TaskManager from the last checkpoint completed before the kill, lets the replay finish, and
 * compares the alert ids read with {@code read_committed} against an uninterrupted run.
 *
 * <p>The reference is the same job jar with the same options on the same cluster, submitted after
 * the interrupted job was cancelled, reading the same events topic from the beginning (its own
 * consumer group and output topics), never restarted. Its alert ids are computed by the job, not by
 * the test; what makes the two runs comparable is that the job settles a user's due inactivity
 * checks before that user's next event, whatever the watermark, so alerts do not depend on pacing.
 * The watermark only decides which checks are due at the end of the input: both runs end with the
 * same two trailing events, two days after the file's last event, one in each partition, so both
 * end with the same watermark and every check of the file's users is due in both.
 *
 * <p>Its own work folder (deploy/.work/tm-loss) and free ports; every wait bounded; on failure the
 * message carries the logs' tails; every process it started is stopped and checked gone.
 */
class TaskManagerLossIT {

    private static final Path WORK = LocalDeployment.REPO.resolve("deploy/.work/tm-loss");
    private static final Path DATA =
            LocalDeployment.REPO.resolve("data/taobao-userbehavior-tail/UserBehavior_tail.csv.gz");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String EVENTS = "tm-loss.events";
    private static final String GROUP = "tm-loss";
    private static final String REFERENCE_GROUP = "reference";
    private static final String RESTART_ATTEMPTS = "6";
    private static final Duration TRAILING_GAP = Duration.ofDays(2);

    private LocalDeployment deployment;
    private Process replay;
    private Path replayOutput;

    @Test
    @Timeout(value = 330, unit = TimeUnit.SECONDS)
    void shouldRestoreTheLastCheckpointOnANewTaskManagerAndRaiseTheAlertsOfAnUninterruptedRun()
            throws Exception {
        deployment = new LocalDeployment(WORK);
        List<ProcessHandle> leftovers;
        LocalDeployment.ScriptRun stop;
        try {
            runAndCompare();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + replayTail() + deployment.logTails(), e);
        } finally {
            if (replay != null && replay.isAlive()) {
                replay.descendants().forEach(ProcessHandle::destroyForcibly);
                replay.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            stop = deployment.run(Duration.ofSeconds(100), "deploy/bin/stop.sh");
            leftovers = deployment.processes();
            // never leave a process behind, even when an assertion failed
            leftovers.forEach(ProcessHandle::destroyForcibly);
        }
        assertThat(stop.exitCode()).as(deployment.diagnostics(stop)).isZero();
        assertThat(leftovers)
                .as("processes still running after stop.sh")
                .extracting(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .isEmpty();
    }

    private void runAndCompare() throws Exception {

        // a fresh broker and cluster of this work folder, the topics of both runs
        deployment.run(Duration.ofSeconds(100), "deploy/bin/stop.sh", "--purge");
        deployment.runOrFail(Duration.ofSeconds(120), "deploy/bin/kafka.sh", "start", "--clean");
        deployment.runOrFail(Duration.ofSeconds(180), "deploy/bin/flink.sh", "start");
        deployment.runOrFail(Duration.ofSeconds(60), "deploy/bin/topics.sh", topics("tm-loss"));
        deployment.runOrFail(
                Duration.ofSeconds(60), "deploy/bin/topics.sh", topics(REFERENCE_GROUP));
        Path events = timeSortedCopy();

        // the run to interrupt, then the paced replay
        String jobId = submit(GROUP);
        replayOutput = WORK.resolve("logs/replay.out");
        replay =
                deployment.start(
                        replayOutput,
                        "deploy/bin/replay.sh",
                        events.toString(),
                        "--format",
                        "taobao",
                        "--topic",
                        EVENTS,
                        "--speed-up",
                        "14400",
                        "--progress",
                        "lines");
        long fileEvents = lines(events);

        // mid-stream, after a checkpoint that covers replayed events: kill the TaskManager
        awaitTrue(
                Duration.ofSeconds(90),
                "a fifth of the events replayed",
                () -> eventsOnTopic() >= fileEvents / 5);
        long replayedAt = System.currentTimeMillis();
        awaitTrue(
                Duration.ofSeconds(60),
                "a checkpoint triggered after a fifth of the events were replayed",
                () ->
                        checkpoints(jobId)
                                        .path("latest")
                                        .path("completed")
                                        .path("trigger_timestamp")
                                        .asLong()
                                > replayedAt);
        long pid = deployment.recordedPid("flink-taskmanager");
        ProcessHandle taskManager = ProcessHandle.of(pid).orElseThrow();
        assertThat(taskManager.info().commandLine().orElse(""))
                .contains("-Dpropensity.service=flink-taskmanager ", "-Dpropensity.work=" + WORK);
        long completedBeforeKill =
                checkpoints(jobId).path("latest").path("completed").path("id").asLong();
        long killedAt = System.currentTimeMillis();
        taskManager.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the JobManager
        taskManager.onExit().get(10, TimeUnit.SECONDS);
        long eventsAtKill = eventsOnTopic();
        assertThat(replay.isAlive())
                .as("the replay still runs when the TaskManager is lost")
                .isTrue();
        assertThat(eventsAtKill).as("events replayed at the kill").isLessThan(fileEvents);
        System.out.printf(
                "killed TaskManager pid %d after %d of %d events, checkpoint %d completed before%n",
                pid, eventsAtKill, fileEvents, completedBeforeKill);

        // a new TaskManager; the job restarts on it from that checkpoint
        LocalDeployment.ScriptRun started =
                deployment.runOrFail(
                        Duration.ofSeconds(150), "deploy/bin/flink.sh", "start-taskmanager");
        Matcher registered =
                Pattern.compile("TaskManager (\\S+) registered").matcher(started.output());
        assertThat(registered.find()).as(started.output()).isTrue();
        String newTaskManager = registered.group(1);
        awaitTrue(
                Duration.ofSeconds(150),
                "the job restored a checkpoint and runs every task",
                () ->
                        checkpoints(jobId).path("latest").path("restored").has("id")
                                && allTasksRunning(jobId));
        JsonNode restored = checkpoints(jobId).path("latest").path("restored");
        System.out.println("restored: " + restored);
        // the last checkpoint to complete before the kill: the one completed then, or a later one
        // whose acknowledgements were all in before the kill and that the JobManager finalised
        // just after it; never one triggered after the kill
        long lastCheckpoint = restored.path("id").asLong();
        assertThat(lastCheckpoint)
                .as(restored.toString())
                .isGreaterThanOrEqualTo(completedBeforeKill);
        for (long id = completedBeforeKill; id <= lastCheckpoint + 1; id++) {
            JsonNode details =
                    deployment.getOrNull("/jobs/" + jobId + "/checkpoints/details/" + id);
            if (details == null) {
                continue; // not triggered, or gone from the REST API's short history
            }
            String status = details.path("status").asText();
            long triggered = details.path("trigger_timestamp").asLong();
            if (id <= lastCheckpoint) {
                assertThat(triggered).as("checkpoint %d: %s", id, details).isLessThan(killedAt);
            } else {
                assertThat(status.equals("COMPLETED") && triggered < killedAt)
                        .as("a later checkpoint of before the kill completed: %s", details)
                        .isFalse();
            }
        }
        assertThat(restored.path("is_savepoint").asBoolean()).isFalse();
        assertThat(taskManagersOf(jobId)).containsOnly(newTaskManager);

        // the rest of the file, the same trailing events for both runs, then both read to the end
        assertThat(replay.waitFor(150, TimeUnit.SECONDS)).as("replay ended within 150 s").isTrue();
        assertThat(replay.exitValue()).as(replayTail()).isZero();
        Matcher replayed =
                Pattern.compile("replayed ([\\d,]+) events")
                        .matcher(Files.readString(replayOutput));
        assertThat(replayed.find()).as(replayTail()).isTrue();
        assertThat(Long.parseLong(replayed.group(1).replace(",", ""))).isEqualTo(fileEvents);
        sendTrailingEvents(lastEventTime(events) + TRAILING_GAP.toMillis());
        assertThat(eventsOnTopic()).isEqualTo(fileEvents + 2);
        awaitEverythingCommitted(jobId, GROUP);
        long restarts = restarts(jobId);
        assertThat(restarts).isBetween(1L, Long.parseLong(RESTART_ATTEMPTS));
        List<String> recovered = alertIds("tm-loss.alerts");

        // the reference: the same job, same input, uninterrupted
        deployment.patch("/jobs/" + jobId + "?mode=cancel");
        awaitTrue(
                Duration.ofSeconds(60),
                "the interrupted run cancelled",
                () -> "CANCELED".equals(deployment.get("/jobs/" + jobId).path("state").asText()));
        String referenceId = submit(REFERENCE_GROUP);
        awaitEverythingCommitted(referenceId, REFERENCE_GROUP);
        assertThat(restarts(referenceId)).as("restarts of the reference run").isZero();
        assertThat(checkpoints(referenceId).path("latest").path("restored").has("id")).isFalse();
        List<String> reference = alertIds("reference.alerts");

        System.out.printf(
                "alerts: %d after the TaskManager loss (%d restarts, checkpoint %d restored),"
                        + " %d in the uninterrupted run%n",
                recovered.size(), restarts, lastCheckpoint, reference.size());
        assertThat(reference).as("alerts of the uninterrupted run").isNotEmpty();
        assertThat(reference).doesNotHaveDuplicates();
        assertThat(recovered).as("alert ids read_committed after the loss").doesNotHaveDuplicates();
        Set<String> missing = new TreeSet<>(reference);
        missing.removeAll(recovered);
        Set<String> extra = new TreeSet<>(recovered);
        extra.removeAll(reference);
        assertThat(missing.size() + extra.size())
                .as(
                        "alerts only in the uninterrupted run: %s; only after the loss: %s",
                        alertsNotIn("reference.alerts", new HashSet<>(recovered)),
                        alertsNotIn("tm-loss.alerts", new HashSet<>(reference)))
                .isZero();
        // the interrupted run's topic did not change when it was cancelled
        List<String> afterCancel = alertIds("tm-loss.alerts");
        assertThat(afterCancel)
                .as(
                        "alerts that became visible after the interrupted run had settled: %s",
                        alertsNotIn("tm-loss.alerts", new HashSet<>(recovered)))
                .containsExactlyElementsOf(recovered);
    }

    private static String[] topics(String prefix) {
        return new String[] {
            "--events-topic", EVENTS,
            "--alerts-topic", prefix + ".alerts",
            "--dead-letter-topic", prefix + ".dead-letters",
            "--late-topic", prefix + ".late-events"
        };
    }

    /**
     * Submits the job exactly-once, checkpointing every second, with a bounded fixed-delay restart
     * strategy; {@code group} names its consumer group, transactional ids and output topics.
     */
    private String submit(String group) throws Exception {
        deployment.runOrFail(
                Duration.ofSeconds(180),
                "deploy/bin/submit.sh",
                "--wait-running",
                "120",
                "--flink-option",
                "restart-strategy.type=fixed-delay",
                "--flink-option",
                "restart-strategy.fixed-delay.attempts=" + RESTART_ATTEMPTS,
                "--flink-option",
                "restart-strategy.fixed-delay.delay=3s",
                "--",
                "--delivery",
                "exactly-once",
                "--checkpoint-interval",
                "1s",
                "--group-id",
                group,
                "--events-topic",
                EVENTS,
                "--alerts-topic",
                group + ".alerts",
                "--dead-letter-topic",
                group + ".dead-letters",
                "--late-topic",
                group + ".late-events");
        return Files.readString(WORK.resolve("run/job.id")).trim();
    }

    /**
     * Waits until the group has committed (on a completed checkpoint) every event on the topic,
     * then for three more checkpoints: the watermark of the last events and the inactivity checks
     * it makes due reach the sinks after the checkpoint that committed the offsets, and an
     * exactly-once sink's records become visible only when a later checkpoint completes.
     */
    private void awaitEverythingCommitted(String jobId, String group) throws Exception {
        long total = eventsOnTopic();
        awaitTrue(
                Duration.ofSeconds(120),
                "group " + group + " committed all " + total + " events",
                () -> {
                    assertThat(deployment.get("/jobs/" + jobId).path("state").asText())
                            .isEqualTo("RUNNING");
                    return committedEvents(group) == total;
                });
        long completed = checkpoints(jobId).path("counts").path("completed").asLong();
        awaitTrue(
                Duration.ofSeconds(60),
                "three more checkpoints of job " + jobId,
                () ->
                        checkpoints(jobId).path("counts").path("completed").asLong()
                                >= completed + 3);
    }

    private JsonNode checkpoints(String jobId) throws Exception {
        return deployment.get("/jobs/" + jobId + "/checkpoints");
    }

    private boolean allTasksRunning(String jobId) throws Exception {
        JsonNode job = deployment.get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (!"RUNNING".equals(vertex.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** The resource ids of the TaskManagers that run the job's subtasks. */
    private Set<String> taskManagersOf(String jobId) throws Exception {
        Set<String> ids = new HashSet<>();
        for (JsonNode vertex : deployment.get("/jobs/" + jobId).path("vertices")) {
            JsonNode details =
                    deployment.get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText());
            for (JsonNode subtask : details.path("subtasks")) {
                ids.add(subtask.path("taskmanager-id").asText());
            }
        }
        return ids;
    }

    private long restarts(String jobId) throws Exception {
        JsonNode metrics = deployment.get("/jobs/" + jobId + "/metrics?get=numRestarts");
        assertThat(metrics.size()).as("numRestarts of %s: %s", jobId, metrics).isEqualTo(1);
        return metrics.get(0).path("value").asLong();
    }

    /** Alert ids in topic order, read_committed. */
    private List<String> alertIds(String topic) throws Exception {
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = deployment.committedConsumer()) {
            for (ConsumerRecord<String, String> record : LocalDeployment.readAll(consumer, topic)) {
                JsonNode alert = JSON.readTree(record.value());
                assertThat(alert.path("alert_id").asText()).as(record.value()).isNotBlank();
                ids.add(alert.path("alert_id").asText());
            }
        }
        return ids;
    }

    /** The alerts of {@code topic}, read_committed, whose ids are not in {@code known}. */
    private List<String> alertsNotIn(String topic, Set<String> known) throws Exception {
        List<String> alerts = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = deployment.committedConsumer()) {
            for (ConsumerRecord<String, String> record : LocalDeployment.readAll(consumer, topic)) {
                if (!known.contains(JSON.readTree(record.value()).path("alert_id").asText())) {
                    alerts.add(record.partition() + "@" + record.offset() + " " + record.value());
                }
            }
        }
        return alerts;
    }

    private long eventsOnTopic() {
        try (KafkaConsumer<String, String> consumer = deployment.committedConsumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    private long committedEvents(String group) throws Exception {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, deployment.bootstrapServers);
        try (Admin admin = Admin.create(properties)) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(EVENTS) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer) {
        return consumer.partitionsFor(EVENTS, Duration.ofSeconds(10)).stream()
                .map(info -> new TopicPartition(EVENTS, info.partition()))
                .toList();
    }

    /**
     * One view by a user of its own in each partition of the events topic, at {@code time}: both
     * partitions' watermarks pass the same point at the end of both runs.
     */
    private void sendTrailingEvents(long time) throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, deployment.bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                String user = "trailing-" + partition;
                ShopperEvent event = ShopperEvent.of(user, time, EventType.VIEW);
                producer.send(new ProducerRecord<>(EVENTS, partition, user, EventJson.write(event)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The Taobao slice sorted by its timestamp (the fifth field), stable, as the quick start does:
     * the file is grouped by user, and in file order the first user would carry event time to the
     * end at once.
     */
    private static Path timeSortedCopy() throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(DATA)),
                                StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        lines.sort(Comparator.comparingLong(TaskManagerLossIT::seconds));
        Path copy = WORK.resolve("replay/UserBehavior_tail.by-time.csv");
        Files.createDirectories(copy.getParent());
        Files.write(copy, lines, StandardCharsets.UTF_8);
        return copy;
    }

    private static long seconds(String taobaoLine) {
        return Long.parseLong(taobaoLine.substring(taobaoLine.lastIndexOf(',') + 1).trim());
    }

    private static long lastEventTime(Path sorted) throws IOException {
        List<String> lines = Files.readAllLines(sorted);
        return seconds(lines.get(lines.size() - 1)) * 1000;
    }

    private static long lines(Path file) throws IOException {
        try (var stream = Files.lines(file)) {
            return stream.count();
        }
    }

    private String replayTail() {
        try {
            return replayOutput != null && Files.exists(replayOutput)
                    ? "\n--- replay\n" + LocalDeployment.tail(Files.readString(replayOutput), 20)
                    : "";
        } catch (IOException e) {
            return "\n(cannot read the replay's output: " + e + ")";
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls every half second; fails naming {@code what} when the time is up. */
    private static void awaitTrue(Duration timeout, String what, Condition condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime())
                    .as("%s within %d s", what, timeout.toSeconds())
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }
}
