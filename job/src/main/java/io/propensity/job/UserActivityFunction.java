package io.propensity.job;

import io.propensity.features.ApplyOutcome;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureSchema;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.ShopperEvent;
import io.propensity.features.UserActivity;
import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ModelInfo;
import io.propensity.scoring.Scorer;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * The per-user heart of the job: keeps each user's {@link UserActivity} in keyed state, scores the
 * purchase-intent model on every event and the churn-risk model on inactivity checks, and emits
 * {@link Alert}s.
 *
 * <p>State per user: two values, {@code activity} (the features module's compact bytes) and {@code
 * alert-state} ({@link UserAlertState}, 33 bytes), so an event costs one read and one write of
 * each. Timers: exactly one pending event-time timer per user, at the next inactivity check of the
 * churn model's schedule, or after the schedule at the retention deadline; a new event moves it.
 * When the retention deadline passes without events, {@link #clearUser} drops the state and the
 * timer. A processing-time TTL with RocksDB compaction-filter cleanup is a safety net for state
 * whose timer was lost (for example state restored from an older job version).
 *
 * <p>Assumes events of one user arrive in their Kafka partition's order (the events topic is keyed
 * by user id). Out-of-order events within the allowed lateness are merged; older ones go to the
 * {@link #LATE_EVENTS} side output. Duplicates are counted and dropped. Because the watermark can
 * lag behind a user's own events, checks that fall before a new event run first, as of their own
 * time, so the alerts do not depend on watermark timing.
 */
public class UserActivityFunction extends KeyedProcessFunction<String, SourceRecord, Alert> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UserActivityFunction.class);

    /** Events later than the allowed lateness behind their user's latest event. */
    public static final OutputTag<LateEvent> LATE_EVENTS =
            new OutputTag<>("late-events", TypeInformation.of(LateEvent.class));

    /** How many top features an alert carries. */
    static final int TOP_FEATURES = 5;

    private static final long NONE = UserAlertState.NONE;

    private final AlertRules rules;
    private final ProcessingClock clock;

    private transient ValueState<byte[]> activityState;
    private transient ValueState<byte[]> alertState;
    private transient FeatureConfig featureConfig;
    private transient InactivitySchedule schedule;
    private transient ScoredModel purchase;
    private transient ScoredModel churn;
    private transient double[] features;

    private transient Counter eventsIn;
    private transient Counter duplicateEvents;
    private transient Counter lateEvents;
    private transient Counter cooldownSuppressed;
    private transient Counter inactivityChecks;
    private transient Counter expiredUsers;

    public UserActivityFunction(AlertRules rules, ProcessingClock clock) {
        this.rules = rules;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        featureConfig = rules.featureConfig();
        schedule = rules.schedule();
        features = new double[FeatureSchema.size()];

        // safety net only: timers clear expired users; TTL is processing time, so it is set to
        // the retention plus one check cycle and never fires before the event-time timer
        Duration ttl = featureConfig.retention().plus(schedule.offsets().get(0));
        StateTtlConfig ttlConfig =
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build();
        ValueStateDescriptor<byte[]> activity =
                new ValueStateDescriptor<>(
                        "activity", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        activity.enableTimeToLive(ttlConfig);
        ValueStateDescriptor<byte[]> alerts =
                new ValueStateDescriptor<>(
                        "alert-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        alerts.enableTimeToLive(ttlConfig);
        activityState = getRuntimeContext().getState(activity);
        alertState = getRuntimeContext().getState(alerts);

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        duplicateEvents = metrics.counter("duplicateEvents");
        lateEvents = metrics.counter("lateEvents");
        cooldownSuppressed = metrics.counter("purchaseAlertsInCooldown");
        inactivityChecks = metrics.counter("inactivityChecks");
        expiredUsers = metrics.counter("expiredUsers");
        purchase =
                new ScoredModel(
                        Alert.PURCHASE_INTENT,
                        rules.purchaseModel().card(),
                        rules.purchaseModel().load(rules.scorerKind()),
                        rules.purchaseThreshold(),
                        metrics);
        churn =
                new ScoredModel(
                        Alert.CHURN_RISK,
                        rules.churnModel().card(),
                        rules.churnModel().load(rules.scorerKind()),
                        rules.churnThreshold(),
                        metrics);
        LOG.info(
                "user-activity subtask {} scoring {} {} ({}, threshold {}) and {} {} ({},"
                        + " threshold {}), inactivity checks {}",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                purchase.info.name(),
                purchase.info.version(),
                purchase.info.kind(),
                purchase.threshold,
                churn.info.name(),
                churn.info.version(),
                churn.info.kind(),
                churn.threshold,
                schedule);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<Alert> out)
            throws Exception {
        ShopperEvent event = record.event();
        eventsIn.inc();
        UserActivity activity = loadActivity();
        UserAlertState state = UserAlertState.fromBytes(alertState.value());
        long time = event.eventTimeMillis();

        // the watermark may lag behind this user's events: settle what is due before this event
        if (activity != null && activity.isExpired(time, featureConfig)) {
            expiredUsers.inc();
            clearUser(ctx, state);
            activity = null;
            state = new UserAlertState();
        }
        if (activity == null) {
            activity = UserActivity.empty();
        }
        long registeredTimer = state.pendingTimer;
        while (state.pendingTimer != NONE && state.pendingTimer < time) {
            long check = state.pendingTimer;
            runInactivityCheck(ctx.getCurrentKey(), activity, state, check, out);
            state.pendingTimer = nextTimer(activity, check);
        }
        long lastBefore = activity.lastEventMillis();

        ApplyOutcome outcome = activity.apply(event, featureConfig);
        if (outcome == ApplyOutcome.DUPLICATE) {
            duplicateEvents.inc();
            return;
        }
        if (outcome == ApplyOutcome.LATE) {
            lateEvents.inc();
            ctx.output(
                    LATE_EVENTS,
                    new LateEvent(
                            "event_time "
                                    + time
                                    + " is more than the allowed lateness of "
                                    + featureConfig.allowedLateness()
                                    + " behind the user's latest event at "
                                    + activity.lastEventMillis(),
                            event,
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            clock.millis()));
            return;
        }

        // as of the event's own time, as the training's replay does (the latest event's time,
        // unless the event is out of order within the allowed lateness)
        long asOf = time;
        activity.features(asOf, featureConfig, features);
        double score = purchase.score(features);
        if (score >= purchase.threshold) {
            if (inCooldown(state, activity, asOf)) {
                cooldownSuppressed.inc();
            } else {
                state.purchaseAlertSessionStart = activity.currentSessionStartMillis();
                state.purchaseAlertTime = asOf;
                out.collect(
                        purchase.alert(
                                event.userId(),
                                score,
                                Alert.TRIGGER_EVENT,
                                event.type().wireName(),
                                asOf,
                                time,
                                clock.millis(),
                                features));
            }
        }

        // only a new latest event starts a new inactivity episode; an older one keeps the timer
        long last = activity.lastEventMillis();
        long timer =
                last != lastBefore || state.pendingTimer == NONE
                        ? nextTimer(activity, last)
                        : state.pendingTimer;
        // the watermark may already be past that time (after an idle partition, or at the end
        // of a bounded input): a timer registered there would never fire, so settle it now
        long watermark = ctx.timerService().currentWatermark();
        while (timer <= watermark) {
            if (activity.isExpired(timer, featureConfig)) {
                expiredUsers.inc();
                state.pendingTimer = registeredTimer;
                clearUser(ctx, state);
                return;
            }
            runInactivityCheck(ctx.getCurrentKey(), activity, state, timer, out);
            timer = nextTimer(activity, timer);
        }
        state.pendingTimer = registeredTimer;
        moveTimer(ctx, state, timer);
        activityState.update(activity.toBytes());
        alertState.update(state.toBytes());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        UserAlertState state = UserAlertState.fromBytes(alertState.value());
        UserActivity activity = loadActivity();
        if (state.pendingTimer != timestamp || activity == null) {
            // not the user's current timer (it is always deleted when moved, so this means state
            // expired by TTL): nothing to check, and nothing left to keep
            LOG.debug("ignoring stale timer {} for user {}", timestamp, ctx.getCurrentKey());
            return;
        }
        state.pendingTimer = NONE;
        if (activity.isExpired(timestamp, featureConfig)) {
            expiredUsers.inc();
            clearUser(ctx, state);
            return;
        }
        runInactivityCheck(ctx.getCurrentKey(), activity, state, timestamp, out);
        moveTimer(ctx, state, nextTimer(activity, timestamp));
        alertState.update(state.toBytes());
    }

    /**
     * Clears everything the job keeps for the current user: both state values and the pending
     * timer. The one place that forgets a user: retention uses it, and so will erasure requests.
     */
    void clearUser(Context ctx, UserAlertState state) {
        if (state.pendingTimer != NONE) {
            ctx.timerService().deleteEventTimeTimer(state.pendingTimer);
            state.pendingTimer = NONE;
        }
        activityState.clear();
        alertState.clear();
    }

    private void runInactivityCheck(
            String userId,
            UserActivity activity,
            UserAlertState state,
            long checkTime,
            Collector<Alert> out) {
        inactivityChecks.inc();
        activity.features(checkTime, featureConfig, features);
        double score = churn.score(features);
        long episode = activity.lastEventMillis();
        if (score >= churn.threshold && state.churnAlertEpisode != episode) {
            state.churnAlertEpisode = episode;
            out.collect(
                    churn.alert(
                            userId,
                            score,
                            Alert.TRIGGER_INACTIVITY_CHECK,
                            null,
                            checkTime,
                            episode,
                            clock.millis(),
                            features));
        }
    }

    private boolean inCooldown(UserAlertState state, UserActivity activity, long asOf) {
        if (rules.cooldownMillis() == AlertRules.COOLDOWN_SESSION) {
            return state.purchaseAlertSessionStart != NONE
                    && state.purchaseAlertSessionStart == activity.currentSessionStartMillis();
        }
        return state.purchaseAlertTime != NONE
                && asOf - state.purchaseAlertTime < rules.cooldownMillis();
    }

    /**
     * The user's next timer after {@code after}: the next inactivity check, or the retention
     * deadline when the schedule is done (or the check would come after the deadline).
     */
    private long nextTimer(UserActivity activity, long after) {
        long last = activity.lastEventMillis();
        long retentionDeadline = last + featureConfig.retention().toMillis() + 1;
        long check = schedule.nextCheck(last, after);
        if (check == Long.MIN_VALUE || check >= retentionDeadline) {
            return retentionDeadline;
        }
        return check;
    }

    private static void moveTimer(Context ctx, UserAlertState state, long next) {
        if (state.pendingTimer == next) {
            return;
        }
        if (state.pendingTimer != NONE) {
            ctx.timerService().deleteEventTimeTimer(state.pendingTimer);
        }
        ctx.timerService().registerEventTimeTimer(next);
        state.pendingTimer = next;
    }

    private UserActivity loadActivity() throws java.io.IOException {
        byte[] bytes = activityState.value();
        return bytes == null ? null : UserActivity.fromBytes(bytes);
    }

    /** One model with what alerts and metrics need about it. */
    private static final class ScoredModel {
        final String type;
        final Scorer scorer;
        final ModelInfo info;
        final double threshold;
        final String[] topNames;
        final int[] topIndexes;
        final Counter alerts;
        final LatencyHistogram latency;

        ScoredModel(
                String type, ModelCard card, Scorer scorer, double threshold, MetricGroup metrics) {
            this.type = type;
            this.scorer = scorer;
            this.info = scorer.info();
            this.threshold = threshold;
            List<String> top = card.topFeatures() == null ? List.of() : card.topFeatures();
            int n = Math.min(TOP_FEATURES, top.size());
            topNames = new String[n];
            topIndexes = new int[n];
            for (int i = 0; i < n; i++) {
                topNames[i] = top.get(i);
                topIndexes[i] = FeatureSchema.indexOf(top.get(i));
            }
            MetricGroup model = metrics.addGroup("model", type);
            alerts = model.counter("alerts");
            latency = model.histogram("scoringLatencyNanos", new LatencyHistogram());
            model.gauge("modelVersion", info::version);
            model.gauge("scorerKind", () -> info.kind().name());
            model.gauge("threshold", () -> threshold);
        }

        double score(double[] features) {
            long start = System.nanoTime();
            double score = scorer.score(features);
            latency.update(System.nanoTime() - start);
            return score;
        }

        Alert alert(
                String userId,
                double score,
                String triggerKind,
                String triggerEventType,
                long triggerTime,
                long eventTime,
                long emittedAt,
                double[] features) {
            alerts.inc();
            double[] values = new double[topIndexes.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = features[topIndexes[i]];
            }
            return new Alert(
                    Alert.idOf(userId, type, triggerTime, info.version()),
                    type,
                    userId,
                    score,
                    threshold,
                    info.name(),
                    info.version(),
                    triggerKind,
                    triggerEventType,
                    triggerTime,
                    eventTime,
                    emittedAt,
                    topNames.clone(),
                    values);
        }
    }
}
