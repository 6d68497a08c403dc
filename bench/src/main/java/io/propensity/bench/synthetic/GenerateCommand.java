package io.propensity.bench.synthetic;

import io.propensity.features.Durations;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventJson;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;

/** {@code SyntheticEvents generate}: writes synthetic events as JSON lines, in event-time order. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Write SYNTHETIC events as JSON lines (the events-topic wire format), in event-time"
                        + " order.")
final class GenerateCommand implements Callable<Integer> {

    private static final int PROGRESS_STEP = 10_000;

    @Spec CommandSpec spec;

    @Option(
            names = "--users",
            description =
                    "Number of users. Without it, users keep arriving at the rate that makes"
                            + " --events on average.")
    Long users;

    @Option(
            names = "--events",
            description =
                    "Stop after this many events. Without it, when every user's history ends.")
    Long events;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--start",
            defaultValue = "2024-01-01T00:00:00Z",
            description = "First event time, ISO-8601 instant (default: ${DEFAULT-VALUE})")
    String start;

    @Option(
            names = "--arrival-span",
            description =
                    "Span over which users' first events are spread, e.g. 9d (default: the"
                            + " profile's observation window). Longer means fewer concurrently"
                            + " active users.")
    String arrivalSpan;

    @Option(
            names = "--products",
            description = "Catalogue size (default: the profile's number of products)")
    Integer products;

    @Option(
            names = "--profile",
            description = "Profile JSON (default: the committed synthetic-profile.json)")
    Path profile;

    @Option(
            names = "--output",
            defaultValue = "-",
            description = "File to write ('.gz' is compressed), or - for stdout (default)")
    String output;

    @Override
    public Integer call() throws IOException {
        if (users == null && events == null) {
            throw new ParameterException(spec.commandLine(), "give --users, --events or both");
        }
        SyntheticProfile loaded =
                profile == null ? SyntheticProfile.load() : SyntheticProfile.read(profile);
        Duration span =
                arrivalSpan == null
                        ? Duration.ofMillis(loaded.behaviour().windowMillis())
                        : Durations.parse(arrivalSpan);
        SyntheticEventGenerator.Settings settings =
                new SyntheticEventGenerator.Settings(
                        seed,
                        parseStart(),
                        users == null ? 0 : users,
                        events == null ? Long.MAX_VALUE : events,
                        span,
                        products == null ? 0 : products);
        SyntheticEventGenerator generator = new SyntheticEventGenerator(loaded, settings);

        boolean toStdout = "-".equals(output);
        long expected =
                events != null
                        ? events
                        : Math.round(
                                users
                                        * new SyntheticBehaviour(loaded.behaviour())
                                                .meanEventsPerUser());
        try (Writer out = open(toStdout);
                ProgressBar progress =
                        new ProgressBarBuilder()
                                .setTaskName("synthetic events")
                                .setInitialMax(expected)
                                .setUpdateIntervalMillis(500)
                                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                                .build()) {
            while (generator.hasNext()) {
                ShopperEvent event = generator.next();
                out.write(EventJson.write(event));
                out.write('\n');
                if (generator.eventsEmitted() % PROGRESS_STEP == 0) {
                    progress.stepTo(generator.eventsEmitted());
                }
            }
            progress.stepTo(generator.eventsEmitted());
            progress.maxHint(generator.eventsEmitted());
        }
        spec.commandLine()
                .getErr()
                .printf(
                        "wrote %d synthetic events of %d users (at most %d active at once) to %s%n",
                        generator.eventsEmitted(),
                        generator.usersStarted(),
                        generator.peakActiveUsers(),
                        toStdout ? "stdout" : output);
        return 0;
    }

    private Instant parseStart() {
        try {
            return Instant.parse(start);
        } catch (DateTimeParseException e) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--start '"
                            + start
                            + "' is not an ISO-8601 instant (e.g. 2024-01-01T00:00:00Z)");
        }
    }

    private Writer open(boolean toStdout) throws IOException {
        OutputStream stream;
        if (toStdout) {
            // closing the writer must not close the JVM's stdout before picocli prints
            stream =
                    new FilterOutputStream(System.out) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(b, off, len);
                        }

                        @Override
                        public void close() throws IOException {
                            flush();
                        }
                    };
        } else {
            Path path = Path.of(output);
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            stream = Files.newOutputStream(path);
            if (output.endsWith(".gz")) {
                stream = new GZIPOutputStream(stream, 1 << 16);
            }
        }
        return new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
    }
}
