package io.propensity.deploy;

import org.junit.jupiter.api.Test;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay's progress lines reach the terminal in one write each, so the alert printer that the
 * quickstart runs beside it cannot split them.
 */
class ReplayProgressTest {

    /** Every write that reaches the file descriptor, as the terminal would see them. */
    private static final class Writes extends OutputStream {
        final List<String> writes = new ArrayList<>();

        @Override
        public void write(int b) {
            writes.add(String.valueOf((char) b));
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            writes.add(new String(bytes, offset, length, StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldWriteEachProgressLineInOneWrite() {
        Writes terminal = new Writes();
        // what System.out is: auto-flushing, over a small buffer
        PrintStream out =
                new PrintStream(
                        new BufferedOutputStream(terminal, 128), true, StandardCharsets.UTF_8);

        try (ReplayCommand.Progress progress =
                ReplayCommand.Progress.create(ReplayCommand.ProgressStyle.lines, 0, out)) {
            progress.update(1_212, 1_511_657_000_000L);
            progress.update(2_689, 1_511_800_000_000L);
        }

        assertThat(terminal.writes).hasSize(2);
        assertThat(terminal.writes.get(0))
                .startsWith("replay: 1,212 events sent, event time 2017-11-26T00:43:20Z, ")
                .endsWith(" events/s" + System.lineSeparator());
        assertThat(terminal.writes.get(1)).startsWith("replay: 2,689 events sent, ");
    }
}
