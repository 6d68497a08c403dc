package io.propensity.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Reads a Flink cluster's REST API (the one behind the web UI): jobs, their source record counts
 * and checkpoints. Read only; every call times out after 10 s.
 */
final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row of {@code /jobs/overview}. */
    record JobOverview(String id, String name, String state, long startTime, long durationMillis) {}

    /** Completed and failed checkpoint counts and the latest completed one. */
    record Checkpoints(
            long completed, long failed, long latestCompletedTriggerTime, long latestSizeBytes) {}

    private final String baseUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRestClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    String baseUrl() {
        return baseUrl;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET "
                            + baseUrl
                            + path
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        return JSON.readTree(response.body());
    }

    List<JobOverview> jobs() throws IOException, InterruptedException {
        List<JobOverview> jobs = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            jobs.add(
                    new JobOverview(
                            job.path("jid").asText(),
                            job.path("name").asText(),
                            job.path("state").asText(),
                            job.path("start-time").asLong(),
                            job.path("duration").asLong()));
        }
        return jobs;
    }

    /** The most recently started RUNNING job, else the most recently started job of any state. */
    Optional<JobOverview> currentJob() throws IOException, InterruptedException {
        List<JobOverview> jobs = jobs();
        Comparator<JobOverview> byStart = Comparator.comparingLong(JobOverview::startTime);
        Optional<JobOverview> running =
                jobs.stream().filter(job -> "RUNNING".equals(job.state())).max(byStart);
        return running.isPresent() ? running : jobs.stream().max(byStart);
    }

    /**
     * Records read by the job's sources: the sum of {@code read-records} over the vertices whose
     * name starts with {@code Source} (Flink counts what a FLIP-27 source emits as its task's
     * records in; the count is refreshed every few seconds).
     */
    long sourceRecordsIn(String jobId) throws IOException, InterruptedException {
        long total = 0;
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            if (vertex.path("name").asText().startsWith("Source")) {
                total += vertex.path("metrics").path("read-records").asLong();
            }
        }
        return total;
    }

    Checkpoints checkpoints(String jobId) throws IOException, InterruptedException {
        JsonNode root = get("/jobs/" + jobId + "/checkpoints");
        JsonNode latest = root.path("latest").path("completed");
        return new Checkpoints(
                root.path("counts").path("completed").asLong(),
                root.path("counts").path("failed").asLong(),
                latest.path("trigger_timestamp").asLong(0),
                latest.path("checkpointed_size").asLong(latest.path("state_size").asLong(0)));
    }
}
