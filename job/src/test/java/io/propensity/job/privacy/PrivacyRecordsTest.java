package io.propensity.job.privacy;

import io.propensity.job.DeadLetter;
import io.propensity.job.InputLimits;
import io.propensity.job.SourceRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The privacy package's records and the pseudonym key, each against an independent reference. */
class PrivacyRecordsTest {

    /** RFC 4231 test cases 6 and 7 use this key: 131 bytes of 0xaa. */
    private static final byte[] RFC4231_KEY = new byte[131];

    static {
        Arrays.fill(RFC4231_KEY, (byte) 0xaa);
    }

    @TempDir Path dir;

    private Pseudonymiser rfcPseudonymiser() throws Exception {
        Path file = dir.resolve("key");
        Files.write(file, RFC4231_KEY);
        return new PrivacyRules(true, new PseudonymKeySource(null, file.toString()))
                .openPseudonymiser();
    }

    @Test
    void shouldPseudonymiseAsHmacSha256InLowerCaseHexPerRfc4231() throws Exception {
        Pseudonymiser pseudonymiser = rfcPseudonymiser();

        assertThat(pseudonymiser.enabled()).isTrue();
        // RFC 4231, 4.7 (test case 6) and 4.8 (test case 7), HMAC-SHA-256
        assertThat(pseudonymiser.of("Test Using Larger Than Block-Size Key - Hash Key First"))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        assertThat(
                        pseudonymiser.of(
                                "This is a test using a larger than block-size key and a larger"
                                        + " than block-size data. The key needs to be hashed"
                                        + " before being used by the HMAC algorithm."))
                .isEqualTo("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
        assertThat(Pseudonymiser.none().of("u1")).isEqualTo("u1");
    }

    @Test
    void shouldReadTheKeyFromTheNamedVariableAndNeverQuoteIt() {
        String key = "k".repeat(32);
        assertThat(PseudonymKeySource.readFrom("MY_KEY", Map.of("MY_KEY", key)))
                .isEqualTo(key.getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> PseudonymKeySource.readFrom("MY_KEY", Map.of()))
                .hasMessageContaining("environment variable MY_KEY is not set");
        assertThatThrownBy(() -> PseudonymKeySource.readFrom("MY_KEY", Map.of("MY_KEY", "short")))
                .hasMessageContaining("5 bytes")
                .hasMessageContaining("at least 32")
                .hasMessageNotContaining("short");
    }

    @Test
    void shouldStripTheLineEndOfAKeyFile() throws Exception {
        Path file = dir.resolve("key.txt");
        Files.writeString(file, "x".repeat(40) + "\r\n");

        assertThat(new PseudonymKeySource(null, file.toString()).read())
                .isEqualTo("x".repeat(40).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldDropTheRawRecordOfADeadLetterAndKeepItsUserIdsPseudonym() throws Exception {
        Pseudonymiser pseudonymiser = rfcPseudonymiser();
        DeadLetter letter =
                new DeadLetter(
                        "field 'price' must be a finite number >= 0, was -1",
                        "{\"user_id\":\"541312140\",\"event_time\":1,\"price\":-1}",
                        "events",
                        2,
                        77,
                        5);

        DeadLetter redacted = letter.pseudonymised(pseudonymiser);

        assertThat(redacted.raw()).isNull();
        assertThat(redacted.userId()).isEqualTo(pseudonymiser.of("541312140"));
        assertThat(redacted.reason()).isEqualTo(letter.reason());
        assertThat(redacted.topic()).isEqualTo("events");
        assertThat(redacted.partition()).isEqualTo(2);
        assertThat(redacted.offset()).isEqualTo(77);
        String json = new String(redacted.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"raw_redacted\":true").doesNotContain("541312140");
        // without pseudonymisation nothing changes
        assertThat(letter.pseudonymised(Pseudonymiser.none())).isSameAs(letter);
    }

    @Test
    void shouldCutAReasonThatMayQuoteARecordWhoseUserIdIsUnreadable() throws Exception {
        DeadLetter letter =
                new DeadLetter(
                        "malformed JSON: Unrecognized token 'shopper42'",
                        "{\"user_id\": shopper42}",
                        "events",
                        0,
                        1,
                        5);

        DeadLetter redacted = letter.pseudonymised(rfcPseudonymiser());

        assertThat(redacted.reason()).isEqualTo("malformed JSON (detail redacted)");
        assertThat(redacted.userId()).isNull();
        assertThat(new String(redacted.toJson(), StandardCharsets.UTF_8))
                .doesNotContain("shopper42");
    }

    @Test
    void shouldReadAnErasureRequestWithIsoTimeAndNoSuppression() {
        ErasureRequest request =
                ErasureRequest.parse(
                        "{\"request_id\":\"r1\",\"user_id\":\"u1\",\"requested_at\":\"2019-10-01T00:00:00Z\"}"
                                .getBytes(StandardCharsets.UTF_8));

        assertThat(request).isEqualTo(new ErasureRequest("r1", "u1", 1_569_888_000_000L, false));
        assertThat(ErasureRequest.parse(new ErasureRequest("r2", "u2", 7, true).toJson()))
                .isEqualTo(new ErasureRequest("r2", "u2", 7, true));
    }

    @Test
    void shouldSendAnUnreadableErasureRequestToTheDeadLetters() {
        ErasureRequestDeserializer deserializer =
                new ErasureRequestDeserializer(new InputLimits(1024), () -> 9);

        SourceRecord missing =
                deserializer.admit(
                        "{\"request_id\":\"r1\",\"requested_at\":1}"
                                .getBytes(StandardCharsets.UTF_8),
                        "erasures",
                        1,
                        4,
                        9);
        SourceRecord badSuppress =
                deserializer.admit(
                        "{\"request_id\":\"r1\",\"user_id\":\"u\",\"requested_at\":1,\"suppress\":\"yes\"}"
                                .getBytes(StandardCharsets.UTF_8),
                        "erasures",
                        1,
                        5,
                        9);
        SourceRecord notJson =
                deserializer.admit(
                        "forget u1".getBytes(StandardCharsets.UTF_8), "erasures", 1, 6, 9);

        assertThat(missing.deadLetter().reason()).contains("missing field 'user_id'");
        assertThat(missing.deadLetter().offset()).isEqualTo(4);
        assertThat(missing.deadLetter().topic()).isEqualTo("erasures");
        assertThat(badSuppress.deadLetter().reason()).contains("'suppress' must be a boolean");
        assertThat(notJson.deadLetter().reason()).isEqualTo("erasure request: malformed JSON");
        assertThat(deserializer.admit(new byte[2000], "erasures", 0, 0, 9).deadLetter().reason())
                .contains("--max-record-bytes");
    }
}
