package io.propensity.job;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFormat;
import io.propensity.features.io.EventLineParser;
import io.propensity.scoring.ExplanationMethod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON of the output topics and the input checks, field by field. */
class OutputRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_700_000_000_000L;

    @Test
    void shouldWriteAnAlertWithExactlyTheContractFields() throws Exception {
        Alert alert =
                new Alert(
                        "id-1",
                        "purchase_intent",
                        "u1",
                        0.93,
                        0.9,
                        "purchase-intent",
                        "v7",
                        "event",
                        "cart",
                        1000,
                        1000,
                        2000,
                        new AlertReasons(
                                ExplanationMethod.SAABAS_APPROXIMATE,
                                -1.5,
                                new String[] {"session_carts", "seconds_since_last_purchase"},
                                new double[] {2, Double.NaN},
                                new double[] {0.75, -0.25}));

        JsonNode json = JSON.readTree(alert.toJson());

        assertThat(json.fieldNames())
                .toIterable()
                .containsExactly(
                        "alert_id",
                        "type",
                        "user_id",
                        "score",
                        "threshold",
                        "model_name",
                        "model_version",
                        "arm",
                        "trigger",
                        "event_time",
                        "emitted_at",
                        "reasons");
        assertThat(json.get("score").asDouble()).isEqualTo(0.93);
        assertThat(json.get("trigger").toString())
                .isEqualTo("{\"kind\":\"event\",\"event_type\":\"cart\",\"time\":1000}");
        assertThat(json.get("reasons").toString())
                .isEqualTo(
                        "{\"explanation_method\":\"saabas_approximate\",\"expected_value\":-1.5,"
                                + "\"features\":[{\"name\":\"session_carts\",\"value\":2.0,"
                                + "\"contribution\":0.75},"
                                + "{\"name\":\"seconds_since_last_purchase\",\"value\":null,"
                                + "\"contribution\":-0.25}]}");
        assertThat(new String(alert.kafkaKey(), StandardCharsets.UTF_8)).isEqualTo("u1");
    }

    @Test
    void shouldLeaveTheEventTypeOutOfInactivityTriggers() throws Exception {
        Alert alert =
                new Alert(
                        "id",
                        "churn_risk",
                        "u1",
                        0.8,
                        0.8,
                        "churn-risk",
                        "v1",
                        "inactivity_check",
                        null,
                        5,
                        1,
                        9,
                        AlertReasons.NONE);

        assertThat(JSON.readTree(alert.toJson()).get("trigger").toString())
                .isEqualTo("{\"kind\":\"inactivity_check\",\"time\":5}");
    }

    @Test
    void shouldGiveADeterministicAlertIdPerUserTypeTimeAndVersion() {
        String id = Alert.idOf("u1", "churn_risk", 1000, "v1");

        assertThat(Alert.idOf("u1", "churn_risk", 1000, "v1")).isEqualTo(id);
        assertThat(Alert.idOf("u2", "churn_risk", 1000, "v1")).isNotEqualTo(id);
        assertThat(Alert.idOf("u1", "purchase_intent", 1000, "v1")).isNotEqualTo(id);
        assertThat(Alert.idOf("u1", "churn_risk", 1001, "v1")).isNotEqualTo(id);
        assertThat(Alert.idOf("u1", "churn_risk", 1000, "v2")).isNotEqualTo(id);
    }

    @Test
    void shouldWriteDeadLettersAndLateEventsWithTheirOrigin() throws Exception {
        JsonNode dead = JSON.readTree(new DeadLetter("bad", "{x", "events", 2, 41, NOW).toJson());
        assertThat(dead.toString())
                .isEqualTo(
                        "{\"reason\":\"bad\",\"raw\":\"{x\",\"topic\":\"events\",\"partition\":2,"
                                + "\"offset\":41,\"received_at\":"
                                + NOW
                                + "}");

        ShopperEvent event = ShopperEvent.of("u9", 1_570_000_000_000L, EventType.VIEW);
        JsonNode late = JSON.readTree(new LateEvent("late", event, "events", 1, 7, NOW).toJson());
        assertThat(late.get("event").get("user_id").asText()).isEqualTo("u9");
        assertThat(late.get("event").get("event_type").asText()).isEqualTo("view");
        assertThat(late.get("offset").asLong()).isEqualTo(7);
        assertThat(late.get("received_at").asLong()).isEqualTo(NOW);
    }

    @Test
    void shouldTurnEveryBadRecordIntoADeadLetterAndNeverThrow() {
        InputLimits limits = new InputLimits(100);

        assertThat(reason(limits, null)).contains("no value");
        assertThat(reason(limits, "x".repeat(101))).contains("101 bytes exceeds the limit of 100");
        assertThat(reason(limits, "{\"user_id\":")).isNotBlank();
        assertThat(reason(limits, "{\"user_id\":\"u\",\"event_time\":1,\"event_type\":\"view\"}"))
                .contains("before 2000-01-01");
        assertThat(
                        reason(
                                limits,
                                "{\"user_id\":\"u\",\"event_time\":"
                                        + (NOW + 86_400_001L)
                                        + ",\"event_type\":\"view\"}"))
                .contains("more than 1 day after processing time");
        SourceRecord ok =
                limits.admitJson(
                        ("{\"user_id\":\"u\",\"event_time\":"
                                        + (NOW + 86_400_000L)
                                        + ",\"event_type\":\"view\"}")
                                .getBytes(StandardCharsets.UTF_8),
                        "events",
                        0,
                        5,
                        NOW);
        assertThat(ok.isEvent()).isTrue();
        assertThat(ok.offset()).isEqualTo(5);
    }

    @Test
    void shouldReportFileLinesWithTheirLineNumber() {
        InputLimits limits = new InputLimits(1000);
        SourceRecord record =
                limits.admitLine(
                        "2019-10-01 00:00:00 UTC,teleport,1,2,,,1.0,7,s",
                        EventLineParser.of(EventFormat.REES46),
                        "file:/data/x.csv",
                        12,
                        NOW);

        assertThat(record.isEvent()).isFalse();
        assertThat(record.deadLetter().topic()).isEqualTo("file:/data/x.csv");
        assertThat(record.deadLetter().offset()).isEqualTo(12);
        assertThat(record.deadLetter().reason()).contains("teleport");
    }

    private static String reason(InputLimits limits, String value) {
        SourceRecord record =
                limits.admitJson(
                        value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                        "events",
                        1,
                        9,
                        NOW);
        assertThat(record.isEvent()).isFalse();
        assertThat(record.deadLetter().partition()).isEqualTo(1);
        assertThat(record.deadLetter().offset()).isEqualTo(9);
        assertThat(record.deadLetter().receivedAt()).isEqualTo(NOW);
        return record.deadLetter().reason();
    }
}
