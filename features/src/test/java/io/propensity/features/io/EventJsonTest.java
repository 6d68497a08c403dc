package io.propensity.features.io;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventJsonTest {

    @Test
    void shouldParseEveryFieldOfAFullRecord() throws MalformedEventException {
        ShopperEvent event =
                EventJson.parse(
                        "{\"user_id\":\"541312140\",\"event_time\":\"2019-10-01T00:00:00Z\","
                            + "\"event_type\":\"remove_from_cart\",\"session_id\":\"s-1\","
                            + "\"product_id\":\"44600062\",\"category_id\":\"2103807459595387724\","
                            + "\"category_code\":\"electronics.smartphone\",\"brand\":\"shiseido\","
                            + "\"price\":35.79}");

        assertThat(event)
                .isEqualTo(
                        new ShopperEvent(
                                "541312140",
                                1_569_888_000_000L,
                                EventType.REMOVE_FROM_CART,
                                "s-1",
                                "44600062",
                                "2103807459595387724",
                                "electronics.smartphone",
                                "shiseido",
                                35.79));
    }

    @Test
    void shouldAcceptEpochMillisAndIsoTimesWithOffsets() throws MalformedEventException {
        String prefix = "{\"user_id\":\"u\",\"event_type\":\"view\",\"event_time\":";

        assertThat(EventJson.parse(prefix + "1569888000123}").eventTimeMillis())
                .isEqualTo(1_569_888_000_123L);
        assertThat(EventJson.parse(prefix + "\"2019-10-01T02:00:00.123+02:00\"}").eventTimeMillis())
                .isEqualTo(1_569_888_000_123L);
    }

    @Test
    void shouldTreatNullAsAbsentAndIgnoreUnknownFields() throws MalformedEventException {
        ShopperEvent event =
                EventJson.parse(
                        "{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"favorite\","
                                + "\"brand\":null,\"price\":null,\"extra\":{\"nested\":[1,2,{}]},"
                                + "\"more\":[\"x\"]}");

        assertThat(event).isEqualTo(ShopperEvent.of("u", 0, EventType.FAVORITE));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "malformed JSON                |{\"user_id\":\"u\",                                "
                        + "                      |malformed JSON",
                "not an object                 |[1,2]                                              "
                        + "                    |expected a JSON object",
                "missing user_id               |{\"event_time\":0,\"event_type\":\"view\"}         "
                        + "                   |'user_id'",
                "empty user_id                "
                        + " |{\"user_id\":\"\",\"event_time\":0,\"event_type\":\"view\"}           "
                        + " |'user_id'",
                "user_id a number             "
                        + " |{\"user_id\":7,\"event_time\":0,\"event_type\":\"view\"}             "
                        + " |'user_id' must be a string",
                "missing event_time            |{\"user_id\":\"u\",\"event_type\":\"view\"}        "
                        + "                   |'event_time'",
                "event_time not ISO           "
                    + " |{\"user_id\":\"u\",\"event_time\":\"yesterday\",\"event_type\":\"view\"}|'event_time'",
                "event_time a fraction        "
                        + " |{\"user_id\":\"u\",\"event_time\":1.5,\"event_type\":\"view\"}       "
                        + " |'event_time'",
                "event_time a boolean         "
                        + " |{\"user_id\":\"u\",\"event_time\":true,\"event_type\":\"view\"}      "
                        + " |'event_time'",
                "missing event_type            |{\"user_id\":\"u\",\"event_time\":0}               "
                        + "                    |'event_type'",
                "unknown event_type           "
                        + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"click\"}        "
                        + " |'event_type'",
                "event_type a number          "
                        + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":1}                "
                        + " |'event_type'",
                "NaN price                    "
                    + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"view\",\"price\":NaN}|'price'",
                "negative price               "
                    + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"view\",\"price\":-1}|'price'",
                "infinite price               "
                    + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"view\",\"price\":1e400}|'price'",
                "price a string               "
                    + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"view\",\"price\":\"3\"}|'price'",
                "brand an object              "
                    + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"view\",\"brand\":{}}|'brand'",
                "repeated field               "
                    + " |{\"user_id\":\"u\",\"user_id\":\"v\",\"event_time\":0,\"event_type\":\"view\"}|'user_id'",
                "trailing content             "
                        + " |{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"view\"} {}     "
                        + " |trailing content",
            })
    void shouldRefuseABadRecordWithAReasonNamingTheField(
            String description, String json, String expectedInReason) {
        assertThatThrownBy(() -> EventJson.parse(json))
                .isInstanceOf(MalformedEventException.class)
                .satisfies(
                        e ->
                                assertThat(((MalformedEventException) e).reason())
                                        .contains(expectedInReason));
    }

    @Test
    void shouldRefuseInvalidUtf8() {
        byte[] bytes = "{\"user_id\":\"u\"}".getBytes(StandardCharsets.UTF_8);
        bytes[12] = (byte) 0xC3; // a lead byte followed by an ASCII quote

        assertThatThrownBy(() -> EventJson.parse(bytes))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void shouldWriteEpochMillisAndOmitAbsentFields() {
        String json =
                EventJson.write(
                        new ShopperEvent(
                                "u\"1",
                                5,
                                EventType.CART,
                                null,
                                "p",
                                null,
                                null,
                                null,
                                Double.NaN));

        assertThat(json)
                .isEqualTo(
                        "{\"user_id\":\"u\\\"1\",\"event_time\":5,\"event_type\":\"cart\","
                                + "\"product_id\":\"p\"}");
    }

    @Test
    void shouldReadMarketingConsentAsGrantedWithdrawnOrUnsaid() throws MalformedEventException {
        String prefix = "{\"user_id\":\"u\",\"event_time\":0,\"event_type\":\"view\"";

        assertThat(EventJson.parse(prefix + ",\"marketing_consent\":true}").marketingConsent())
                .isTrue();
        assertThat(EventJson.parse(prefix + ",\"marketing_consent\":false}").marketingConsent())
                .isFalse();
        assertThat(EventJson.parse(prefix + ",\"marketing_consent\":null}").marketingConsent())
                .isNull();
        assertThat(EventJson.parse(prefix + "}").marketingConsent()).isNull();
        // an event without the flag equals the same event built without it
        assertThat(EventJson.parse(prefix + "}"))
                .isEqualTo(ShopperEvent.of("u", 0, EventType.VIEW));
    }

    @Test
    void shouldRefuseAConsentThatIsNotABoolean() {
        assertThatThrownBy(
                        () ->
                                EventJson.parse(
                                        "{\"user_id\":\"u\",\"event_time\":0,"
                                                + "\"event_type\":\"view\","
                                                + "\"marketing_consent\":\"false\"}"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("'marketing_consent' must be a boolean")
                .hasMessageContaining("a string");
    }

    @Test
    void shouldWriteConsentOnlyWhenTheEventSaysIt() {
        ShopperEvent withdrawn =
                new ShopperEvent(
                        "u", 5, EventType.VIEW, null, null, null, null, null, Double.NaN, false);

        assertThat(EventJson.write(withdrawn))
                .isEqualTo(
                        "{\"user_id\":\"u\",\"event_time\":5,\"event_type\":\"view\","
                                + "\"marketing_consent\":false}");
        assertThat(EventJson.write(ShopperEvent.of("u", 5, EventType.VIEW)))
                .doesNotContain("marketing_consent");
    }
}
