package io.propensity.deploy;

import io.propensity.features.io.EventFormat;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PropensityCliTest {

    @Test
    void shouldMoveKafkaPropertiesOutOfTheArgumentsInBothSpellings() {
        Map<String, String> overrides = new LinkedHashMap<>();

        List<String> rest =
                PropensityCli.extractKafkaOverrides(
                        new String[] {
                            "replay",
                            "--kafka.security.protocol",
                            "SASL_SSL",
                            "file.csv",
                            "--kafka.sasl.mechanism=PLAIN",
                            "--topic",
                            "t"
                        },
                        overrides);

        assertThat(rest).containsExactly("replay", "file.csv", "--topic", "t");
        assertThat(overrides)
                .containsExactly(
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("sasl.mechanism", "PLAIN"));
    }

    @Test
    void shouldRefuseAKafkaPropertyWithoutValue() {
        assertThatThrownBy(
                        () ->
                                PropensityCli.extractKafkaOverrides(
                                        new String[] {"alerts", "--kafka.client.id"},
                                        new LinkedHashMap<>()))
                .hasMessageContaining("--kafka.client.id needs a value");
    }

    @Test
    void shouldReturnUsageErrorForAKafkaPropertyWithoutValue() {
        assertThat(PropensityCli.run("alerts", "--kafka.client.id")).isEqualTo(2);
    }

    @Test
    void shouldInferTheFormatOfTheRepositorysDataFilesFromTheirNames() {
        assertThat(
                        ReplayCommand.inferFormat(
                                Path.of("data/taobao-userbehavior-head/UserBehavior_head.csv.gz")))
                .isEqualTo(EventFormat.TAOBAO);
        assertThat(
                        ReplayCommand.inferFormat(
                                Path.of(
                                        "data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz")))
                .isEqualTo(EventFormat.REES46);
        assertThat(ReplayCommand.inferFormat(Path.of("events.jsonl.gz")))
                .isEqualTo(EventFormat.JSON);
        assertThat(ReplayCommand.inferFormat(Path.of("events.json"))).isEqualTo(EventFormat.JSON);
    }
}
