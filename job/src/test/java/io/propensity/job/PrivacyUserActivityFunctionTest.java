package io.propensity.job;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;
import io.propensity.job.lifecycle.Arm;
import io.propensity.job.lifecycle.ModelDeployment;
import io.propensity.job.lifecycle.ModelLifecycle;
import io.propensity.job.lifecycle.ModelRole;
import io.propensity.job.lifecycle.ScoreRecord;
import io.propensity.job.privacy.AuditRecord;
import io.propensity.job.privacy.ErasureRequest;
import io.propensity.job.privacy.PrivacyRules;
import io.propensity.job.privacy.PseudonymKeySource;
import io.propensity.job.privacy.Pseudonymiser;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.stream.Collectors;

import static io.propensity.job.TestModels.logistic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * Erasure, suppression, consent and pseudonymisation in the per-user function, in a keyed harness.
 * "Nothing left" is the harness's own count of keyed state entries and event-time timers over all
 * keys. Scores come from the hand-made test models (see {@link TestModels}): two carts 10 s apart
 * in one session alert (margin 2.75, p 0.94 at threshold 0.9); one cart alone does not (margin
 * 0.5).
 */
class PrivacyUserActivityFunctionTest {

    private static final long T0 = Instant.parse("2019-10-01T10:00:00Z").toEpochMilli();
    private static final long SECOND = 1000;
    private static final long DAY = 24 * 60 * 60 * SECOND;
    private static final long NOW = 1_700_000_000_000L;
    private static final String USER = "shopper-541312140";
    private static final String OTHER = "shopper-7";

    private KeyedOneInputStreamOperatorTestHarness<String, SourceRecord, Alert> harness;
    private long offset;

    @TempDir Path dir;

    private void open(PrivacyRules privacy) throws Exception {
        open(new UserActivityFunction(TestModels.rules(), () -> NOW, privacy));
    }

    private void open(UserActivityFunction function) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        function, SourceRecord::userId, Types.STRING);
    }

    /**
     * Version test-2 of the purchase-intent model as a shadow challenger: the session_carts leaves
     * are -1 and 2 instead of -2 and 1 (see {@code test-models/lifecycle/}).
     */
    private static ModelDeployment shadowPurchaseV2() throws Exception {
        Path pmml = TestModels.DIR.resolve("lifecycle/purchase-intent-v2.pmml");
        return new ModelDeployment(
                ModelRole.PURCHASE_INTENT,
                Arm.CHALLENGER,
                false,
                null,
                pmml.toString(),
                Files.readString(pmml, StandardCharsets.UTF_8),
                Files.readString(
                        pmml.resolveSibling("purchase-intent-v2.card.json"),
                        StandardCharsets.UTF_8),
                ModelDeployment.SHADOW,
                0,
                null,
                0);
    }

    /** HMAC-SHA-256 of the id's UTF-8 bytes as lower-case hex, computed here, not by the job. */
    private static String hmacSha256Hex(byte[] key, String id) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(id.getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void send(String user, long time, EventType type, Boolean consent) throws Exception {
        ShopperEvent event =
                new ShopperEvent(
                        user, time, type, null, "p" + offset, null, null, null, 1, consent);
        harness.processElement(SourceRecord.ofEvent(event, "events", 0, offset++), time);
    }

    private void cart(String user, long time) throws Exception {
        send(user, time, EventType.CART, null);
    }

    private void erase(String user, String requestId, boolean suppress) throws Exception {
        ErasureRequest request = new ErasureRequest(requestId, user, NOW - 5, suppress);
        harness.processElement(SourceRecord.ofErasure(request, "erasures", 0, offset++), NOW);
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    private List<AuditRecord> audit() {
        return side(UserActivityFunction.AUDIT);
    }

    private List<ScoreRecord> scores() {
        return side(ModelLifecycle.SCORES);
    }

    private <T> List<T> side(OutputTag<T> tag) {
        Queue<StreamRecord<T>> records = harness.getSideOutput(tag);
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void shouldClearEveryStateAndTimerOfAnErasedUserAndAuditIt() throws Exception {
        open(PrivacyRules.DEFAULT);
        cart(USER, T0);
        cart(USER, T0 + 10 * SECOND); // alerts: the alert state now holds a cooldown
        cart(OTHER, T0);
        assertThat(alerts()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        erase(USER, "req-1", false);

        // only the other user's one value and one timer are left
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(audit()).hasSize(1);
        AuditRecord record = audit().get(0);
        assertThat(record.action()).isEqualTo("erasure");
        assertThat(record.requestId()).isEqualTo("req-1");
        assertThat(record.userId()).isEqualTo(USER);
        assertThat(record.pseudonymised()).isFalse();
        assertThat(record.cleared()).containsExactly("activity", "alert-state", "timer");
        assertThat(record.kept()).isEmpty();
        assertThat(record.requestedAt()).isEqualTo(NOW - 5);
        assertThat(record.appliedAt()).isEqualTo(NOW);
        assertThat(record.topic()).isEqualTo("erasures");

        // a later event starts a fresh profile: one cart, no alert, no cooldown from before
        cart(USER, T0 + 20 * SECOND);
        assertThat(alerts()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        cart(USER, T0 + 30 * SECOND);
        assertThat(alerts()).hasSize(2);
        assertThat(alerts().get(1).triggerTime()).isEqualTo(T0 + 30 * SECOND);
    }

    @Test
    void shouldAuditAnErasureOfAnUnknownUserWithNothingCleared() throws Exception {
        open(PrivacyRules.DEFAULT);

        erase(USER, "req-2", false);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(audit()).singleElement().satisfies(r -> assertThat(r.cleared()).isEmpty());
    }

    @Test
    void shouldKeepOnlyTheMarkerOfASuppressedUserAndDropTheirEvents() throws Exception {
        open(PrivacyRules.DEFAULT);
        cart(USER, T0);

        erase(USER, "req-3", true);

        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(audit().get(0).cleared()).containsExactly("activity", "alert-state", "timer");
        assertThat(audit().get(0).kept()).containsExactly("suppression");

        // two carts would alert; they are dropped, and nothing is stored or scheduled
        cart(USER, T0 + 10 * SECOND);
        cart(USER, T0 + 20 * SECOND);
        assertThat(alerts()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isZero();
        // consent does not lift a suppression
        send(USER, T0 + 30 * SECOND, EventType.CART, true);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        // a later erasure without suppression clears the marker too: the user may come back
        erase(USER, "req-4", false);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(audit().get(1).cleared()).containsExactly("suppression");
        cart(USER, T0 + 40 * SECOND);
        cart(USER, T0 + 50 * SECOND);
        assertThat(alerts()).hasSize(1);
    }

    @Test
    void shouldClearAUserWhoWithdrawsConsentAndResumeOnlyWhenItIsGrantedAgain() throws Exception {
        open(PrivacyRules.DEFAULT);
        cart(USER, T0);
        cart(USER, T0 + 10 * SECOND);
        assertThat(alerts()).hasSize(1);

        send(USER, T0 + 20 * SECOND, EventType.VIEW, false);

        assertThat(harness.numKeyedStateEntries()).isEqualTo(1); // the marker
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(audit())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.action()).isEqualTo("consent_withdrawn");
                            assertThat(r.requestId()).isNull();
                            assertThat(r.cleared())
                                    .containsExactly("activity", "alert-state", "timer");
                            assertThat(r.kept()).containsExactly("consent-withdrawn");
                            assertThat(r.requestedAt()).isEqualTo(T0 + 20 * SECOND);
                        });

        // events without the flag: the latest consent is still withdrawn
        cart(USER, T0 + 30 * SECOND);
        cart(USER, T0 + 40 * SECOND);
        assertThat(alerts()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        // withdrawing again changes nothing and is not audited again
        send(USER, T0 + 45 * SECOND, EventType.CART, false);
        assertThat(audit()).hasSize(1);

        // granted again: the marker goes, the profile starts afresh from this event
        send(USER, T0 + 50 * SECOND, EventType.CART, true);
        assertThat(alerts()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        cart(USER, T0 + 60 * SECOND);
        assertThat(alerts()).hasSize(2);
    }

    @Test
    void shouldFollowAWithdrawnDefaultForEventsWithoutTheFlag() throws Exception {
        open(new PrivacyRules(false, null));

        cart(USER, T0);
        cart(USER, T0 + 10 * SECOND);
        // no consent: nothing scored, nothing stored, nothing to audit
        assertThat(alerts()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(audit()).isEmpty();

        // explicit consent builds a profile, which later unflagged events then extend
        send(OTHER, T0, EventType.CART, true);
        cart(OTHER, T0 + 10 * SECOND);
        assertThat(alerts()).extracting(Alert::userId).containsExactly(OTHER);
    }

    @Test
    void shouldCarryOnlyPseudonymsInAlertsLateEventsAndAudit() throws Exception {
        Path keyFile = dir.resolve("pseudonym.key");
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        Files.write(keyFile, key);
        open(new PrivacyRules(true, new PseudonymKeySource(null, keyFile.toString())));
        String pseudonym = Pseudonymiser.hmac(key).of(USER);

        cart(USER, T0 + 20 * 60 * SECOND);
        cart(USER, T0 + 20 * 60 * SECOND + 10 * SECOND);
        cart(USER, T0); // 20 minutes behind: late
        erase(USER, "req-5", false);

        Alert alert = alerts().get(0);
        assertThat(alert.userId()).isEqualTo(pseudonym).matches("[0-9a-f]{64}");
        // the alert id is derived from the pseudonym: stable, and no hash of the raw id
        assertThat(alert.alertId())
                .isEqualTo(
                        Alert.idOf(
                                pseudonym, alert.type(), alert.triggerTime(), alert.modelVersion()))
                .isNotEqualTo(
                        Alert.idOf(USER, alert.type(), alert.triggerTime(), alert.modelVersion()));
        List<LateEvent> late =
                harness.getSideOutput(UserActivityFunction.LATE_EVENTS).stream()
                        .map(StreamRecord::getValue)
                        .collect(Collectors.toList());
        assertThat(late)
                .singleElement()
                .satisfies(e -> assertThat(e.event().userId()).isEqualTo(pseudonym));
        AuditRecord audit = audit().get(0);
        assertThat(audit.userId()).isEqualTo(pseudonym);
        assertThat(audit.pseudonymised()).isTrue();

        // and the raw id is nowhere in what goes to Kafka, keys included
        for (byte[] bytes :
                List.of(
                        alert.toJson(),
                        alert.kafkaKey(),
                        late.get(0).toJson(),
                        late.get(0).kafkaKey(),
                        audit.toJson(),
                        audit.kafkaKey())) {
            assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain(USER);
        }
    }

    @Test
    void shouldCarryOnlyPseudonymsInServedAndShadowScores() throws Exception {
        Path keyFile = dir.resolve("pseudonym.key");
        byte[] key = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
        Files.write(keyFile, key);
        UserActivityFunction function =
                new UserActivityFunction(
                                TestModels.rules(),
                                () -> NOW,
                                new PrivacyRules(
                                        true, new PseudonymKeySource(null, keyFile.toString())))
                        .withScoresOutput(true);
        // the active set a restore hands the function, installed before the first event
        function.restoreModels(List.of(shadowPurchaseV2()));
        open(function);
        String pseudonym = hmacSha256Hex(key, USER);

        cart(USER, T0);
        cart(USER, T0 + 10 * SECOND);
        harness.processWatermark(T0 + 10 * SECOND + DAY); // the 1 d inactivity check

        // served: v1 margins 1 - 0.5 + 0 (no previous event), 1 + 1.5 + 0.25; churn -1 + 0.5
        List<ScoreRecord> served = scores();
        assertThat(served)
                .extracting(ScoreRecord::type, ScoreRecord::triggerTime, ScoreRecord::shadow)
                .containsExactly(
                        tuple("purchase_intent", T0, false),
                        tuple("purchase_intent", T0 + 10 * SECOND, false),
                        tuple("churn_risk", T0 + 10 * SECOND + DAY, false));
        assertThat(served.get(0).score()).isCloseTo(logistic(0.5), within(1e-6));
        assertThat(served.get(1).score()).isCloseTo(logistic(2.75), within(1e-6));
        assertThat(served.get(2).score()).isCloseTo(logistic(-0.5), within(1e-6));
        // shadow: v2 margins 2 - 0.5 + 0, 2 + 1.5 + 0.25; the churn role has no shadow
        List<ScoreRecord> shadow = side(ModelLifecycle.SHADOW_SCORES);
        assertThat(shadow)
                .extracting(ScoreRecord::modelVersion, ScoreRecord::shadow)
                .containsExactly(tuple("test-2", true), tuple("test-2", true));
        assertThat(shadow.get(0).score()).isCloseTo(logistic(1.5), within(1e-6));
        assertThat(shadow.get(1).score()).isCloseTo(logistic(3.75), within(1e-6));

        assertThat(alerts()).extracting(Alert::userId).containsExactly(pseudonym);
        for (ScoreRecord record : concat(served, shadow)) {
            assertThat(record.userId()).isEqualTo(pseudonym);
            assertThat(new String(record.toJson(), StandardCharsets.UTF_8))
                    .contains(pseudonym)
                    .doesNotContain(USER);
            assertThat(new String(record.kafkaKey(), StandardCharsets.UTF_8))
                    .isEqualTo(pseudonym + "/" + record.type());
        }
    }

    @Test
    void shouldWriteNoScoresForAUserWhoWithdrewConsentUntilItIsGrantedAgain() throws Exception {
        open(
                new UserActivityFunction(TestModels.rules(), () -> NOW, PrivacyRules.DEFAULT)
                        .withScoresOutput(true));
        cart(USER, T0);
        cart(USER, T0 + 10 * SECOND);
        assertThat(scores()).hasSize(2);
        assertThat(alerts()).hasSize(1);

        send(USER, T0 + 20 * SECOND, EventType.VIEW, false);
        // unflagged events: two carts would score and alert a fresh profile
        cart(USER, T0 + 30 * SECOND);
        cart(USER, T0 + 40 * SECOND);
        // the 1 d, 2 d and 3 d inactivity checks would each score churn
        harness.processWatermark(T0 + 4 * DAY);

        assertThat(scores())
                .extracting(ScoreRecord::triggerTime)
                .containsExactly(T0, T0 + 10 * SECOND);
        assertThat(alerts()).hasSize(1);

        // granted again: this event is scored, the user is back
        send(USER, T0 + 5 * DAY, EventType.CART, true);
        assertThat(scores())
                .extracting(ScoreRecord::triggerTime)
                .containsExactly(T0, T0 + 10 * SECOND, T0 + 5 * DAY);
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
