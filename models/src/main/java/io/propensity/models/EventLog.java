package io.propensity.models;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training data: events of one or more files, each user's events in event-time order, with the
 * facts a model card reports about them (files and their sha256, what was left out and why, the
 * time span).
 *
 * <p>Events outside {@code [from, until)} and events of excluded users (for example a user whose
 * history a slice cut off) are left out and counted; unreadable lines are counted and the first few
 * logged with file and line. The whole log is held in memory, grouped by user: fine for the
 * hundred-thousand-event slices in {@code data/}; a log of tens of millions of events would need a
 * file sorted by user and a streaming replay instead.
 */
public final class EventLog {

    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    private static final int LOGGED_BAD_LINES = 10;

    private final Map<String, List<ShopperEvent>> eventsByUser;
    private final List<DataFile> files;
    private final long startMillis;
    private final long endMillis;
    private final long events;
    private final long badLines;
    private final long outsideWindow;
    private final long excludedUserEvents;

    private EventLog(
            Map<String, List<ShopperEvent>> eventsByUser,
            List<DataFile> files,
            long startMillis,
            long endMillis,
            long events,
            long badLines,
            long outsideWindow,
            long excludedUserEvents) {
        this.eventsByUser = eventsByUser;
        this.files = files;
        this.startMillis = startMillis;
        this.endMillis = endMillis;
        this.events = events;
        this.badLines = badLines;
        this.outsideWindow = outsideWindow;
        this.excludedUserEvents = excludedUserEvents;
    }

    /**
     * One input file.
     *
     * @param path as given
     * @param sha256 of the file's bytes as stored (compressed if it is)
     * @param events events read from it (before the window and user filters)
     * @param badLines lines refused by the reader
     */
    public record DataFile(String path, String sha256, long events, long badLines) {}

    /**
     * Reads files.
     *
     * @param fromMillis first event time kept, or {@link Long#MIN_VALUE}
     * @param untilMillis events at or after it are left out, or {@link Long#MAX_VALUE}; when given,
     *     it is also the end of the data for censoring
     * @param excludedUsers user ids left out entirely
     */
    public static EventLog read(
            List<Path> paths,
            EventFormat format,
            long fromMillis,
            long untilMillis,
            Set<String> excludedUsers)
            throws IOException {
        Map<String, List<ShopperEvent>> byUser = new LinkedHashMap<>();
        List<DataFile> files = new ArrayList<>();
        long kept = 0;
        long bad = 0;
        long outside = 0;
        long excluded = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Path path : paths) {
            long[] fileBad = new long[1];
            long fileEvents = 0;
            try (EventFileReader reader =
                    EventFileReader.open(
                            path,
                            format,
                            (source, line, reason, raw) -> {
                                if (fileBad[0]++ < LOGGED_BAD_LINES) {
                                    LOG.warn(
                                            "Skipping bad line {}:{}: {} ({})",
                                            source,
                                            line,
                                            reason,
                                            raw);
                                }
                            })) {
                while (reader.hasNext()) {
                    ShopperEvent event = reader.next();
                    fileEvents++;
                    if (excludedUsers.contains(event.userId())) {
                        excluded++;
                    } else if (event.eventTimeMillis() < fromMillis
                            || event.eventTimeMillis() >= untilMillis) {
                        outside++;
                    } else {
                        byUser.computeIfAbsent(event.userId(), user -> new ArrayList<>())
                                .add(event);
                        min = Math.min(min, event.eventTimeMillis());
                        max = Math.max(max, event.eventTimeMillis());
                        kept++;
                    }
                }
            }
            if (fileBad[0] > LOGGED_BAD_LINES) {
                LOG.warn("{} bad lines in {} ({} logged)", fileBad[0], path, LOGGED_BAD_LINES);
            }
            bad += fileBad[0];
            files.add(new DataFile(path.toString(), sha256(path), fileEvents, fileBad[0]));
            LOG.info("Read {} events from {} ({} bad lines)", fileEvents, path, fileBad[0]);
        }
        if (kept == 0) {
            throw new IllegalArgumentException("no events left to train on in " + paths);
        }
        // stable sort: events at the same instant keep their file order, as in a Kafka partition
        for (List<ShopperEvent> userEvents : byUser.values()) {
            userEvents.sort(Comparator.comparingLong(ShopperEvent::eventTimeMillis));
        }
        long start = fromMillis == Long.MIN_VALUE ? min : fromMillis;
        long end = untilMillis == Long.MAX_VALUE ? max : untilMillis;
        return new EventLog(byUser, files, start, end, kept, bad, outside, excluded);
    }

    /** Builds a log from events in memory (tests); the data runs from the first to the last. */
    public static EventLog of(List<ShopperEvent> events) {
        Map<String, List<ShopperEvent>> byUser = new LinkedHashMap<>();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (ShopperEvent event : events) {
            byUser.computeIfAbsent(event.userId(), user -> new ArrayList<>()).add(event);
            min = Math.min(min, event.eventTimeMillis());
            max = Math.max(max, event.eventTimeMillis());
        }
        for (List<ShopperEvent> userEvents : byUser.values()) {
            userEvents.sort(Comparator.comparingLong(ShopperEvent::eventTimeMillis));
        }
        return new EventLog(byUser, List.of(), min, max, events.size(), 0, 0, 0);
    }

    /** Each user's events in event-time order, users in order of first appearance. */
    public Map<String, List<ShopperEvent>> eventsByUser() {
        return eventsByUser;
    }

    /** The input files. */
    public List<DataFile> files() {
        return files;
    }

    /** Start of the data: the window start, else the first event. */
    public long startMillis() {
        return startMillis;
    }

    /** End of the data for censoring: the window end, else the last event. */
    public long endMillis() {
        return endMillis;
    }

    /** Events kept. */
    public long events() {
        return events;
    }

    /** Users kept. */
    public int users() {
        return eventsByUser.size();
    }

    /** Lines the readers refused. */
    public long badLines() {
        return badLines;
    }

    /** Events left out for being outside the window. */
    public long outsideWindow() {
        return outsideWindow;
    }

    /** Events left out for belonging to an excluded user. */
    public long excludedUserEvents() {
        return excludedUserEvents;
    }

    static String sha256(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = in.read(buffer)) > 0) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
