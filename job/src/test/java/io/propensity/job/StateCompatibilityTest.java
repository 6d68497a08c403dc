package io.propensity.job;

import io.propensity.features.FeatureConfig;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a restore may continue: the record's checks, each difference named with both values. */
class StateCompatibilityTest {

    private static final FeatureConfig DEFAULTS = FeatureConfig.defaults();

    private static FeatureConfig config(
            String gap, String lateness, String retention, String zone) {
        return new FeatureConfig(
                Duration.parse(gap),
                Duration.parse(lateness),
                Duration.parse(retention),
                ZoneId.of(zone));
    }

    private static StateCompatibility saved(List<String> entries) {
        return StateCompatibility.restored(entries);
    }

    @Test
    void shouldKeepItsValuesAsReadableEntries() {
        assertThat(StateCompatibility.of(DEFAULTS, 2).entries())
                .containsExactlyInAnyOrder(
                        "keyed_state=user",
                        "state_format_versions=2",
                        "feature_version=1",
                        "session_gap=30m",
                        "allowed_lateness=10m",
                        "zone=UTC",
                        "retention=90d");
    }

    @Test
    void shouldContinueTheSameRulesAnOlderFormatAndAnotherRetention() {
        StateCompatibility job = StateCompatibility.of(DEFAULTS, 2);
        StateCompatibility old =
                saved(StateCompatibility.of(config("PT30M", "PT10M", "P30D", "UTC"), 1).entries());

        assertThat(job.problemsContinuing(old)).isEmpty();
        assertThat(job.retentionChange(old)).isEqualTo("saved 30d, this job 90d");
        // states of both versions may be in the state now
        assertThat(job.continuing(old).entries()).contains("state_format_versions=1,2");
        assertThat(job.retentionChange(saved(job.entries()))).isEmpty();
    }

    @Test
    void shouldNameEachIncompatibleDifferenceWithBothValues() {
        StateCompatibility job =
                StateCompatibility.of(config("PT45M", "PT5M", "P90D", "Europe/Paris"), 2);
        StateCompatibility old = saved(StateCompatibility.of(DEFAULTS, 2).entries());

        assertThat(job.problemsContinuing(old).split("\n"))
                .containsExactly(
                        "session_gap: saved 30m, this job 45m (--session-gap)",
                        "allowed_lateness: saved 10m, this job 5m (--allowed-lateness)",
                        "zone: saved UTC, this job Europe/Paris (the purchase model card's"
                                + " feature_config.zone)");
    }

    @Test
    void shouldRefuseAFormatVersionThisBuildCannotReadAndAnotherFeatureVersion() {
        StateCompatibility job = StateCompatibility.of(DEFAULTS, 2);
        StateCompatibility newer =
                saved(
                        List.of(
                                "keyed_state=user",
                                "state_format_versions=2,3",
                                "feature_version=2",
                                "session_gap=30m",
                                "allowed_lateness=10m",
                                "zone=UTC",
                                "retention=90d"));

        assertThat(job.problemsContinuing(newer).split("\n"))
                .containsExactly(
                        "state_format_versions: saved 2,3, this build reads 1 to 2",
                        "feature_version: saved 2, this job 1 (the feature schema version of this"
                                + " build)");
        assertThat(StateCompatibility.incompatibleMessage("x"))
                .contains("without the savepoint")
                .contains("never converted or reset silently");
    }

    @Test
    void shouldRefuseTheTwoValueLayoutOfEarlierBuildsWithOrWithoutARecord() {
        StateCompatibility job = StateCompatibility.of(DEFAULTS, 2);
        // a record of the build before the one-value layout: every entry but the layout
        List<String> earlier = new ArrayList<>(job.entries());
        earlier.remove("keyed_state=user");

        assertThat(job.problemsContinuing(saved(earlier)))
                .isEqualTo(
                        "keyed_state: saved activity+alert-state, this build keeps one value per"
                                + " user (user) and does not read the older layout");
        assertThat(StateCompatibility.withoutRecord())
                .startsWith("keyed_state: saved activity+alert-state, saved by a build before");
        assertThat(job.problemsContinuing(saved(job.entries()))).isEmpty();
    }

    @Test
    void shouldReadNoRecordAsNullAndRefuseAContradictoryOne() {
        assertThat(StateCompatibility.restored(List.of())).isNull();
        assertThatThrownBy(() -> saved(List.of("session_gap=30m", "session_gap=45m")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two values for session_gap: 30m and 45m");
        // every subtask's identical copy collapses into one
        assertThat(saved(List.of("session_gap=30m", "session_gap=30m")).entries())
                .containsExactly("session_gap=30m");
    }
}
