package io.propensity.job;

import io.propensity.features.io.EventFormat;
import io.propensity.scoring.ScorerKind;

import org.apache.flink.connector.base.DeliveryGuarantee;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobOptionsTest {

    @Test
    void shouldUseTheDocumentedDefaults() {
        JobOptions options = JobOptions.parse(new String[0]);

        assertThat(options.bootstrapServers).isEqualTo("localhost:9092");
        assertThat(options.eventsTopic).isEqualTo("propensity.events");
        assertThat(options.alertsTopic).isEqualTo("propensity.alerts");
        assertThat(options.deadLetterTopic).isEqualTo("propensity.dead-letters");
        assertThat(options.lateTopic).isEqualTo("propensity.late-events");
        assertThat(options.groupId).isEqualTo("propensity");
        assertThat(options.delivery).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(options.inputFile).isNull();
        assertThat(options.scorer).isEqualTo(ScorerKind.COMPILED);
        assertThat(options.cooldown).isNull();
        assertThat(options.allowedLateness).isEqualTo(Duration.ofMinutes(10));
        assertThat(options.outOfOrderness).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.idleness).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.sessionGap).isEqualTo(Duration.ofMinutes(30));
        assertThat(options.inactivitySchedule).isNull();
        assertThat(options.retention).isEqualTo(Duration.ofDays(90));
        assertThat(options.checkpointInterval).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.checkpointDir).isEqualTo("file:///tmp/propensity-checkpoints");
        assertThat(options.maxRecordBytes).isEqualTo(65536);
        assertThat(options.kafkaProperties).isEmpty();
    }

    @Test
    void shouldReadEveryKindOfValue() {
        JobOptions options =
                JobOptions.parse(
                        new String[] {
                            "--delivery", "exactly-once",
                            "--input-file", "events.csv.gz",
                            "--input-format", "rees46",
                            "--cooldown", "45m",
                            "--scorer", "jpmml",
                            "--purchase-threshold", "0.7",
                            "--inactivity-schedule", "12h,1d",
                            "--kafka.security.protocol", "SASL_SSL",
                            "--kafka.sasl.mechanism", "PLAIN"
                        });

        assertThat(options.delivery).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(options.inputFormat).isEqualTo(EventFormat.REES46);
        assertThat(options.cooldown).isEqualTo(Duration.ofMinutes(45));
        assertThat(options.scorer).isEqualTo(ScorerKind.JPMML);
        assertThat(options.purchaseThreshold).isEqualTo(0.7);
        assertThat(options.inactivitySchedule.offsets())
                .containsExactly(Duration.ofHours(12), Duration.ofDays(1));
        assertThat(options.kafkaProperties)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .hasSize(2);
    }

    @Test
    void shouldNameTheKeyOfABadValue() {
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--retention", "90 days"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--retention: '90 days' is not valid");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--delivery", "twice"}))
                .hasMessageStartingWith("--delivery:");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--churn-threshold", "1.5"}))
                .hasMessageStartingWith("--churn-threshold:");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--idleness", "0s"}))
                .hasMessageStartingWith("--idleness:");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--max-record-bytes", "-1"}))
                .hasMessageStartingWith("--max-record-bytes:");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--input-file", "x.csv"}))
                .hasMessageStartingWith("--input-format:");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--group-id"}))
                .hasMessageStartingWith("--group-id: needs a value");
    }

    @ParameterizedTest(name = "--{0} {1}")
    @CsvSource({
        "cooldown, -5m, must be positive",
        "allowed-lateness, -10m, must not be negative",
        "out-of-orderness, -5s, must not be negative",
        "idleness, -30s, must be positive",
        "session-gap, -30m, must be positive",
        "retention, -90d, must be positive",
        "checkpoint-interval, -10s, must be positive",
        "models-dir-interval, -1s, must be positive",
        "purchase-threshold, -0.5, probability",
        "churn-threshold, -.5, probability",
        "reasons, -3, 0 to 40",
        "max-record-bytes, -1, must be positive",
        "state-format-version, -1, writes versions 1 to 2",
    })
    void shouldNameTheKeyOfANegativeValue(String key, String value, String problem) {
        // ParameterTool alone would read "-5m" as a key and complain about "--5m"
        String[] args =
                key.equals("models-dir-interval")
                        ? new String[] {"--models-dir", "/tmp/models", "--" + key, value}
                        : new String[] {"--" + key, value};
        assertThatThrownBy(() -> JobOptions.parse(args))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--" + key + ": '" + value + "' is not valid")
                .hasMessageContaining(problem);
    }

    @Test
    void shouldStillReadAKeyAfterAKeyWithoutValueAndRefuseABareWord() {
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--group-id", "--retention", "1d"}))
                .hasMessageStartingWith("--group-id: needs a value");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"retention", "1d"}))
                .hasMessageContaining("'retention' is not a --key");
        assertThat(JobOptions.parse(new String[] {"-retention", "1d"}).retention)
                .isEqualTo(Duration.ofDays(1));
    }

    @Test
    void shouldWriteTheCurrentStateFormatUnlessToldOtherwise() {
        assertThat(JobOptions.parse(new String[0]).stateFormatVersion).isEqualTo(2);
        assertThat(
                        JobOptions.parse(new String[] {"--state-format-version", "1"})
                                .stateFormatVersion)
                .isEqualTo(1);
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--state-format-version", "3"}))
                .hasMessage(
                        "--state-format-version: '3' is not valid: this build writes versions 1 to"
                                + " 2");
    }

    @Test
    void shouldRefuseUnknownKeys() {
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--retension", "30d"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--retension");
    }

    @Test
    void shouldStopOnAModelThatDoesNotFitItsSlot() {
        // the churn model given as the purchase model: the message names the option and file
        assertThatThrownBy(
                        () ->
                                AlertRules.resolve(
                                        JobOptions.parse(
                                                new String[] {
                                                    "--purchase-model",
                                                    TestModels.CHURN.toString(),
                                                    "--churn-model",
                                                    TestModels.CHURN.toString()
                                                })))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--purchase-model:")
                .hasMessageContaining("churn-risk.card.json")
                .hasMessageContaining("purchase_intent");
        assertThatThrownBy(
                        () ->
                                AlertRules.resolve(
                                        JobOptions.parse(
                                                new String[] {
                                                    "--purchase-model",
                                                    "no/such/model.pmml",
                                                    "--churn-model",
                                                    TestModels.CHURN.toString()
                                                })))
                .hasMessageStartingWith("--purchase-model:")
                .hasMessageContaining("no/such/model.pmml");
    }

    @Test
    void shouldTakeThresholdsAndScheduleFromTheCardsUnlessOverridden() {
        AlertRules fromCards =
                AlertRules.resolve(
                        JobOptions.parse(
                                new String[] {
                                    "--purchase-model", TestModels.PURCHASE.toString(),
                                    "--churn-model", TestModels.CHURN.toString()
                                }));
        AlertRules overridden =
                AlertRules.resolve(
                        JobOptions.parse(
                                new String[] {
                                    "--purchase-model",
                                    TestModels.PURCHASE.toString(),
                                    "--churn-model",
                                    TestModels.CHURN.toString(),
                                    "--purchase-threshold",
                                    "0.5",
                                    "--inactivity-schedule",
                                    "6h"
                                }));

        assertThat(fromCards.purchaseThreshold()).isEqualTo(0.9);
        assertThat(fromCards.churnThreshold()).isEqualTo(0.8);
        assertThat(fromCards.schedule().toString()).isEqualTo("1d,2d,3d");
        assertThat(overridden.purchaseThreshold()).isEqualTo(0.5);
        assertThat(overridden.schedule().toString()).isEqualTo("6h");
    }

    @Test
    void shouldLoadTheModelsBundledInTheJarWhenTheyArePresent() {
        // the default models come from models/default (committed) at build time
        assertThat(JobOptionsTest.class.getResource("/models/purchase-intent.pmml")).isNotNull();
        assertThat(JobOptionsTest.class.getResource("/models/churn-risk.pmml")).isNotNull();

        AlertRules rules = AlertRules.resolve(JobOptions.parse(new String[0]));

        assertThat(rules.purchaseModel().source())
                .isEqualTo("classpath:/models/purchase-intent.pmml");
        assertThat(rules.churnModel().source()).isEqualTo("classpath:/models/churn-risk.pmml");
        assertThat(rules.purchaseThreshold()).isBetween(0.0, 1.0);
        assertThat(rules.schedule().offsets()).isNotEmpty();
    }
}
