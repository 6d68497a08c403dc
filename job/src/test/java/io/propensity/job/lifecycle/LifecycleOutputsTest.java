package io.propensity.job.lifecycle;

import io.propensity.features.FeatureSchema;
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

    /** The test-2 purchase model served in {@code role} and {@code arm} at {@code threshold}. */
    private static ServedModel testTwo(ModelRole role, Arm arm, double threshold) throws Exception {
        return new ServedModel(
                role,
                arm,
                ModelCard.read(ModelCard.besidePmml(PURCHASE_V2)),
                Scorers.loadWithCard(PURCHASE_V2, ScorerKind.COMPILED),
                threshold,
                ModelDeployment.SHADOW,
                0);
    }

    @Test
    void shouldWriteAScoreRecordKeyedByUserAndType() throws Exception {
        ServedModel model = testTwo(ModelRole.PURCHASE_INTENT, Arm.CHALLENGER, 0.95);
        ScoreRecord record =
                ScoreRecord.of(model, "u-7", 0.25, "event", "cart", 1000L, 900L, 2000L, null);

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
    void shouldWriteTheScoredVectorByFeatureNameWithMissingValuesAsNull() throws Exception {
        ServedModel model = testTwo(ModelRole.CHURN_RISK, Arm.CHAMPION, 0.5);
        double[] vector = FeatureSchema.newVector();
        for (int f = 0; f < vector.length; f++) {
            vector[f] = f + 0.5;
        }
        vector[FeatureSchema.SECONDS_SINCE_LAST_PURCHASE] = Double.NaN;

        ScoreRecord record =
                ScoreRecord.of(
                        model, "u-7", 0.25, "inactivity_check", null, 1000L, 900L, 2000L, vector);
        vector[0] = -1; // the caller reuses its array: the record keeps its own copy
        JsonNode features = new ObjectMapper().readTree(record.toJson()).get("features");

        assertThat(features).hasSize(FeatureSchema.size());
        assertThat(features.get("view_count_1h").asDouble()).isEqualTo(0.5);
        assertThat(features.get("day_of_week").asDouble())
                .isEqualTo(FeatureSchema.DAY_OF_WEEK + 0.5);
        assertThat(features.get("seconds_since_last_purchase").isNull()).isTrue();
        // without the option no vector is written
        JsonNode plain =
                new ObjectMapper()
                        .readTree(
                                ScoreRecord.of(model, "u-7", 0.25, "event", "cart", 1, 1, 2, null)
                                        .toJson());
        assertThat(plain.has("features")).isFalse();
    }

    @Test
    void shouldLeaveTheKafkaTimestampToTheProducerNotTheEventTime() throws Exception {
        ServedModel model = testTwo(ModelRole.PURCHASE_INTENT, Arm.CHAMPION, 0.5);
        ScoreRecord record = ScoreRecord.of(model, "u-7", 0.25, "event", "view", 1, 1, 2, null);

        // an event time of 2019: a record stamped with it is past any retention.ms at once
        var produced =
                new ModelLifecycle.ScoreSerializer("scores")
                        .serialize(record, null, 1_569_888_000_000L);

        assertThat(produced.timestamp()).isNull();
        assertThat(produced.topic()).isEqualTo("scores");
        assertThat(produced.key()).isEqualTo(record.kafkaKey());
    }

    @Test
    void shouldTakeScoreFeaturesOnlyWithATopicThatCarriesScores() {
        assertThat(JobOptions.parse(new String[0]).scoreFeatures).isFalse();
        assertThat(
                        JobOptions.parse(new String[] {"--scores-topic", "s", "--score-features"})
                                .scoreFeatures)
                .isTrue();
        assertThat(
                        JobOptions.parse(
                                        new String[] {
                                            "--models-dir", "file:///m", "--score-features", "false"
                                        })
                                .scoreFeatures)
                .isFalse();
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--score-features"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--score-features: needs --scores-topic");
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        new String[] {
                                            "--scores-topic", "s", "--score-features", "yes"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--score-features: 'yes' is not valid");
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
