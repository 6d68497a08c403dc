package io.propensity.features.cli;

import io.propensity.features.ApplyOutcome;
import io.propensity.features.Durations;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureReplay;
import io.propensity.features.FeatureSchema;
import io.propensity.features.ShopperEvent;
import io.propensity.features.UserActivity;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The offline replay: reads event files of any format and writes one CSV row per applied event with
 * the user, the event and its feature vector, computed by {@link FeatureReplay} exactly as the job
 * computes it. Counts of bad lines, late events and duplicates, and the throughput, go to stderr at
 * the end; every bad line is reported on stderr with file, line and reason.
 */
@Command(
        name = "replay-features",
        mixinStandardHelpOptions = true,
        version = "replay-features " + FeatureSchema.VERSION,
        description = {
            "Replays event files through the per-user feature state and writes one CSV row per"
                    + " applied event: user_id, event_time (epoch ms), event_type, then the"
                    + " features (empty cell = missing).",
            "Assumes each user's events are in time order within the allowed lateness (true for"
                    + " the REES46 and Taobao files); older events are counted as late."
        })
public final class ReplayFeatures implements Callable<Integer> {

    /** Inputs at least this large get a progress bar on stderr. */
    static final long PROGRESS_THRESHOLD_BYTES = 8L << 20;

    @Option(
            names = "--format",
            required = true,
            converter = FormatConverter.class,
            description = "rees46, taobao or json")
    EventFormat format;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "-",
            description = "CSV file to write, - for stdout (default: ${DEFAULT-VALUE})")
    String output;

    @Option(
            names = "--session-gap",
            defaultValue = "30m",
            converter = DurationConverter.class,
            description = "inactivity that ends a derived session (default: ${DEFAULT-VALUE})")
    Duration sessionGap;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "10m",
            converter = DurationConverter.class,
            description =
                    "how far behind a user's latest event an event is still merged"
                            + " (default: ${DEFAULT-VALUE})")
    Duration allowedLateness;

    @Option(
            names = "--retention",
            defaultValue = "90d",
            converter = DurationConverter.class,
            description =
                    "inactivity after which a user's state expires (default: ${DEFAULT-VALUE})")
    Duration retention;

    @Option(
            names = "--zone",
            defaultValue = "UTC",
            description =
                    "time zone of hour_of_day, day_of_week and calendar days"
                            + " (default: ${DEFAULT-VALUE})")
    ZoneId zone;

    @Option(
            names = "--progress",
            negatable = true,
            description =
                    "show a progress bar on stderr (default: only for inputs of 8 MiB or"
                            + " more)")
    Boolean progress;

    @Parameters(
            arity = "1..*",
            paramLabel = "FILE",
            description = "event files (.gz is read" + " transparently)")
    List<Path> files;

    private final PrintStream err;

    public ReplayFeatures() {
        this(System.err);
    }

    ReplayFeatures(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new ReplayFeatures()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws IOException {
        FeatureConfig config = new FeatureConfig(sessionGap, allowedLateness, retention, zone);
        long totalBytes = 0;
        for (Path file : files) {
            totalBytes += Files.size(file);
        }
        boolean showProgress = progress != null ? progress : totalBytes >= PROGRESS_THRESHOLD_BYTES;

        long started = System.nanoTime();
        FeatureReplay replay;
        try (Writer out = openOutput();
                ProgressBar bar = showProgress ? progressBar(totalBytes) : null) {
            writeHeader(out);
            CsvRows rows = new CsvRows(out);
            replay = new FeatureReplay(config, rows);
            long doneBytes = 0;
            for (Path file : files) {
                try (EventFileReader reader =
                        EventFileReader.open(
                                file,
                                format,
                                (source, line, reason, raw) ->
                                        err.println(
                                                "bad line "
                                                        + source
                                                        + ":"
                                                        + line
                                                        + ": "
                                                        + reason))) {
                    long n = 0;
                    while (reader.hasNext()) {
                        replay.accept(reader.next());
                        if (bar != null && (++n & 0xFFF) == 0) {
                            bar.stepTo(doneBytes + reader.bytesRead());
                        }
                    }
                    rows.checkError();
                    doneBytes += Files.size(file);
                    if (bar != null) {
                        bar.stepTo(doneBytes);
                    }
                    badLines += reader.badLines();
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        err.printf(
                Locale.ROOT,
                "%d events (%d applied, %d late, %d duplicates), %d bad lines, %d users"
                        + " in %.2f s: %.0f events/s%n",
                replay.events(),
                replay.applied(),
                replay.late(),
                replay.duplicates(),
                badLines,
                replay.users(),
                seconds,
                replay.events() / Math.max(seconds, 1e-9));
        return 0;
    }

    private long badLines;

    private Writer openOutput() throws IOException {
        if ("-".equals(output)) {
            // System.out is closed with the writer only at exit; flush instead of closing it
            return new BufferedWriter(
                    new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }
        return Files.newBufferedWriter(Path.of(output), StandardCharsets.UTF_8);
    }

    private ProgressBar progressBar(long totalBytes) {
        return new ProgressBarBuilder()
                .setTaskName("replay")
                .setInitialMax(totalBytes)
                .setUnit("MiB", 1L << 20)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .showSpeed()
                .build();
    }

    private static void writeHeader(Writer out) throws IOException {
        out.write("user_id,event_time,event_type");
        for (String name : FeatureSchema.names()) {
            out.write(',');
            out.write(name);
        }
        out.write('\n');
    }

    /** Writes applied events as CSV rows; late and duplicate events are only counted. */
    static final class CsvRows implements FeatureReplay.Listener {

        private final Writer out;
        private final StringBuilder row = new StringBuilder(512);
        private IOException error;

        CsvRows(Writer out) {
            this.out = out;
        }

        @Override
        public void onEvent(
                ShopperEvent event, ApplyOutcome outcome, UserActivity state, double[] features) {
            if (outcome != ApplyOutcome.APPLIED || error != null) {
                return;
            }
            row.setLength(0);
            appendText(row, event.userId());
            row.append(',').append(event.eventTimeMillis());
            row.append(',').append(event.type().wireName());
            for (double value : features) {
                row.append(',');
                appendNumber(row, value);
            }
            row.append('\n');
            try {
                out.append(row);
            } catch (IOException e) {
                error = e;
            }
        }

        void checkError() throws IOException {
            if (error != null) {
                throw error;
            }
        }
    }

    /** A CSV cell: quoted only when it contains a comma, quote or line break. */
    static void appendText(StringBuilder row, String text) {
        boolean quote = false;
        for (int i = 0; i < text.length() && !quote; i++) {
            char c = text.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        if (!quote) {
            row.append(text);
            return;
        }
        row.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                row.append('"');
            }
            row.append(c);
        }
        row.append('"');
    }

    /** A number cell: empty for NaN, without ".0" for whole numbers. */
    static void appendNumber(StringBuilder row, double value) {
        if (Double.isNaN(value)) {
            return;
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            row.append((long) value);
        } else {
            row.append(value);
        }
    }

    /** Reads --format values. */
    static final class FormatConverter implements CommandLine.ITypeConverter<EventFormat> {
        @Override
        public EventFormat convert(String value) {
            return EventFormat.fromName(value);
        }
    }

    /** Reads durations like 30m, 36h, 7d or PT30M. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }
}
