package io.propensity.features.cli;

import io.propensity.features.FeatureSchema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayFeaturesTest {

    @Test
    void shouldWriteOneRowPerAppliedEventAndCountTheRest(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("events.jsonl");
        Files.writeString(
                input,
                String.join(
                        "\n",
                        "{\"user_id\":\"u,1\",\"event_time\":60000,\"event_type\":\"view\",\"price\":2.5}",
                        "{\"user_id\":\"u,1\",\"event_time\":120000,\"event_type\":\"cart\"}",
                        "{\"user_id\":\"u,1\",\"event_time\":120000,\"event_type\":\"cart\"}",
                        "{\"user_id\":\"u,1\",\"event_time\":\"oops\",\"event_type\":\"cart\"}",
                        "{\"user_id\":\"v\",\"event_time\":0,\"event_type\":\"purchase\"}",
                        "{\"user_id\":\"u,1\",\"event_time\":0,\"event_type\":\"view\"}",
                        ""));
        Path output = dir.resolve("features.csv");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code =
                new CommandLine(
                                new ReplayFeatures(
                                        new PrintStream(err, true, StandardCharsets.UTF_8)))
                        .execute(
                                "--format",
                                "json",
                                "--allowed-lateness",
                                "1m",
                                "-o",
                                output.toString(),
                                input.toString());

        assertThat(code).isZero();
        List<String> lines = Files.readAllLines(output);
        assertThat(lines.get(0))
                .isEqualTo(
                        "user_id,event_time,event_type," + String.join(",", FeatureSchema.names()));
        assertThat(lines).hasSize(4);
        String[] cart = lines.get(2).split(",", -1);
        // the quoted user id spans two split cells: "u and 1"
        assertThat(cart[0] + "," + cart[1]).isEqualTo("\"u,1\"");
        assertThat(cart[2]).isEqualTo("120000");
        assertThat(cart[3]).isEqualTo("cart");
        int offset = 4; // user id (2 cells here), time, type
        assertThat(cart[offset + FeatureSchema.VIEW_COUNT_1H]).isEqualTo("1");
        assertThat(cart[offset + FeatureSchema.SECONDS_SINCE_PREVIOUS_EVENT]).isEqualTo("60");
        assertThat(cart[offset + FeatureSchema.MEAN_VIEW_PRICE_24H]).isEqualTo("2.5");
        assertThat(cart[offset + FeatureSchema.SECONDS_SINCE_LAST_PURCHASE]).isEmpty();
        assertThat(cart[offset + FeatureSchema.CART_TO_PURCHASE_RATIO_7D]).isEqualTo("0");
        String report = err.toString(StandardCharsets.UTF_8);
        assertThat(report)
                .contains("events.jsonl:4: field 'event_time'")
                .contains("5 events (3 applied, 1 late, 1 duplicates), 1 bad lines, 2 users");
    }
}
