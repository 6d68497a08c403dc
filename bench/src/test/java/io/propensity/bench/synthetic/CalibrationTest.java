package io.propensity.bench.synthetic;

import io.propensity.features.io.EventFormat;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The committed profile must be what calibration computes from the real files in data/. */
class CalibrationTest {

    private static final Path DATA = Path.of("..", "data");

    // from the PROVENANCE.md beside each file
    private static final Map<String, String> PROVENANCE_SHA256 =
            Map.of(
                    "taobao-userbehavior-head/UserBehavior_head.csv.gz",
                    "93e7db59d18cae67cd0615e843cd301a538e732b604ad67dbe9f326d137a0673",
                    "taobao-userbehavior-tail/UserBehavior_tail.csv.gz",
                    "8ee23e4190ee00c6fd0f16ee435b1f93d728d15c9b5ca22c99b3b1fa28ac58b2",
                    "rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz",
                    "d8a5b1c9515e21574dce044ad511f9b95fd2221608500ff5a3dbcc609c53cc61");

    @Test
    void shouldReproduceTheCommittedProfileFromTheRealFiles() throws Exception {
        SyntheticProfile committed = SyntheticProfile.load();
        SyntheticProfile.Behaviour behaviour = committed.behaviour();

        SyntheticProfile recomputed =
                Calibration.calibrate(
                        inputs(committed, "behaviour"),
                        inputs(committed, "catalogue"),
                        Duration.ofMillis(behaviour.sessionGapMillis()),
                        Instant.parse(behaviour.windowStart()),
                        Instant.parse(behaviour.windowEnd()));

        assertThat(recomputed.toJson())
                .as(
                        "re-run 'SyntheticEvents calibrate' (bench/SYNTHETIC.md) and commit the"
                                + " profile")
                .isEqualTo(committed.toJson());
    }

    @Test
    void shouldRecordTheProvenanceChecksumsAndCountsOfTheFiles() {
        SyntheticProfile committed = SyntheticProfile.load();
        assertThat(committed.sources())
                .extracting(SyntheticProfile.SourceFile::name, SyntheticProfile.SourceFile::sha256)
                .containsExactlyInAnyOrderElementsOf(
                        PROVENANCE_SHA256.entrySet().stream()
                                .map(e -> tuple(e.getKey(), e.getValue()))
                                .toList());
        // PROVENANCE.md: 84,440 head events inside the window and 10,000 - 4 tail events
        assertThat(committed.behaviour().events()).isEqualTo(84_440 + 9_996);
        assertThat(committed.behaviour().users()).isEqualTo(815 + 114);
        assertThat(committed.catalogue().products()).isEqualTo(6_493);
        assertThat(committed.catalogue().categories()).isEqualTo(434);
    }

    private static List<Calibration.Input> inputs(SyntheticProfile profile, String usedFor) {
        return profile.sources().stream()
                .filter(source -> source.usedFor().equals(usedFor))
                .map(
                        source -> {
                            Path file = DATA.resolve(source.name());
                            assertThat(Files.isRegularFile(file)).as(file.toString()).isTrue();
                            return new Calibration.Input(
                                    file, EventFormat.fromName(source.format()));
                        })
                .toList();
    }
}
