package io.propensity.job.lifecycle;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * Reads a file of the watched models directory as control messages: one JSON object per line
 * (UTF-8), the same JSON as a record of the control topic. Blank lines are skipped; every other
 * line becomes a {@link ModelControlMessage} named {@code <file>:<line>}, so a bad line is rejected
 * with its file and line number like any bad message.
 *
 * <p>The lines are read by Flink's {@link TextLineInputFormat}; this format only adds the file and
 * the line to each of them, which a record stream format never sees. The position the file source
 * checkpoints is the number of lines emitted, so a restored reader goes on after the last line the
 * checkpoint covers, and that count is also the line number.
 *
 * <p>A file that is gone or empty by the time it is read yields nothing (it is never retried: the
 * directory's enumerator has recorded its name); other read errors fail the task and the job
 * restarts from its checkpoint, as for any source.
 */
final class ModelFileFormat implements BulkFormat<ModelControlMessage, FileSourceSplit> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelFileFormat.class);

    // StreamFormatAdapter is @Internal, but it is how FileSource itself reads every stream
    // format; should it change, the file tests (ModelFileFormatTest) fail, not a running job
    private final StreamFormatAdapter<String> lines =
            new StreamFormatAdapter<>(new TextLineInputFormat());

    @Override
    public BulkFormat.Reader<ModelControlMessage> createReader(
            Configuration config, FileSourceSplit split) throws IOException {
        if (vanishedOrEmpty(split.path())) {
            return new Messages(null, split);
        }
        return new Messages(lines.createReader(config, split), split);
    }

    @Override
    public BulkFormat.Reader<ModelControlMessage> restoreReader(
            Configuration config, FileSourceSplit split) throws IOException {
        if (vanishedOrEmpty(split.path())) {
            return new Messages(null, split);
        }
        return new Messages(lines.restoreReader(config, split), split);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<ModelControlMessage> getProducedType() {
        return TypeInformation.of(ModelControlMessage.class);
    }

    private static boolean vanishedOrEmpty(Path file) throws IOException {
        try {
            if (file.getFileSystem().getFileStatus(file).getLen() > 0) {
                return false;
            }
            LOG.warn("models file {} is empty now; it is skipped and not read again", file);
        } catch (FileNotFoundException e) {
            LOG.warn("models file {} is gone before it was read; it is skipped", file);
        }
        return true;
    }

    /** The lines of one file as messages; {@code lines} is {@code null} for nothing to read. */
    private static final class Messages implements BulkFormat.Reader<ModelControlMessage> {

        private final BulkFormat.Reader<String> lines;
        private final String file;
        private final long modificationTime;

        Messages(BulkFormat.Reader<String> lines, FileSourceSplit split) {
            this.lines = lines;
            this.file = split.path().toString();
            this.modificationTime = split.fileModificationTime();
        }

        @Override
        public RecordIterator<ModelControlMessage> readBatch() throws IOException {
            RecordIterator<String> batch = lines == null ? null : lines.readBatch();
            if (batch == null) {
                return null;
            }
            return new RecordIterator<>() {
                @Override
                public RecordAndPosition<ModelControlMessage> next() {
                    RecordAndPosition<String> line;
                    while ((line = batch.next()) != null) {
                        if (line.getRecord().isBlank()) {
                            continue;
                        }
                        // a text line reader checkpoints no byte offset, only the lines read:
                        // the skip count after this line is its 1-based number
                        long number = line.getRecordSkipCount();
                        return new RecordAndPosition<>(
                                ModelControlMessage.fromFile(
                                        file, number, modificationTime, line.getRecord().trim()),
                                line.getOffset(),
                                number);
                    }
                    return null;
                }

                @Override
                public void releaseBatch() {
                    batch.releaseBatch();
                }
            };
        }

        @Override
        public void close() throws IOException {
            if (lines != null) {
                lines.close();
            }
        }
    }
}
