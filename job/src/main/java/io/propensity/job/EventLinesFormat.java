package io.propensity.job;

import io.propensity.features.io.EventFormat;
import io.propensity.features.io.EventLineParser;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads an event file of any {@link EventFormat} for the bounded {@code --input-file} mode, line by
 * line, into {@link SourceRecord}s, with the same checks as the Kafka source. A header row is
 * skipped; every other line becomes an event or a dead letter (topic {@code file:<path>}, offset =
 * line number). Flink's file source decompresses {@code .gz} files by their extension. A file is
 * read as one split (the formats are not splittable by byte offset).
 */
public final class EventLinesFormat extends SimpleStreamFormat<SourceRecord> {

    private static final long serialVersionUID = 1L;

    private final EventFormat format;
    private final String source;
    private final InputLimits limits;
    private final ProcessingClock clock;

    /**
     * @param format the file's format
     * @param file the file, for dead letters
     */
    public EventLinesFormat(
            EventFormat format, String file, InputLimits limits, ProcessingClock clock) {
        this.format = format;
        this.source = "file:" + file;
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    public StreamFormat.Reader<SourceRecord> createReader(
            Configuration config, FSDataInputStream stream) {
        EventLineParser parser = EventLineParser.of(format);
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        return new StreamFormat.Reader<>() {
            private long lineNumber;

            @Override
            public SourceRecord read() throws IOException {
                String line;
                while ((line = lines.readLine()) != null) {
                    lineNumber++;
                    if (lineNumber == 1 && parser.isHeader(line)) {
                        continue;
                    }
                    return limits.admitLine(line, parser, source, lineNumber, clock.millis());
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
