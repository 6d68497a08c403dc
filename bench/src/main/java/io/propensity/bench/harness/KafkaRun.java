package io.propensity.bench.harness;

import io.propensity.features.io.EventJson;
import io.propensity.job.AlertRules;
import io.propensity.job.JobOptions;
import io.propensity.job.KafkaConnectors;
import io.propensity.job.ProcessingClock;
import io.propensity.job.PropensityJob;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The job as {@code main} wires it, Kafka source and Kafka sinks, against a real broker: the stream
 * is produced to a fresh events topic first (2 partitions, keyed by user), then the job reads it to
 * its end (a bounded Kafka source stopping at the latest offsets) at each parallelism. Timed from
 * submission to the end of the job, so start-up is included; the in-memory compiled run is shown
 * timed the same way for comparison.
 */
final class KafkaRun {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRun.class);

    private final BenchCluster cluster;
    private final String bootstrapServers;
    private final Path workDir;
    private final PrintStream out;

    KafkaRun(BenchCluster cluster, String bootstrapServers, Path workDir, PrintStream out) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
        this.workDir = workDir;
        this.out = out;
    }

    void run(ReplayedStream stream, List<Integer> parallelisms, RunResult inMemory)
            throws Exception {
        String suffix = Long.toString(System.currentTimeMillis(), 36);
        String events = "harness.events." + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            List<NewTopic> topics = new ArrayList<>();
            topics.add(new NewTopic(events, 2, (short) 1));
            for (int p : parallelisms) {
                for (String name : List.of("alerts", "dead-letters", "late")) {
                    topics.add(
                            new NewTopic("harness." + name + "." + suffix + "." + p, 2, (short) 1));
                }
            }
            admin.createTopics(topics).all().get(1, TimeUnit.MINUTES);
        }
        long produceStart = System.nanoTime();
        produce(stream, events);
        double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
        LOG.info("produced {} events to {} in {} s", stream.events(), events, produceSeconds);

        out.printf(
                "### Through Kafka (broker %s; events topic with 2 partitions; compiled;"
                        + " at-least-once; timed from submission)%n%n"
                        + "%,d events produced in %.1f s (%,.0f events/s, not part of the job's"
                        + " time)%n%n",
                bootstrapServers,
                stream.events(),
                produceSeconds,
                stream.events() / produceSeconds);
        out.println(
                "| source and sinks | parallelism | events/s (submission to end) | events per"
                        + " CPU-second | alerts | load before/after |");
        out.println("|---|---|---|---|---|---|");
        if (inMemory != null) {
            out.printf(
                    "| in memory, discarding (above) | 1 | %,.0f | %,.0f | %,d | %.1f / %.1f |%n",
                    inMemory.eventsPerSecondFromSubmit(),
                    inMemory.eventsPerCpuSecond(),
                    inMemory.alerts(),
                    inMemory.loadBefore(),
                    inMemory.loadAfter());
        }
        for (int p : parallelisms) {
            RunResult result = runJob(stream.events(), events, suffix, p);
            out.printf(
                    "| Kafka | %d | %,.0f | %,.0f | - | %.1f / %.1f |%n",
                    p,
                    result.eventsPerSecondFromSubmit(),
                    result.events() * 1e9 / result.cpuNanos(),
                    result.loadBefore(),
                    result.loadAfter());
        }
        out.println();
    }

    private void produce(ReplayedStream stream, String topic) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < stream.events(); i++) {
                byte[] line = stream.heldLine(i);
                byte[] key = EventJson.parse(line).userId().getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, key, line));
            }
            producer.flush();
        }
    }

    private RunResult runJob(long events, String eventsTopic, String suffix, int parallelism)
            throws Exception {
        JobOptions options =
                JobOptions.parse(
                        new String[] {
                            "--bootstrap-servers",
                            bootstrapServers,
                            "--events-topic",
                            eventsTopic,
                            "--alerts-topic",
                            "harness.alerts." + suffix + "." + parallelism,
                            "--dead-letter-topic",
                            "harness.dead-letters." + suffix + "." + parallelism,
                            "--late-topic",
                            "harness.late." + suffix + "." + parallelism,
                            "--group-id",
                            "harness-" + suffix + "-" + parallelism,
                            "--scorer",
                            "compiled",
                            "--idleness",
                            "10m",
                            "--checkpoint-dir",
                            workDir.resolve("checkpoints").toAbsolutePath().toUri().toString()
                        });
        AlertRules rules = AlertRules.resolve(options);
        Configuration config = PropensityJob.configuration(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        new PropensityJob(
                        KafkaConnectors.kafkaSource(
                                options, ProcessingClock.SYSTEM, OffsetsInitializer.latest()),
                        KafkaConnectors.alertSink(options),
                        KafkaConnectors.deadLetterSink(options),
                        KafkaConnectors.lateEventSink(options),
                        rules,
                        options.outOfOrderness,
                        options.idleness,
                        ProcessingClock.SYSTEM)
                .build(env);
        double loadBefore = EndToEnd.loadAverage();
        long cpuStart = ReplayedStream.processCpuNanos();
        long start = System.nanoTime();
        JobID id = cluster.submit(env, null);
        cluster.awaitSuccess(id);
        long end = System.nanoTime();
        return new RunResult(
                "kafka p" + parallelism,
                events,
                end - start,
                end - start,
                ReplayedStream.processCpuNanos() - cpuStart,
                0,
                loadBefore,
                EndToEnd.loadAverage());
    }
}
