package io.propensity.job.lifecycle;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watched models directory without a cluster: which files are taken and in which order, and how
 * a file's lines become messages named by file and line, also after a restore mid-file.
 */
class ModelDirectoryFilesTest {

    @TempDir java.nio.file.Path dir;

    @Test
    void shouldTakeNonEmptyJsonFilesDirectlyInTheDirectoryInNameOrder() throws IOException {
        write("b.json", "{}\n");
        write("a.jsonl", "{}\n");
        write("10-later.json", "{}\n");
        write(".b.json.tmp", "{}\n");
        write(".hidden.json", "{}\n");
        write("_in-progress.json", "{}\n");
        write("notes.txt", "{}\n");
        write("empty.json", "");
        Files.createDirectories(dir.resolve("sub.json"));
        Files.writeString(dir.resolve("sub.json/inner.json"), "{}\n");

        Collection<FileSourceSplit> splits =
                new ModelDirectory.ModelFiles()
                        .enumerateSplits(new Path[] {new Path(dir.toUri())}, 1);

        assertThat(splits.stream().map(s -> s.path().getName()))
                .containsExactly("10-later.json", "a.jsonl", "b.json");
        assertThat(splits.stream().map(FileSourceSplit::splitId))
                .as("the path is the split id, unique for the source's lifetime")
                .containsExactly(
                        new Path(dir.resolve("10-later.json").toUri()).toString(),
                        new Path(dir.resolve("a.jsonl").toUri()).toString(),
                        new Path(dir.resolve("b.json").toUri()).toString());
    }

    @Test
    void shouldWatchADirectoryThatDoesNotExistYet() throws IOException {
        Path missing = new Path(dir.resolve("not-yet").toUri());
        assertThat(new ModelDirectory.ModelFiles().enumerateSplits(new Path[] {missing}, 1))
                .isEmpty();
    }

    @Test
    void shouldHandOutFilesByNameWhateverTheOrderTheyArrive() {
        ModelDirectory.FileNameOrder order =
                new ModelDirectory.FileNameOrder(List.of(split("003.json"), split("001.json")));
        order.addSplits(List.of(split("002.json")));

        assertThat(order.remainingSplits()).hasSize(3);
        assertThat(order.getNext(null).orElseThrow().path().getName()).isEqualTo("001.json");
        order.addSplits(List.of(split("000.json")));
        assertThat(order.getNext(null).orElseThrow().path().getName()).isEqualTo("000.json");
        assertThat(order.getNext(null).orElseThrow().path().getName()).isEqualTo("002.json");
        assertThat(order.getNext(null).orElseThrow().path().getName()).isEqualTo("003.json");
        assertThat(order.getNext(null)).isEmpty();
        assertThat(order.remainingSplits()).isEmpty();
    }

    @Test
    void shouldReadOneMessagePerLineNamedByFileAndLineSkippingBlankLines() throws IOException {
        FileSourceSplit split =
                fileSplit(
                        write(
                                "0001.json",
                                "{\"role\":\"purchase-intent\"}\n\n"
                                        + "  \n"
                                        + "{\"role\":\"churn-risk\"}\n"));

        List<ModelControlMessage> messages =
                read(new ModelFileFormat().createReader(new Configuration(), split));

        String file = split.path().toString();
        assertThat(file).startsWith("file:").endsWith("/0001.json");
        assertThat(messages)
                .extracting(ModelControlMessage::where, ModelControlMessage::text)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                file + ":1", "{\"role\":\"purchase-intent\"}"),
                        org.assertj.core.groups.Tuple.tuple(
                                file + ":4", "{\"role\":\"churn-risk\"}"));
        assertThat(messages.get(0).timestamp()).isEqualTo(split.fileModificationTime());
    }

    @Test
    void shouldGoOnAfterTheLinesACheckpointCoversWhenRestored() throws IOException {
        FileSourceSplit split = fileSplit(write("0002.json", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"));

        // the position the source checkpoints after the first line was emitted
        List<RecordAndPosition<ModelControlMessage>> first =
                positions(new ModelFileFormat().createReader(new Configuration(), split));
        assertThat(first.get(0).getOffset()).isEqualTo(CheckpointedPosition.NO_OFFSET);
        assertThat(first.get(0).getRecordSkipCount()).isEqualTo(1);
        FileSourceSplit restored =
                split.updateWithCheckpointedPosition(
                        new CheckpointedPosition(
                                first.get(0).getOffset(), first.get(0).getRecordSkipCount()));

        List<ModelControlMessage> messages =
                read(new ModelFileFormat().restoreReader(new Configuration(), restored));

        assertThat(messages)
                .extracting(ModelControlMessage::text)
                .containsExactly("{\"n\":2}", "{\"n\":3}");
        assertThat(messages.get(0).where()).endsWith("/0002.json:2");
    }

    @Test
    void shouldSkipAFileThatIsGoneBeforeItIsRead() throws IOException {
        java.nio.file.Path file = write("0003.json", "{}\n");
        FileSourceSplit split = fileSplit(file);
        Files.delete(file);

        assertThat(read(new ModelFileFormat().createReader(new Configuration(), split))).isEmpty();
    }

    private java.nio.file.Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static FileSourceSplit split(String name) {
        return new FileSourceSplit(name, new Path("/models/" + name), 0, 1, 0, 1);
    }

    private static FileSourceSplit fileSplit(java.nio.file.Path file) throws IOException {
        long length = Files.size(file);
        Path path = new Path(file.toUri());
        return new FileSourceSplit(
                path.toString(),
                path,
                0,
                length,
                Files.getLastModifiedTime(file).toMillis(),
                length);
    }

    private static List<ModelControlMessage> read(BulkFormat.Reader<ModelControlMessage> reader)
            throws IOException {
        return positions(reader).stream().map(RecordAndPosition::getRecord).toList();
    }

    private static List<RecordAndPosition<ModelControlMessage>> positions(
            BulkFormat.Reader<ModelControlMessage> reader) throws IOException {
        List<RecordAndPosition<ModelControlMessage>> all = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<ModelControlMessage> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<ModelControlMessage> next;
                while ((next = batch.next()) != null) {
                    all.add(
                            new RecordAndPosition<>(
                                    next.getRecord(), next.getOffset(), next.getRecordSkipCount()));
                }
                batch.releaseBatch();
            }
        }
        return all;
    }
}
