package io.propensity.job;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;
import io.propensity.scoring.ExplanationMethod;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.propensity.job.TestModels.logistic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The per-user function in a keyed operator harness: elements and watermarks pushed by hand,
 * expected scores computed by hand from the test models (see {@link TestModels}).
 */
class UserActivityFunctionTest {

    private static final long T0 = Instant.parse("2019-10-01T10:00:00Z").toEpochMilli();
    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long NOW = 1_700_000_000_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, SourceRecord, Alert> harness;
    private long offset;
    private MockEnvironment environment;
    private InterceptingOperatorMetricGroup metrics;

    private void open(AlertRules rules) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new UserActivityFunction(rules, () -> NOW),
                        record -> record.event().userId(),
                        Types.STRING);
    }

    /**
     * As {@link #open}, in an environment whose operator metric group keeps what the function
     * registers, for {@link #count}: the default harness's metric group drops every metric.
     */
    private void openRecordingMetrics(AlertRules rules) throws Exception {
        InterceptingOperatorMetricGroup operatorMetrics = new InterceptingOperatorMetricGroup();
        metrics = operatorMetrics;
        environment =
                new MockEnvironmentBuilder()
                        .setMetricGroup(
                                new InterceptingTaskMetricGroup() {
                                    @Override
                                    public InternalOperatorMetricGroup getOrAddOperator(
                                            OperatorID id,
                                            String name,
                                            Map<String, String> additionalVariables) {
                                        return operatorMetrics;
                                    }
                                })
                        .build();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new UserActivityFunction(rules, () -> NOW)),
                        record -> record.event().userId(),
                        Types.STRING,
                        environment);
        harness.open();
    }

    /** A counter the function registered, by name, after {@link #openRecordingMetrics}. */
    private long count(String name) {
        Metric metric = metrics.get(name);
        assertThat(metric).as("counter %s", name).isInstanceOf(Counter.class);
        return ((Counter) metric).getCount();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
            harness = null;
        }
        if (environment != null) {
            environment.close();
            environment = null;
        }
    }

    private void send(String user, long time, EventType type, String product) throws Exception {
        ShopperEvent event =
                new ShopperEvent(user, time, type, null, product, null, null, null, Double.NaN);
        harness.processElement(SourceRecord.ofEvent(event, "events", 3, offset++), time);
    }

    /** The value an alert's reasons give for a feature. */
    private static double reasonValue(Alert alert, String name) {
        int i = Arrays.asList(alert.reasons().names()).indexOf(name);
        assertThat(i).as("%s among the reasons", name).isNotNegative();
        return alert.reasons().values()[i];
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    @Test
    void shouldAlertOnSecondCartWithinAnHour() throws Exception {
        open(TestModels.rules());

        send("u1", T0, EventType.VIEW, "p1");
        send("u1", T0 + 10 * SECOND, EventType.CART, "p1");
        assertThat(alerts()).isEmpty();
        send("u1", T0 + 20 * SECOND, EventType.CART, "p2");

        assertThat(alerts()).hasSize(1);
        Alert alert = alerts().get(0);
        assertThat(alert.type()).isEqualTo("purchase_intent");
        assertThat(alert.userId()).isEqualTo("u1");
        // session_carts 2 -> 1, cart_count_1h 2 -> 1.5, 10 s since previous -> 0.25
        assertThat(alert.score()).isCloseTo(logistic(2.75), within(1e-6));
        assertThat(alert.threshold()).isEqualTo(0.9);
        assertThat(alert.modelName()).isEqualTo("purchase-intent");
        assertThat(alert.modelVersion()).isEqualTo("test-1");
        assertThat(alert.triggerKind()).isEqualTo("event");
        assertThat(alert.triggerEventType()).isEqualTo("cart");
        assertThat(alert.triggerTime()).isEqualTo(T0 + 20 * SECOND);
        assertThat(alert.eventTime()).isEqualTo(T0 + 20 * SECOND);
        assertThat(alert.emittedAt()).isEqualTo(NOW);
        assertThat(alert.alertId())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
        // the hand-written model has no record counts: Saabas, labelled approximate; its three
        // features all contribute, so expected value plus the reasons make the margin 2.75
        AlertReasons reasons = alert.reasons();
        assertThat(reasons.method()).isEqualTo(ExplanationMethod.SAABAS_APPROXIMATE);
        assertThat(reasons.names())
                .containsExactlyInAnyOrder(
                        "session_carts", "cart_count_1h", "seconds_since_previous_event");
        assertThat(reasons.expectedValue() + Arrays.stream(reasons.contributions()).sum())
                .isCloseTo(2.75, within(1e-6));
        assertThat(reasonValue(alert, "session_carts")).isEqualTo(2);
        assertThat(reasonValue(alert, "cart_count_1h")).isEqualTo(2);
        assertThat(reasonValue(alert, "seconds_since_previous_event")).isEqualTo(10);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void shouldNotAlertOnViewsOnly() throws Exception {
        open(TestModels.rules());

        for (int i = 0; i < 20; i++) {
            send("u1", T0 + i * 5 * SECOND, EventType.VIEW, "p" + i);
        }

        // best case margin -2 - 0.5 + 0.25: far below 0.9
        assertThat(alerts()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void shouldAlertOncePerSessionByDefault() throws Exception {
        open(TestModels.rules());

        send("u1", T0, EventType.CART, "p1");
        send("u1", T0 + 10 * SECOND, EventType.CART, "p2");
        send("u1", T0 + 20 * SECOND, EventType.CART, "p3"); // scores higher, same session
        send("u1", T0 + 2 * HOUR, EventType.CART, "p4"); // new session, 1 cart in the hour
        send("u1", T0 + 2 * HOUR + 10 * SECOND, EventType.CART, "p5");

        assertThat(alerts())
                .extracting(Alert::triggerTime)
                .containsExactly(T0 + 10 * SECOND, T0 + 2 * HOUR + 10 * SECOND);
    }

    @Test
    void shouldHonourADurationCooldownAcrossSessions() throws Exception {
        open(TestModels.rules(3 * HOUR, 0.8, Duration.ofDays(90)));

        send("u1", T0, EventType.CART, "p1");
        send("u1", T0 + 10 * SECOND, EventType.CART, "p2");
        send("u1", T0 + 2 * HOUR, EventType.CART, "p4");
        send("u1", T0 + 2 * HOUR + 10 * SECOND, EventType.CART, "p5"); // within 3 h: suppressed
        send("u1", T0 + 4 * HOUR, EventType.CART, "p6");
        send("u1", T0 + 4 * HOUR + 10 * SECOND, EventType.CART, "p7"); // 4 h later: alert

        assertThat(alerts())
                .extracting(Alert::triggerTime)
                .containsExactly(T0 + 10 * SECOND, T0 + 4 * HOUR + 10 * SECOND);
    }

    @Test
    void shouldRunInactivityChecksAndAlertChurnOncePerEpisode() throws Exception {
        open(TestModels.rules());
        send("u1", T0, EventType.VIEW, "p1");

        harness.processWatermark(T0 + DAY);
        // 86400 s silent -> -1, never purchased -> 0.5: logistic(-0.5) = 0.38 < 0.8
        assertThat(alerts()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(T0 + 2 * DAY);
        assertThat(alerts()).hasSize(1);
        Alert churn = alerts().get(0);
        assertThat(churn.type()).isEqualTo("churn_risk");
        assertThat(churn.score()).isCloseTo(logistic(1.5), within(1e-6));
        assertThat(churn.threshold()).isEqualTo(0.8);
        assertThat(churn.triggerKind()).isEqualTo("inactivity_check");
        assertThat(churn.triggerEventType()).isNull();
        assertThat(churn.triggerTime()).isEqualTo(T0 + 2 * DAY);
        assertThat(churn.eventTime()).isEqualTo(T0);
        assertThat(
                        churn.reasons().expectedValue()
                                + Arrays.stream(churn.reasons().contributions()).sum())
                .isCloseTo(1.5, within(1e-6));
        assertThat(reasonValue(churn, "seconds_since_previous_event")).isEqualTo(2 * 86400);

        // the 3 d check scores the same, but the episode already had its alert
        harness.processWatermark(T0 + 3 * DAY);
        assertThat(alerts()).hasSize(1);
        // what is left pending is the retention timer
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void shouldMoveTheInactivityCheckWhenANewEventArrives() throws Exception {
        // threshold 0: every check alerts, so the alerts show when checks ran
        open(TestModels.rules(AlertRules.COOLDOWN_SESSION, 0.0, Duration.ofDays(90)));
        send("u1", T0, EventType.VIEW, "p1");
        send("u1", T0 + 12 * HOUR, EventType.VIEW, "p2");
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(T0 + DAY + 1);
        assertThat(alerts()).isEmpty();

        harness.processWatermark(T0 + 12 * HOUR + DAY);
        assertThat(alerts()).extracting(Alert::triggerTime).containsExactly(T0 + 12 * HOUR + DAY);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void shouldRunDueChecksBeforeAnEventThatArrivesAheadOfTheWatermark() throws Exception {
        open(TestModels.rules());
        send("u1", T0, EventType.VIEW, "p1");

        // no watermark yet: the 1 d and 2 d checks are due before this event, and run first
        send("u1", T0 + 2 * DAY + HOUR, EventType.VIEW, "p2");

        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0).type()).isEqualTo("churn_risk");
        assertThat(alerts().get(0).triggerTime()).isEqualTo(T0 + 2 * DAY);
        assertThat(alerts().get(0).score()).isCloseTo(logistic(1.5), within(1e-6));
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void shouldForgetAUserAfterTheRetentionWithNothingLeftBehind() throws Exception {
        openRecordingMetrics(
                TestModels.rules(AlertRules.COOLDOWN_SESSION, 0.8, Duration.ofDays(10)));
        send("u1", T0, EventType.VIEW, "p1");
        send("u2", T0 + HOUR, EventType.CART, "p1");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        harness.processWatermark(T0 + 10 * DAY + HOUR);
        // u1's deadline (10 d and 1 ms after its event) has passed, u2's is 1 ms ahead
        assertThat(count("expiredUsers")).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processWatermark(T0 + 10 * DAY + HOUR + 1);

        // both users had their churn alert on the way (2 d after their only event)
        assertThat(alerts())
                .extracting(Alert::userId, Alert::triggerTime)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("u1", T0 + 2 * DAY),
                        org.assertj.core.groups.Tuple.tuple("u2", T0 + HOUR + 2 * DAY));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(count("expiredUsers")).isEqualTo(2);
    }

    @Test
    void shouldStartAfreshWhenAnEventComesAfterTheRetentionBeforeItsTimerFired() throws Exception {
        openRecordingMetrics(
                TestModels.rules(AlertRules.COOLDOWN_SESSION, 0.8, Duration.ofDays(10)));
        send("u1", T0, EventType.CART, "p1");
        send("u1", T0 + 11 * DAY, EventType.CART, "p2");

        // the old cart is forgotten: one cart in the session, so no purchase-intent alert, and
        // no churn check ran on the forgotten history
        assertThat(alerts()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(count("expiredUsers")).isEqualTo(1);
    }

    @Test
    void shouldSettleChecksAtOnceWhenTheWatermarkIsAlreadyPastThem() throws Exception {
        // e.g. another partition finished a bounded read (watermark at the end of time) while
        // this user's partition was idle: a timer registered now would never fire
        openRecordingMetrics(
                TestModels.rules(AlertRules.COOLDOWN_SESSION, 0.8, Duration.ofDays(10)));
        harness.processWatermark(T0 + 30 * DAY);

        send("u1", T0, EventType.VIEW, "p1");

        assertThat(alerts()).extracting(Alert::triggerTime).containsExactly(T0 + 2 * DAY);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(count("expiredUsers")).isEqualTo(1);
    }

    @Test
    void shouldSendLateEventsToTheSideOutputWithTheirOrigin() throws Exception {
        open(TestModels.rules());
        send("u1", T0 + HOUR, EventType.CART, "p1");
        send("u1", T0, EventType.CART, "p2"); // 1 h behind, allowed lateness 10 m

        assertThat(alerts()).isEmpty();
        List<LateEvent> late =
                harness.getSideOutput(UserActivityFunction.LATE_EVENTS).stream()
                        .map(StreamRecord::getValue)
                        .collect(Collectors.toList());
        assertThat(late).hasSize(1);
        assertThat(late.get(0).event().eventTimeMillis()).isEqualTo(T0);
        assertThat(late.get(0).topic()).isEqualTo("events");
        assertThat(late.get(0).partition()).isEqualTo(3);
        assertThat(late.get(0).offset()).isEqualTo(1);
        assertThat(late.get(0).receivedAt()).isEqualTo(NOW);
        assertThat(late.get(0).reason()).contains("allowed lateness");

        // the late cart was not counted: one more cart makes two, and alerts
        send("u1", T0 + HOUR + 10 * SECOND, EventType.CART, "p3");
        assertThat(alerts()).hasSize(1);
        assertThat(reasonValue(alerts().get(0), "session_carts")).isEqualTo(2);
    }

    @Test
    void shouldDropADuplicateWithoutCountingItTwice() throws Exception {
        open(TestModels.rules());
        send("u1", T0, EventType.CART, "p1");
        send("u1", T0, EventType.CART, "p1"); // applied twice it would make two carts: an alert

        assertThat(alerts()).isEmpty();
        // the re-sent record is accounted for beside the late events, with its coordinates
        assertThat(harness.getSideOutput(UserActivityFunction.LATE_EVENTS))
                .singleElement()
                .satisfies(
                        record -> {
                            LateEvent resent = (LateEvent) record.getValue();
                            assertThat(resent.reason()).startsWith("duplicate:");
                            assertThat(resent.topic()).isEqualTo("events");
                            assertThat(resent.partition()).isEqualTo(3);
                            assertThat(resent.offset()).isEqualTo(offset - 1);
                            assertThat(resent.event())
                                    .isEqualTo(
                                            new ShopperEvent(
                                                    "u1",
                                                    T0,
                                                    EventType.CART,
                                                    null,
                                                    "p1",
                                                    null,
                                                    null,
                                                    null,
                                                    Double.NaN));
                        });

        send("u1", T0 + 10 * SECOND, EventType.CART, "p2");
        assertThat(alerts()).hasSize(1);
        assertThat(reasonValue(alerts().get(0), "session_carts")).isEqualTo(2);
    }

    @Test
    void shouldGiveTheSameAlertIdWhenTheSameEventsAreReplayed() throws Exception {
        String first = secondCartAlertId(T0);
        close();
        String replayed = secondCartAlertId(T0);
        close();
        String later = secondCartAlertId(T0 + MINUTE);

        assertThat(replayed).isEqualTo(first);
        assertThat(later).isNotEqualTo(first);
    }

    private String secondCartAlertId(long start) throws Exception {
        open(TestModels.rules());
        send("u1", start, EventType.CART, "p1");
        send("u1", start + 10 * SECOND, EventType.CART, "p2");
        assertThat(alerts()).hasSize(1);
        return alerts().get(0).alertId();
    }
}
