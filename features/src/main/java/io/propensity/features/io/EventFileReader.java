package io.propensity.features.io;

import io.propensity.features.ShopperEvent;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Streams the events of one file in any {@link EventFormat}, in file order, in constant memory.
 * Files ending in {@code .gz} are decompressed transparently. Every line that is not a valid event
 * (including a cut-off last line) is reported to the {@link BadRecordListener} with file, line
 * number and reason, and counted; none is dropped silently.
 *
 * <p>A last line without a line terminator is accepted when it parses; when it does not, its reason
 * says that the file ends with a cut-off line. An empty line is refused like any other bad line.
 * I/O errors surface as {@link UncheckedIOException} from {@link #hasNext()} and {@link #next()}.
 * Not thread-safe.
 */
public final class EventFileReader implements Iterator<ShopperEvent>, Closeable {

    /** Longest raw text handed to the listener; longer lines are cut and marked. */
    static final int MAX_RAW_CHARS = 500;

    private final String source;
    private final EventLineParser parser;
    private final BadRecordListener listener;
    private final CountingInputStream counted;
    private final LineSource lines;

    private ShopperEvent pending;
    private long linesRead;
    private long eventsRead;
    private long badLines;

    private EventFileReader(
            String source,
            EventLineParser parser,
            BadRecordListener listener,
            CountingInputStream counted,
            Reader reader) {
        this.source = source;
        this.parser = parser;
        this.listener = listener;
        this.counted = counted;
        this.lines = new LineSource(reader);
    }

    /** Opens a file. */
    public static EventFileReader open(Path file, EventFormat format, BadRecordListener listener)
            throws IOException {
        CountingInputStream counted = new CountingInputStream(Files.newInputStream(file));
        InputStream in = counted;
        try {
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(counted, 1 << 16);
            }
        } catch (IOException e) {
            counted.close();
            throw new IOException(file + " ends in .gz but is not gzip: " + e.getMessage(), e);
        }
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        return new EventFileReader(
                file.toString(), EventLineParser.of(format), listener, counted, reader);
    }

    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                linesRead++;
                if (linesRead == 1 && parser.isHeader(line)) {
                    continue;
                }
                try {
                    pending = parser.parse(line);
                    eventsRead++;
                    return true;
                } catch (MalformedEventException | IllegalArgumentException e) {
                    badLines++;
                    String reason = e.getMessage();
                    if (!lines.lastLineTerminated()) {
                        reason = "cut-off last line (no line terminator): " + reason;
                    } else if (line.isEmpty()) {
                        reason = "empty line";
                    }
                    listener.onBadRecord(source, linesRead, reason, raw(line));
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " at line " + linesRead, e);
        }
    }

    @Override
    public ShopperEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more events in " + source);
        }
        ShopperEvent event = pending;
        pending = null;
        return event;
    }

    /** Lines read so far, header included. */
    public long linesRead() {
        return linesRead;
    }

    /** Events returned so far. */
    public long eventsRead() {
        return eventsRead;
    }

    /** Lines refused so far. */
    public long badLines() {
        return badLines;
    }

    /**
     * Bytes of the file consumed so far (compressed bytes for {@code .gz}), for progress reporting
     * against the file size. Runs ahead of the events returned by up to one read buffer.
     */
    public long bytesRead() {
        return counted.count;
    }

    /** The file name used in bad-record reports. */
    public String source() {
        return source;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    private static String raw(String line) {
        return line.length() <= MAX_RAW_CHARS
                ? line
                : line.substring(0, MAX_RAW_CHARS) + "...(" + line.length() + " chars)";
    }

    /** Counts the bytes read from the file, before decompression. */
    private static final class CountingInputStream extends FilterInputStream {

        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }

    /**
     * Splits characters into lines on {@code \n}, {@code \r\n} or {@code \r}, remembering whether
     * the latest line ended with a terminator (BufferedReader hides that, and a cut-off last line
     * is exactly what it hides).
     */
    private static final class LineSource implements Closeable {

        private final Reader reader;
        private final char[] buffer = new char[1 << 16];
        private final StringBuilder line = new StringBuilder(256);
        private int position;
        private int limit;
        private boolean terminated = true;
        private boolean skipLineFeed;

        LineSource(Reader reader) {
            this.reader = reader;
        }

        String readLine() throws IOException {
            line.setLength(0);
            while (true) {
                if (position == limit) {
                    limit = reader.read(buffer, 0, buffer.length);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        if (line.length() == 0) {
                            return null;
                        }
                        terminated = false;
                        return line.toString();
                    }
                }
                if (skipLineFeed) {
                    skipLineFeed = false;
                    if (buffer[position] == '\n') {
                        position++;
                        continue;
                    }
                }
                int start = position;
                while (position < limit) {
                    char c = buffer[position];
                    if (c == '\n' || c == '\r') {
                        line.append(buffer, start, position - start);
                        position++;
                        skipLineFeed = c == '\r';
                        terminated = true;
                        return line.toString();
                    }
                    position++;
                }
                line.append(buffer, start, position - start);
            }
        }

        boolean lastLineTerminated() {
            return terminated;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
