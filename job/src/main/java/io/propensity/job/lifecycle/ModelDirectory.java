package io.propensity.job.lifecycle;

import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The watched models directory ({@code --models-dir}): a continuously monitoring {@link FileSource}
 * whose files become control messages, in file-name order, one per line ({@link ModelFileFormat}).
 *
 * <p>Which files: those directly in the directory (no subdirectories) whose names end in {@code
 * .json} or {@code .jsonl} and do not start with {@code .} or {@code _}, and that are not empty. So
 * a file written under a hidden or other name and then renamed is read only once complete.
 *
 * <p>Each file is read once. The source's enumerator (on the JobManager) remembers every path it
 * has handed out, and that set, with the files found but not yet read, is in its checkpointed
 * state; the reader checkpoints the file it is reading and how many lines it has emitted. After a
 * restore, files already applied are not read again, and a file read halfway goes on after the last
 * line the checkpoint covers. A file rewritten in place keeps its path and is therefore never read
 * again: a change is a new file with a later name. Without a checkpoint (a fresh start) every file
 * is read again, in name order, as the control topic is read from its beginning.
 *
 * <p>Order: within one scan the files are handed out by name (the single reader asks for the next
 * file only when done with the current one). A file that appears in a later scan comes after every
 * file already handed out, whatever its name.
 */
public final class ModelDirectory {

    private ModelDirectory() {}

    /**
     * The directory's source (parallelism 1, like the control topic's).
     *
     * @param directory any Flink file system path: the JobManager lists it, the TaskManagers read
     *     its files
     * @param interval how often the directory is listed
     */
    public static FileSource<ModelControlMessage> source(String directory, Duration interval) {
        return FileSource.forBulkFileFormat(new ModelFileFormat(), new Path(directory))
                .monitorContinuously(interval)
                .setFileEnumerator(ModelFiles::new)
                .setSplitAssigner(FileNameOrder::new)
                .build();
    }

    /** Whether a file name is a models file: {@code *.json} or {@code *.jsonl}, not hidden. */
    static boolean isModelsFile(String name) {
        return !name.startsWith(".")
                && !name.startsWith("_")
                && (name.endsWith(".json") || name.endsWith(".jsonl"));
    }

    /** Lists the models files of the directory, one split per file, its path as the split id. */
    static final class ModelFiles implements FileEnumerator {

        private static final Logger LOG = LoggerFactory.getLogger(ModelFiles.class);

        private boolean warnedMissing;

        @Override
        public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits)
                throws IOException {
            List<FileSourceSplit> splits = new ArrayList<>();
            for (Path directory : paths) {
                FileSystem fs = directory.getFileSystem();
                FileStatus[] listed = fs.exists(directory) ? fs.listStatus(directory) : null;
                if (listed == null) {
                    // an operator may create it later; warn once, not at every scan
                    if (!warnedMissing) {
                        LOG.warn("models directory {} does not exist (yet); watching", directory);
                        warnedMissing = true;
                    }
                    continue;
                }
                warnedMissing = false;
                for (FileStatus file : listed) {
                    if (file.isDir()
                            || file.getLen() == 0
                            || !isModelsFile(file.getPath().getName())) {
                        // an empty file is not recorded as read: it is taken once it has content
                        continue;
                    }
                    splits.add(
                            new FileSourceSplit(
                                    file.getPath().toString(),
                                    file.getPath(),
                                    0,
                                    file.getLen(),
                                    file.getModificationTime(),
                                    file.getLen()));
                }
            }
            splits.sort(Comparator.comparing(split -> split.path().toString()));
            return splits;
        }
    }

    /** Hands out the files not yet read by path, so by name within the one directory. */
    static final class FileNameOrder implements FileSplitAssigner {

        private final TreeMap<String, FileSourceSplit> pending = new TreeMap<>();

        FileNameOrder(Collection<FileSourceSplit> restored) {
            addSplits(restored);
        }

        @Override
        public Optional<FileSourceSplit> getNext(String hostname) {
            Map.Entry<String, FileSourceSplit> first = pending.pollFirstEntry();
            return first == null ? Optional.empty() : Optional.of(first.getValue());
        }

        @Override
        public void addSplits(Collection<FileSourceSplit> splits) {
            for (FileSourceSplit split : splits) {
                pending.put(split.path().toString(), split);
            }
        }

        @Override
        public Collection<FileSourceSplit> remainingSplits() {
            return new ArrayList<>(pending.values());
        }
    }
}
