package io.propensity.deploy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Prints what a run did, from the cluster's REST API and the topics: the job and its state, events
 * read by the job's Kafka source against events on the events topic, alerts by type, dead letters,
 * late events and checkpoints. With {@code --wait-seconds}, first waits until the job has read
 * every event on the topic and one checkpoint has completed after that (so an at-least-once sink
 * has flushed every alert), and exits 1 if that does not happen in time.
 */
@Command(
        name = "summary",
        mixinStandardHelpOptions = true,
        description =
                "Summarises a run: events in, alerts by type, dead letters, from the Flink REST"
                        + " API and the topics.")
final class SummaryCommand implements Callable<Integer>, PropensityCli.KafkaClientCommand {

    @Option(
            names = "--rest-url",
            defaultValue = "${env:PROPENSITY_FLINK_REST_URL:-http://127.0.0.1:8081}",
            description = "Flink REST API / web UI address (default: ${DEFAULT-VALUE}).")
    String restUrl;

    @Option(names = "--job-id", description = "The job (default: the latest RUNNING job).")
    String jobId;

    @Option(names = "--events-topic", defaultValue = "propensity.events")
    String eventsTopic;

    @Option(names = "--alerts-topic", defaultValue = "propensity.alerts")
    String alertsTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "propensity.dead-letters")
    String deadLetterTopic;

    @Option(names = "--late-topic", defaultValue = "propensity.late-events")
    String lateTopic;

    @Option(
            names = "--wait-seconds",
            defaultValue = "0",
            description =
                    "First wait at most this long for the job to catch up with the events topic"
                            + " and complete a checkpoint; 0 = do not wait.")
    long waitSeconds;

    @Mixin KafkaOptions kafka;

    @Override
    public KafkaOptions kafka() {
        return kafka;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        FlinkRestClient flink = new FlinkRestClient(restUrl);
        Optional<FlinkRestClient.JobOverview> job =
                jobId != null
                        ? flink.jobs().stream().filter(j -> j.id().equals(jobId)).findFirst()
                        : flink.currentJob();
        if (job.isEmpty()) {
            System.err.println(
                    "ERROR: no job " + (jobId != null ? jobId + " " : "") + "on " + restUrl);
            return 1;
        }
        String id = job.get().id();

        boolean caughtUp = true;
        try (TopicCounts topics = new TopicCounts(kafka)) {
            long eventsOnTopic = topics.count(eventsTopic);
            if (waitSeconds > 0) {
                caughtUp = awaitCaughtUp(flink, id, eventsOnTopic, Duration.ofSeconds(waitSeconds));
            }
            job = flink.jobs().stream().filter(j -> j.id().equals(id)).findFirst();
            long recordsIn = flink.sourceRecordsIn(id);
            FlinkRestClient.Checkpoints checkpoints = flink.checkpoints(id);
            Map<String, Long> alertsByType = topics.countBy(alertsTopic, "type");
            long deadLetters = topics.count(deadLetterTopic);
            long late = topics.count(lateTopic);

            out.println();
            out.println("Summary");
            out.printf(
                    Locale.ROOT,
                    "  job           %s (%s) %s for %s%n",
                    job.map(FlinkRestClient.JobOverview::name).orElse("?"),
                    id,
                    job.map(FlinkRestClient.JobOverview::state).orElse("?"),
                    job.map(j -> Duration.ofMillis(j.durationMillis()))
                            .map(SummaryCommand::readable)
                            .orElse("?"));
            out.printf(
                    Locale.ROOT,
                    "  events in     %,d read by the job's source (%s on %s)%n",
                    recordsIn,
                    countText(eventsOnTopic),
                    eventsTopic);
            out.printf(Locale.ROOT, "  alerts        %s%n", alertsText(alertsByType, alertsTopic));
            out.printf(
                    Locale.ROOT,
                    "  dead letters  %s on %s%n",
                    countText(deadLetters),
                    deadLetterTopic);
            out.printf(Locale.ROOT, "  late events   %s on %s%n", countText(late), lateTopic);
            out.printf(
                    Locale.ROOT,
                    "  checkpoints   %,d completed, %,d failed, latest %,d bytes%n",
                    checkpoints.completed(),
                    checkpoints.failed(),
                    checkpoints.latestSizeBytes());
            out.printf(
                    Locale.ROOT,
                    "  web UI        %s/#/job/running/%s/overview%n",
                    flink.baseUrl(),
                    id);
        }
        if (!caughtUp) {
            System.err.printf(
                    "ERROR: the job did not read every event of %s and checkpoint within %d s%n",
                    eventsTopic, waitSeconds);
            return 1;
        }
        return 0;
    }

    /**
     * Waits until the job's source has read {@code expected} records and a checkpoint triggered
     * after that moment has completed.
     */
    private static boolean awaitCaughtUp(
            FlinkRestClient flink, String id, long expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long caughtUpAt = -1;
        while (System.nanoTime() < deadline) {
            String state =
                    flink.jobs().stream()
                            .filter(j -> j.id().equals(id))
                            .map(FlinkRestClient.JobOverview::state)
                            .findFirst()
                            .orElse("?");
            if (!"RUNNING".equals(state)) {
                System.err.println("ERROR: job " + id + " is " + state + ", not RUNNING");
                return false;
            }
            if (caughtUpAt < 0 && flink.sourceRecordsIn(id) >= expected) {
                caughtUpAt = System.currentTimeMillis();
            }
            if (caughtUpAt >= 0
                    && flink.checkpoints(id).latestCompletedTriggerTime() > caughtUpAt) {
                return true;
            }
            Thread.sleep(1000);
        }
        return false;
    }

    /** For example {@code 70 on propensity.alerts (purchase_intent 70)}. */
    private static String alertsText(Map<String, Long> byType, String topic) {
        if (byType == null) {
            return "topic missing: " + topic;
        }
        long total = byType.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder text =
                new StringBuilder(String.format(Locale.ROOT, "%,d on %s", total, topic));
        if (!byType.isEmpty()) {
            StringBuilder types = new StringBuilder();
            byType.forEach(
                    (type, count) ->
                            types.append(types.length() == 0 ? "" : ", ")
                                    .append(String.format(Locale.ROOT, "%s %,d", type, count)));
            text.append(" (").append(types).append(')');
        }
        return text.toString();
    }

    private static String countText(long count) {
        return count < 0 ? "topic missing" : String.format(Locale.ROOT, "%,d", count);
    }

    private static String readable(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 60
                ? String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60)
                : seconds + "s";
    }
}
