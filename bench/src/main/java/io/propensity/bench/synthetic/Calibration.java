package io.propensity.bench.synthetic;

import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Computes a {@link SyntheticProfile} from real event files: behaviour from files with complete
 * per-user histories, the catalogue from files with products and prices. Files are read with the
 * features module's {@link EventFileReader}, so they are parsed exactly as the job and training
 * parse them; refused lines are logged (the first few per file) and counted in the profile.
 */
public final class Calibration {

    private static final Logger LOG = LoggerFactory.getLogger(Calibration.class);
    private static final int LOGGED_BAD_LINES_PER_FILE = 5;

    private Calibration() {}

    /**
     * One input file.
     *
     * @param file the path
     * @param format its format
     */
    public record Input(Path file, EventFormat format) {

        public Input {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(format, "format");
        }

        /**
         * Parses {@code FORMAT:PATH}, for example {@code taobao:data/x.csv.gz}.
         *
         * @throws IllegalArgumentException naming the text when it has no known format prefix
         */
        public static Input parse(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(
                        "'" + text + "' is not FORMAT:PATH (for example taobao:data/x.csv.gz)");
            }
            return new Input(
                    Path.of(text.substring(colon + 1)),
                    EventFormat.fromName(text.substring(0, colon)));
        }
    }

    /**
     * Reads the files and computes the profile.
     *
     * @param behaviourFiles files with complete per-user histories
     * @param catalogueFiles files with products, categories and prices
     * @param sessionGap the gap that starts a new session
     * @param windowStart behaviour events before this are left out, or {@code null}
     * @param windowEnd behaviour events at or after this are left out, or {@code null}
     */
    public static SyntheticProfile calibrate(
            List<Input> behaviourFiles,
            List<Input> catalogueFiles,
            Duration sessionGap,
            Instant windowStart,
            Instant windowEnd)
            throws IOException {
        if (behaviourFiles.isEmpty() || catalogueFiles.isEmpty()) {
            throw new IllegalArgumentException(
                    "calibration needs at least one behaviour file and one catalogue file");
        }
        List<SyntheticProfile.SourceFile> sources = new ArrayList<>();
        BehaviourCalibrator behaviour = new BehaviourCalibrator(sessionGap, windowStart, windowEnd);
        for (Input input : behaviourFiles) {
            long outsideBefore = behaviour.outsideWindow();
            sources.add(
                    read(
                            input,
                            "behaviour",
                            behaviour::accept,
                            () -> behaviour.outsideWindow() - outsideBefore));
        }
        CatalogueCalibrator catalogue = new CatalogueCalibrator();
        for (Input input : catalogueFiles) {
            sources.add(read(input, "catalogue", catalogue::accept, () -> 0L));
        }
        return new SyntheticProfile(
                SyntheticProfile.FORMAT_VERSION,
                "Statistics of real event logs for the SYNTHETIC event generator"
                        + " (bench/SYNTHETIC.md). Recompute with 'SyntheticEvents calibrate';"
                        + " do not edit by hand.",
                sources,
                behaviour.result(),
                catalogue.result());
    }

    private static SyntheticProfile.SourceFile read(
            Input input, String usedFor, Consumer<ShopperEvent> sink, LongSupplier outsideWindow)
            throws IOException {
        long[] bad = new long[1];
        long events = 0;
        try (EventFileReader reader =
                EventFileReader.open(
                        input.file(),
                        input.format(),
                        (source, line, reason, raw) -> {
                            if (++bad[0] <= LOGGED_BAD_LINES_PER_FILE) {
                                LOG.warn(
                                        "Calibration skips line {} of {}: {} ({})",
                                        line,
                                        source,
                                        reason,
                                        raw);
                            }
                        })) {
            while (reader.hasNext()) {
                sink.accept(reader.next());
                events++;
            }
        }
        long outside = outsideWindow.getAsLong();
        LOG.info(
                "Calibrated {} on {}: {} events kept, {} outside the window, {} lines refused",
                usedFor,
                input.file(),
                events - outside,
                outside,
                bad[0]);
        return new SyntheticProfile.SourceFile(
                sourceName(input.file()),
                input.format().cliName(),
                usedFor,
                sha256(input.file()),
                events - outside,
                bad[0],
                outside);
    }

    /** The file's folder and name, which identify a data set under {@code data/}. */
    static String sourceName(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        return parent == null || parent.getFileName() == null
                ? absolute.getFileName().toString()
                : parent.getFileName() + "/" + absolute.getFileName();
    }

    /** The SHA-256 of a file's bytes, lower-case hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
