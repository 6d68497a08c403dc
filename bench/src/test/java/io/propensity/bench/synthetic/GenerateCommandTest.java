package io.propensity.bench.synthetic;

import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GenerateCommandTest {

    @TempDir Path dir;

    @Test
    void shouldWriteJsonLinesThatTheEventReaderReadsBack() throws Exception {
        Path file = dir.resolve("events.jsonl.gz");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SyntheticEvents()).setErr(new PrintWriter(err));

        int exit =
                cli.execute(
                        "generate",
                        "--events",
                        "5000",
                        "--seed",
                        "3",
                        "--start",
                        "2020-02-02T00:00:00Z",
                        "--output",
                        file.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).contains("wrote 5000 synthetic events");
        List<ShopperEvent> events = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        try (EventFileReader reader =
                EventFileReader.open(
                        file, EventFormat.JSON, (source, line, reason, raw) -> bad.add(reason))) {
            reader.forEachRemaining(events::add);
        }
        assertThat(bad).isEmpty();
        assertThat(events).hasSize(5000);
        assertThat(events.get(0).eventTimeMillis()).isEqualTo(1_580_601_600_000L);
        SyntheticProfile profile = SyntheticProfile.load();
        assertThat(events)
                .isEqualTo(
                        drain(
                                new SyntheticEventGenerator(
                                        profile,
                                        new SyntheticEventGenerator.Settings(
                                                3,
                                                Instant.parse("2020-02-02T00:00:00Z"),
                                                0,
                                                5000,
                                                Duration.ofMillis(
                                                        profile.behaviour().windowMillis()),
                                                0))));
    }

    @Test
    void shouldRefuseToRunWithoutUsersOrEvents() {
        StringWriter err = new StringWriter();
        int exit =
                new CommandLine(new SyntheticEvents())
                        .setErr(new PrintWriter(err))
                        .execute("generate", "--output", dir.resolve("x").toString());
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("give --users, --events or both");
    }

    private static List<ShopperEvent> drain(SyntheticEventGenerator generator) {
        List<ShopperEvent> events = new ArrayList<>();
        generator.forEachRemaining(events::add);
        return events;
    }
}
