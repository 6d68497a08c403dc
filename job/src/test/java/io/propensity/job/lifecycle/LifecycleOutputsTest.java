package io.propensity.job.lifecycle;

import io.propensity.job.JobOptions;
import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.propensity.job.lifecycle.LifecycleTestModels.PURCHASE_V2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lifecycle's options and its score records, field by field. */
class LifecycleOutputsTest {

    @Test
    void shouldWriteAScoreRecordKeyedByUserAndType() throws Exception {
        ServedModel model =
                new ServedModel(
                        ModelRole.PURCHASE_INTENT,
                        Arm.CHALLENGER,
                        ModelCard.read(ModelCard.besidePmml(PURCHASE_V2)),
                        Scorers.loadWithCard(PURCHASE_V2, ScorerKind.COMPILED),
                        0.95,
                        ModelDeployment.SHADOW,
                        0);
        ScoreRecord record =
                ScoreRecord.of(model, "u-7", 0.25, "event", "cart", 1000L, 900L, 2000L);

        assertThat(new String(record.kafkaKey(), StandardCharsets.UTF_8))
                .isEqualTo("u-7/purchase_intent");
        JsonNode json = new ObjectMapper().readTree(record.toJson());
        assertThat(json.get("user_id").asText()).isEqualTo("u-7");
        assertThat(json.get("type").asText()).isEqualTo("purchase_intent");
        assertThat(json.get("score").asDouble()).isEqualTo(0.25);
        assertThat(json.get("threshold").asDouble()).isEqualTo(0.95);
        assertThat(json.get("model_name").asText()).isEqualTo("purchase-intent");
        assertThat(json.get("model_version").asText()).isEqualTo("test-2");
        assertThat(json.get("arm").asText()).isEqualTo("challenger");
        assertThat(json.get("shadow").asBoolean()).isTrue();
        assertThat(json.get("trigger").get("kind").asText()).isEqualTo("event");
        assertThat(json.get("trigger").get("event_type").asText()).isEqualTo("cart");
        assertThat(json.get("trigger").get("time").asLong()).isEqualTo(1000L);
        assertThat(json.get("event_time").asLong()).isEqualTo(900L);
        assertThat(json.get("emitted_at").asLong()).isEqualTo(2000L);
    }

    @Test
    void shouldTakeTheLifecycleOptionsAndRefuseAControlTopicInABoundedRun() {
        JobOptions none = JobOptions.parse(new String[0]);
        assertThat(none.modelsTopic).isNull();
        assertThat(none.scoresTopic).isNull();
        assertThat(none.shadowTopic).isEqualTo("propensity.shadow-scores");

        JobOptions all =
                JobOptions.parse(
                        new String[] {
                            "--models-topic", "propensity.models",
                            "--scores-topic", "propensity.scores",
                            "--shadow-topic", "shadow"
                        });
        assertThat(all.modelsTopic).isEqualTo("propensity.models");
        assertThat(all.scoresTopic).isEqualTo("propensity.scores");
        assertThat(all.shadowTopic).isEqualTo("shadow");

        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        new String[] {
                                            "--models-topic", "propensity.models",
                                            "--input-file", "events.json",
                                            "--input-format", "json"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--models-topic");
    }

    @Test
    void shouldTakeAWatchedModelsDirectoryWithItsInterval() {
        JobOptions none = JobOptions.parse(new String[0]);
        assertThat(none.modelsDir).isNull();
        assertThat(none.modelsDirInterval).isEqualTo(Duration.ofSeconds(10));

        JobOptions dir =
                JobOptions.parse(
                        new String[] {
                            "--models-dir", "s3://models/propensity",
                            "--models-dir-interval", "30s"
                        });
        assertThat(dir.modelsDir).isEqualTo("s3://models/propensity");
        assertThat(dir.modelsDirInterval).isEqualTo(Duration.ofSeconds(30));
        assertThat(dir.modelsTopic).isNull();
        assertThat(
                        JobOptions.parse(new String[] {"--models-dir", "/shared/models"})
                                .modelsDirInterval)
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldRefuseAModelsDirectoryWithTheTopicInABoundedRunOrABadInterval() {
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        new String[] {
                                            "--models-topic", "propensity.models",
                                            "--models-dir", "/shared/models"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--models-topic")
                .hasMessageContaining("--models-dir")
                .hasMessageContaining("not both");
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        new String[] {
                                            "--models-dir", "/shared/models",
                                            "--input-file", "events.json",
                                            "--input-format", "json"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--models-dir:")
                .hasMessageContaining("--input-file");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--models-dir-interval", "10s"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--models-dir-interval: only valid with --models-dir");
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        new String[] {
                                            "--models-dir", "/shared/models",
                                            "--models-dir-interval", "0s"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--models-dir-interval: '0s' is not valid");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--models-dir"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--models-dir: needs a value");
    }
}
