package io.propensity.deploy;

import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;
import io.propensity.features.io.EventJson;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces a real event file to the events topic: each event as one JSON record in the wire format
 * ({@link EventJson}), keyed by user id, in file order, as fast as possible or paced at a speed-up
 * of event time. Lines that are not valid events are counted and printed with file, line and
 * reason, and never produced. Exits 1 if Kafka refused any record.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Produces an event file (rees46, taobao or json lines; .gz is fine) to the events topic"
                    + " as JSON, keyed by user id.",
            "Bad lines are printed as file:line: reason and counted, never produced."
        },
        footer = {
            "",
            "Kafka client settings: --kafka.<property> <value>, e.g. --kafka.security.protocol"
                    + " SASL_SSL."
        })
final class ReplayCommand implements Callable<Integer>, PropensityCli.KafkaClientCommand {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayCommand.class);
    private static final int MAX_PRINTED_BAD_LINES = 1000;

    /** How progress is shown. */
    enum ProgressStyle {
        /** a bar on a terminal, lines otherwise */
        auto,
        bar,
        lines,
        none
    }

    @Parameters(index = "0", paramLabel = "FILE", description = "The event file to replay.")
    Path file;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            converter = EventFormatConverter.class,
            description =
                    "rees46, taobao or json (default: from the file name: UserBehavior* is"
                            + " taobao, *.json/*.jsonl json, anything else rees46).")
    EventFormat format;

    @Option(
            names = "--topic",
            defaultValue = "propensity.events",
            description = "Topic to produce to (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--speed-up",
            defaultValue = "0",
            paramLabel = "FACTOR",
            description =
                    "Event time runs FACTOR times faster than wall time, e.g. 3600 replays an hour"
                            + " per second; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double speedUp;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Stop after this many events; 0 = the whole file.")
    long limit;

    @Option(
            names = "--progress",
            defaultValue = "auto",
            description = "auto, bar, lines or none (default: ${DEFAULT-VALUE}).")
    ProgressStyle progress;

    @Option(
            names = "--progress-seconds",
            defaultValue = "5",
            description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    int progressSeconds;

    @Mixin KafkaOptions kafka;

    @Override
    public KafkaOptions kafka() {
        return kafka;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(file)) {
            System.err.println("ERROR: cannot read event file " + file);
            return 1;
        }
        EventFormat effectiveFormat = format != null ? format : inferFormat(file);
        PrintStream out = System.out;
        ReplayPacer pacer = ReplayPacer.withSystemClock(speedUp);
        AtomicLong badLines = new AtomicLong();
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        long sent = 0;
        long startNanos = System.nanoTime();

        LOG.info("replaying {} ({}) to topic {}", file, effectiveFormat.cliName(), topic);
        printLine(
                out,
                "replaying %s (%s) to %s on %s, %s",
                file,
                effectiveFormat.cliName(),
                topic,
                kafka.bootstrapServers,
                speedUp == 0 ? "as fast as possible" : "speed-up " + speedUp + "x");
        try (EventFileReader reader =
                        EventFileReader.open(
                                file,
                                effectiveFormat,
                                (source, line, reason, raw) -> {
                                    if (badLines.incrementAndGet() <= MAX_PRINTED_BAD_LINES) {
                                        printLine(
                                                System.err,
                                                "%s:%d: %s: %s",
                                                source,
                                                line,
                                                reason,
                                                raw);
                                    }
                                });
                KafkaProducer<String, String> producer =
                        new KafkaProducer<>(
                                kafka.clientProperties(producerDefaults()),
                                new StringSerializer(),
                                new StringSerializer());
                Progress progressReport = Progress.create(progress, progressSeconds, out)) {
            while (reader.hasNext() && (limit <= 0 || sent < limit)) {
                if (firstFailure.get() != null) {
                    break;
                }
                ShopperEvent event = reader.next();
                pacer.awaitTurn(event.eventTimeMillis());
                producer.send(
                        new ProducerRecord<>(topic, event.userId(), EventJson.write(event)),
                        (metadata, exception) -> {
                            if (exception == null) {
                                acknowledged.incrementAndGet();
                            } else {
                                firstFailure.compareAndSet(null, exception);
                            }
                        });
                sent++;
                progressReport.update(sent, event.eventTimeMillis());
            }
            producer.flush();
        }

        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (badLines.get() > MAX_PRINTED_BAD_LINES) {
            System.err.printf(
                    Locale.ROOT,
                    "(only the first %d bad lines were printed)%n",
                    MAX_PRINTED_BAD_LINES);
        }
        if (firstFailure.get() != null) {
            System.err.printf(
                    Locale.ROOT,
                    "ERROR: Kafka refused records on %s: %s (%d of %d acknowledged)%n",
                    topic,
                    firstFailure.get().getMessage(),
                    acknowledged.get(),
                    sent);
            return 1;
        }
        printLine(
                out,
                "replayed %,d events to %s in %.1f s (%,.0f events/s); %,d bad lines skipped",
                acknowledged.get(),
                topic,
                seconds,
                acknowledged.get() / Math.max(seconds, 1e-3),
                badLines.get());
        LOG.info(
                "replayed {} events from {} to topic {}, {} bad lines",
                acknowledged.get(),
                file,
                topic,
                badLines.get());
        return 0;
    }

    /**
     * Prints one line in one write. The quickstart's alert printer writes to the same terminal at
     * the same time, and {@code printf} on an auto-flushing stream such as System.out writes each
     * piece of the format separately, so an alert line could land in the middle of this one.
     */
    static void printLine(PrintStream out, String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }

    /** Durable and ordered per key (idempotent producer), batched for throughput. */
    private static Map<String, Object> producerDefaults() {
        return Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.CLIENT_ID_CONFIG, "propensity-replay");
    }

    /** The format a file name suggests; see the {@code --format} help. */
    static EventFormat inferFormat(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.startsWith("userbehavior")) {
            return EventFormat.TAOBAO;
        }
        if (name.matches(".*\\.jsonl?(\\.gz)?$")) {
            return EventFormat.JSON;
        }
        return EventFormat.REES46;
    }

    /** Parses {@code --format} with {@link EventFormat#fromName}. */
    static final class EventFormatConverter
            implements picocli.CommandLine.ITypeConverter<EventFormat> {
        @Override
        public EventFormat convert(String value) {
            return EventFormat.fromName(value);
        }
    }

    /** Progress of a replay: a bar on a terminal, or a line every few seconds in logs. */
    abstract static class Progress implements AutoCloseable {

        static Progress create(ProgressStyle style, int seconds, PrintStream out) {
            ProgressStyle effective = style;
            if (style == ProgressStyle.auto) {
                effective = System.console() != null ? ProgressStyle.bar : ProgressStyle.lines;
            }
            return switch (effective) {
                case bar -> new Bar();
                case lines -> new Lines(out, seconds * 1_000_000_000L);
                default ->
                        new Progress() {
                            @Override
                            void update(long sent, long eventTimeMillis) {}

                            @Override
                            public void close() {}
                        };
            };
        }

        abstract void update(long sent, long eventTimeMillis);

        @Override
        public abstract void close();

        private static final class Bar extends Progress {
            private final ProgressBar bar =
                    new ProgressBarBuilder()
                            .setTaskName("replay")
                            .setInitialMax(-1)
                            .setUnit(" events", 1)
                            .setStyle(ProgressBarStyle.ASCII)
                            .showSpeed()
                            .setUpdateIntervalMillis(500)
                            .build();

            @Override
            void update(long sent, long eventTimeMillis) {
                bar.stepTo(sent);
                if ((sent & 0xFF) == 0) {
                    bar.setExtraMessage("event time " + Instant.ofEpochMilli(eventTimeMillis));
                }
            }

            @Override
            public void close() {
                bar.close();
            }
        }

        private static final class Lines extends Progress {
            private final PrintStream out;
            private final long intervalNanos;
            private final long startNanos = System.nanoTime();
            private long nextNanos;

            Lines(PrintStream out, long intervalNanos) {
                this.out = out;
                this.intervalNanos = intervalNanos;
                this.nextNanos = startNanos + intervalNanos;
            }

            @Override
            void update(long sent, long eventTimeMillis) {
                long now = System.nanoTime();
                if (now >= nextNanos) {
                    nextNanos = now + intervalNanos;
                    double seconds = (now - startNanos) / 1e9;
                    printLine(
                            out,
                            "replay: %,d events sent, event time %s, %,.0f events/s",
                            sent,
                            Instant.ofEpochMilli(eventTimeMillis),
                            sent / seconds);
                }
            }

            @Override
            public void close() {}
        }
    }
}
