package io.propensity.bench.harness;

import io.propensity.bench.synthetic.SyntheticEventGenerator;
import io.propensity.bench.synthetic.SyntheticProfile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Smoke test of the harness on a tiny stream: every phase but Kafka runs and prints its numbers
 * (two of the four variants, to stay quick; the others differ only in the models handed to the
 * job). Nothing about speed is asserted (the CI machine is shared); what is checked is that the
 * harness measures what it says: every event reaches the pass-through's sink, and the state run
 * counts the users and events the generator made.
 */
class EndToEndTest {

    @TempDir Path work;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void shouldRunEveryPhaseAndPrintNumbers() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit =
                new CommandLine(new EndToEnd(out))
                        .execute(
                                "--events", "2000",
                                "--variants", "PASS_THROUGH,COMPILED",
                                "--warmup-events", "0",
                                "--latency-seconds", "1",
                                "--latency-warmup", "0",
                                "--latency-rate", "1500",
                                "--latency-threshold", "0.0",
                                "--state", "40",
                                "--work-dir", work.toString());
        String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(report);

        assertThat(exit).isZero();
        // every event reaches the pass-through's sink
        assertThat(report).containsPattern("\\| pass-through \\|( [^|]+ \\|){6} 2,000 \\|");
        for (Variant variant : List.of(Variant.PASS_THROUGH, Variant.COMPILED)) {
            assertThat(report)
                    .containsPattern("\\| " + Pattern.quote(variant.label) + " \\| [0-9,]+ \\|");
        }
        // with threshold 0 every event alerts, so latencies exist; the row starts with their count
        Matcher latency =
                Pattern.compile(
                                "\\| alerts timed \\|.*\\R\\|---.*\\R"
                                        + "\\| ([0-9,]+) \\| ([0-9.]+) \\| ([0-9.]+) \\|")
                        .matcher(report);
        assertThat(latency.find()).isTrue();
        assertThat(Long.parseLong(latency.group(1).replace(",", ""))).isPositive();

        // the state run's user count is the generator's, counted here independently
        SyntheticEventGenerator generator =
                new SyntheticEventGenerator(
                        SyntheticProfile.load(),
                        new SyntheticEventGenerator.Settings(
                                42,
                                Instant.parse("2024-01-01T00:00:00Z"),
                                40,
                                Long.MAX_VALUE,
                                Duration.ofMillis(
                                        SyntheticProfile.load().behaviour().windowMillis()),
                                0));
        Set<String> users = new HashSet<>();
        long events = 0;
        while (generator.hasNext()) {
            users.add(generator.next().userId());
            events++;
        }
        assertThat(report).contains(String.format("| %,d | %,d | ", users.size(), events));
    }

    @Test
    void shouldTakeQuantilesByNearestRank() {
        long[] millis = new long[1000];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = (i + 1) * 1_000_000L;
        }
        // nearest rank: p50 of 1..1000 is the 500th value, p99.9 the 999th
        assertThat(EndToEnd.quantileMillis(millis, 0.50)).isEqualTo(500.0);
        assertThat(EndToEnd.quantileMillis(millis, 0.99)).isEqualTo(990.0);
        assertThat(EndToEnd.quantileMillis(millis, 0.999)).isEqualTo(999.0);
        assertThat(EndToEnd.quantileMillis(new long[0], 0.5)).isNaN();
    }
}
