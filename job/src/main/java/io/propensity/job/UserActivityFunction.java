package io.propensity.job;

import io.propensity.features.ApplyOutcome;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureSchema;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.ShopperEvent;
import io.propensity.features.UserActivity;
import io.propensity.job.lifecycle.ModelDeployment;
import io.propensity.job.lifecycle.ModelDeploymentListener;
import io.propensity.job.lifecycle.ModelLifecycle;
import io.propensity.job.lifecycle.ModelRole;
import io.propensity.job.lifecycle.ScoreRecord;
import io.propensity.job.lifecycle.ServedModel;
import io.propensity.job.lifecycle.ServingModels;
import io.propensity.job.privacy.AuditRecord;
import io.propensity.job.privacy.ErasureRequest;
import io.propensity.job.privacy.PrivacyRules;
import io.propensity.job.privacy.Pseudonymiser;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The per-user heart of the job: keeps each user's {@link UserActivity} in keyed state, scores the
 * purchase-intent model on every event and the churn-risk model on inactivity checks, and emits
 * {@link Alert}s.
 *
 * <p>State per user: one value, {@code user}: the job's bookkeeping ({@link UserAlertState}, 33
 * bytes) followed by the features module's compact {@link UserActivity} bytes, so an event costs
 * one state read and one write. Timers: exactly one pending event-time timer per user, at the next
 * inactivity check of the churn model's schedule, or after the schedule at the retention deadline;
 * a new event moves it. When the retention deadline passes without events, {@link #clearUser} drops
 * the state and the timer. A processing-time TTL with RocksDB compaction-filter cleanup is a safety
 * net for state whose timer was lost (for example state restored from an older job version).
 *
 * <p>Assumes events of one user arrive in their Kafka partition's order (the events topic is keyed
 * by user id). Out-of-order events within the allowed lateness are merged; older ones go to the
 * {@link #LATE_EVENTS} side output. Duplicates are counted and dropped. Because the watermark can
 * lag behind a user's own events, checks that fall before a new event run first, as of their own
 * time, so the alerts do not depend on watermark timing.
 *
 * <p>Privacy (see the README's "Privacy" section): the input is an envelope ({@link SourceRecord})
 * of events and erasure requests keyed by user id, so a request reaches the subtask that owns the
 * user's state, in order with the user's events. An erasure clears everything through {@link
 * #clearUser} and writes an {@link AuditRecord} to {@link #AUDIT}; with {@code suppress} a marker
 * ({@code privacy-marker}, the only state then kept) drops the user's later events. An event whose
 * {@code marketing_consent} is {@code false} (or, without the flag, the {@code --consent-default})
 * clears the user in the same way, and a marker keeps later events out until consent is granted
 * again. Markers exist only for users without a profile, so the marker is read only for events of
 * users without a profile or with a consent flag: the common event pays nothing for it. Every id in
 * an output goes through the {@link Pseudonymiser}.
 *
 * <p>Upgrades (see the README's "Upgrades"): the {@code activity} bytes are written in the format
 * version of {@link AlertRules#stateFormatVersion()} and read in any version this build knows, an
 * older one migrated on the user's next read. Beside the keyed state, the operator keeps a {@link
 * StateCompatibility} record of the rules the state was built under; a restore under incompatible
 * rules fails in {@link #initializeState}, before any user is read, and without restarts.
 */
public class UserActivityFunction extends KeyedProcessFunction<String, SourceRecord, Alert>
        implements ModelDeploymentListener, CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UserActivityFunction.class);

    /**
     * Events the user's state did not apply: later than the allowed lateness behind the user's
     * latest event, or re-sent (equal to an event already applied: same time, type and product),
     * each with its reason and coordinates, so that no record the job received goes unaccounted
     * for.
     */
    public static final OutputTag<LateEvent> LATE_EVENTS =
            new OutputTag<>("late-events", TypeInformation.of(LateEvent.class));

    /** The reason of a re-sent event on the {@link #LATE_EVENTS} output. */
    static final String DUPLICATE_REASON =
            "duplicate: an event of this user with the same event_time, event_type and product_id"
                    + " was already applied; ignored";

    /** What the job did to forget users (erasures, consent withdrawals), one record each. */
    public static final OutputTag<AuditRecord> AUDIT =
            new OutputTag<>("audit", TypeInformation.of(AuditRecord.class));

    /** Privacy marker value: the user asked to be forgotten and suppressed. */
    static final byte SUPPRESSED = 1;

    /** Privacy marker value: the user's latest consent flag withdrew marketing consent. */
    static final byte CONSENT_WITHDRAWN = 2;

    /** The keyed state holding a user's bookkeeping and activity in one value. */
    static final String USER_STATE = "user";

    /** Names of what was cleared of a user, in audit records. */
    static final String ACTIVITY = "activity";

    static final String ALERT_STATE = "alert-state";
    static final String TIMER = "timer";
    static final String SUPPRESSION = "suppression";
    static final String CONSENT_MARKER = "consent-withdrawn";
    static final String PRIVACY_MARKER = "privacy-marker";

    private static final String[] NOTHING = new String[0];

    private static final long NONE = UserAlertState.NONE;

    private final AlertRules rules;
    private final ProcessingClock clock;
    private final PrivacyRules privacy;

    private transient ListState<String> compatibilityState;
    private transient StateCompatibility compatibility;
    private transient ValueState<byte[]> userState;
    private transient ValueState<Byte> privacyMarker;
    private transient Pseudonymiser pseudonymiser;
    private transient FeatureConfig featureConfig;
    private transient InactivitySchedule schedule;
    private boolean scoresOutput;
    private boolean scoreFeatures;
    private transient List<ModelDeployment> restoredModels;
    private transient ServingModels models;
    private transient double[] features;

    /** Scratch for the contributions of an alert's explanation. */
    private transient double[] contributions;

    private transient Counter eventsIn;
    private transient Counter duplicateEvents;
    private transient Counter lateEvents;
    private transient Counter cooldownSuppressed;
    private transient Counter inactivityChecks;
    private transient Counter expiredUsers;
    private transient Counter erasuresApplied;
    private transient Counter suppressedEventsDropped;
    private transient Counter consentWithdrawnUsers;
    private transient Counter consentWithdrawnEventsDropped;

    /** With the default privacy rules: consent granted by default, raw ids in outputs. */
    public UserActivityFunction(AlertRules rules, ProcessingClock clock) {
        this(rules, clock, PrivacyRules.DEFAULT);
    }

    public UserActivityFunction(AlertRules rules, ProcessingClock clock, PrivacyRules privacy) {
        this.rules = rules;
        this.clock = clock;
        this.privacy = privacy;
    }

    /**
     * The state TTL: a safety net only, timers clear expired users; TTL is processing time, so it
     * is the retention plus one check cycle and never fires before the event-time timer.
     */
    static StateTtlConfig stateTtl(AlertRules rules) {
        Duration ttl = rules.featureConfig().retention().plus(rules.schedule().offsets().get(0));
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }

    /**
     * The {@code user} state: {@link UserAlertState}'s bytes, then the features module's activity
     * bytes, with the TTL safety net. Public for tools and tests that read it from a savepoint
     * (State Processor API); {@link #activityOf} decodes the activity of a value.
     */
    public static ValueStateDescriptor<byte[]> userStateDescriptor(AlertRules rules) {
        ValueStateDescriptor<byte[]> user =
                new ValueStateDescriptor<>(
                        USER_STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        user.enableTimeToLive(stateTtl(rules));
        return user;
    }

    /** Where the activity's own bytes start in a value of the {@code user} state. */
    public static final int ACTIVITY_OFFSET = UserAlertState.SIZE;

    /** The activity in a value of the {@code user} state; {@code null} for {@code null}. */
    public static UserActivity activityOf(byte[] userStateValue) {
        return UserAlertState.activityOf(userStateValue);
    }

    /**
     * The {@code privacy-marker} state: {@link #SUPPRESSED} or {@link #CONSENT_WITHDRAWN}. No TTL:
     * a marker that expired would let a suppressed user's events build a profile again.
     */
    static ValueStateDescriptor<Byte> privacyMarkerDescriptor() {
        return new ValueStateDescriptor<>(PRIVACY_MARKER, Types.BYTE);
    }

    /**
     * Checks, on a restore, that this job can continue the saved per-user state (see {@link
     * StateCompatibility}); runs before {@link #open} and before any user is read.
     *
     * @throws SuppressRestartsException when it cannot: restarting would fail the same way
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        compatibilityState =
                context.getOperatorStateStore().getUnionListState(StateCompatibility.DESCRIPTOR);
        StateCompatibility own =
                StateCompatibility.of(rules.featureConfig(), rules.stateFormatVersion());
        compatibility = own;
        if (!context.isRestored()) {
            return;
        }
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        StateCompatibility saved = StateCompatibility.restored(compatibilityState.get());
        String problems =
                saved == null ? StateCompatibility.withoutRecord() : own.problemsContinuing(saved);
        if (!problems.isEmpty()) {
            String message = StateCompatibility.incompatibleMessage(problems);
            LOG.error("user-activity subtask {}: {}", subtask, message);
            throw new SuppressRestartsException(new IllegalStateException(message));
        }
        String retention = own.retentionChange(saved);
        if (!retention.isEmpty() && subtask == 0) {
            // known limit: a user whose pending timer is the old retention deadline keeps its
            // state until that timer or its next event; the new retention applies from then on
            LOG.warn(
                    "the retention changed ({}): it applies from each user's next event or timer",
                    retention);
        }
        compatibility = own.continuing(saved);
        if (subtask == 0) {
            LOG.info(
                    "restored per-user state built under {}, continuing as {}",
                    saved,
                    compatibility);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        // one copy is enough: a union list state hands every subtask every copy on restore
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            compatibilityState.update(compatibility.entries());
        } else {
            compatibilityState.clear();
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        featureConfig = rules.featureConfig();
        schedule = rules.schedule();
        features = new double[FeatureSchema.size()];
        contributions = new double[FeatureSchema.size()];

        userState = getRuntimeContext().getState(userStateDescriptor(rules));
        privacyMarker = getRuntimeContext().getState(privacyMarkerDescriptor());
        pseudonymiser = privacy.openPseudonymiser();

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        duplicateEvents = metrics.counter("duplicateEvents");
        lateEvents = metrics.counter("lateEvents");
        cooldownSuppressed = metrics.counter("purchaseAlertsInCooldown");
        inactivityChecks = metrics.counter("inactivityChecks");
        expiredUsers = metrics.counter("expiredUsers");
        erasuresApplied = metrics.counter("erasuresApplied");
        suppressedEventsDropped = metrics.counter("suppressedEventsDropped");
        consentWithdrawnUsers = metrics.counter("consentWithdrawnUsers");
        consentWithdrawnEventsDropped = metrics.counter("consentWithdrawnEventsDropped");
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        models =
                new ServingModels(
                        rules.scorerKind(),
                        Map.of(
                                ModelRole.PURCHASE_INTENT,
                                ServedModel.champion(
                                        ModelRole.PURCHASE_INTENT,
                                        rules.purchaseModel().card(),
                                        rules.purchaseModel().load(rules.scorerKind()),
                                        rules.purchaseThreshold()),
                                ModelRole.CHURN_RISK,
                                ServedModel.champion(
                                        ModelRole.CHURN_RISK,
                                        rules.churnModel().card(),
                                        rules.churnModel().load(rules.scorerKind()),
                                        rules.churnThreshold())),
                        metrics,
                        LatencyHistogram::new,
                        "user-activity subtask " + subtask);
        // after a restore the active set of the checkpoint serves, not the command line's models
        if (restoredModels != null) {
            for (ModelDeployment deployment : restoredModels) {
                models.installNow(deployment);
            }
        }
        ServedModel purchase = models.champion(ModelRole.PURCHASE_INTENT);
        ServedModel churn = models.champion(ModelRole.CHURN_RISK);
        LOG.info(
                "user-activity subtask {} scoring {} {} ({}, threshold {}) and {} {} ({},"
                        + " threshold {}), inactivity checks {}, consent by default {}, user ids"
                        + " in outputs {}",
                subtask,
                purchase.info().name(),
                purchase.version(),
                purchase.info().kind(),
                purchase.threshold(),
                churn.info().name(),
                churn.version(),
                churn.info().kind(),
                churn.threshold(),
                schedule,
                privacy.consentGrantedByDefault() ? "granted" : "withdrawn",
                privacy.pseudonymises()
                        ? "pseudonymised (key from " + privacy.pseudonymKey().describe() + ")"
                        : "raw");
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<Alert> out)
            throws Exception {
        // a model that finished loading serves from here on: between two events, never within one
        models.applyLoaded();
        if (record.isErasure()) {
            applyErasure(record, ctx);
            return;
        }
        ShopperEvent event = record.event();
        eventsIn.inc();
        byte[] value = userState.value();
        UserActivity activity = UserAlertState.activityOf(value);
        UserAlertState state = UserAlertState.fromValue(value);
        Boolean consent = event.marketingConsent();
        if ((activity == null || consent != null)
                && !admittedByPrivacy(record, consent, state, activity != null, ctx)) {
            return;
        }
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
            runInactivityCheck(ctx, activity, state, check, out);
            state.pendingTimer = nextTimer(activity, check);
        }
        long lastBefore = activity.lastEventMillis();

        ApplyOutcome outcome = activity.apply(event, featureConfig);
        if (outcome == ApplyOutcome.DUPLICATE) {
            duplicateEvents.inc();
            setAside(ctx, DUPLICATE_REASON, record);
            return;
        }
        if (outcome == ApplyOutcome.LATE) {
            lateEvents.inc();
            setAside(
                    ctx,
                    "event_time "
                            + time
                            + " is more than the allowed lateness of "
                            + featureConfig.allowedLateness()
                            + " behind the user's latest event at "
                            + activity.lastEventMillis(),
                    record);
            return;
        }

        // as of the event's own time, as the training's replay does (the latest event's time,
        // unless the event is out of order within the allowed lateness)
        long asOf = time;
        activity.features(asOf, featureConfig, features);
        ServedModel purchase = models.served(ModelRole.PURCHASE_INTENT, ctx.getCurrentKey());
        double score = models.score(purchase, features);
        emitScores(
                ctx,
                purchase,
                score,
                event.userId(),
                Alert.TRIGGER_EVENT,
                event.type().wireName(),
                asOf,
                time);
        if (score >= purchase.threshold()) {
            if (inCooldown(state, activity, asOf)) {
                cooldownSuppressed.inc();
            } else {
                state.purchaseAlertSessionStart = activity.currentSessionStartMillis();
                state.purchaseAlertTime = asOf;
                out.collect(
                        alert(
                                purchase,
                                pseudonymiser.of(event.userId()),
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
            runInactivityCheck(ctx, activity, state, timer, out);
            timer = nextTimer(activity, timer);
        }
        state.pendingTimer = registeredTimer;
        moveTimer(ctx, state, timer);
        userState.update(state.toValue(activity, rules.stateFormatVersion()));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        models.applyLoaded();
        byte[] value = userState.value();
        UserAlertState state = UserAlertState.fromValue(value);
        UserActivity activity = UserAlertState.activityOf(value);
        if (state.pendingTimer != timestamp || activity == null) {
            // not the user's current timer (it is always deleted when moved, so this means state
            // expired by TTL): nothing to check, and nothing left to keep
            // no user id in the log: with pseudonymisation on, raw ids must not leave the job
            LOG.debug("ignoring stale timer {}", timestamp);
            return;
        }
        state.pendingTimer = NONE;
        if (activity.isExpired(timestamp, featureConfig)) {
            expiredUsers.inc();
            clearUser(ctx, state);
            return;
        }
        runInactivityCheck(ctx, activity, state, timestamp, out);
        moveTimer(ctx, state, nextTimer(activity, timestamp));
        // a check changes only the bookkeeping: rewrite its bytes, keep the activity's
        state.writeInto(value);
        userState.update(value);
    }

    /**
     * Clears everything the job keeps for the current user: the activity, the alert state
     * (cooldowns, churn episode), the privacy marker and the pending timer. The one place that
     * forgets a user: retention, erasure requests and consent withdrawals use it. The job stores no
     * A/B assignment or any other per-user data.
     */
    void clearUser(Context ctx, UserAlertState state) {
        if (state.pendingTimer != NONE) {
            ctx.timerService().deleteEventTimeTimer(state.pendingTimer);
            state.pendingTimer = NONE;
        }
        userState.clear();
        privacyMarker.clear();
    }

    /**
     * Forgets the current user for an erasure request, keeps a suppression marker if asked, and
     * writes the audit record. A timer whose alert state had already expired by TTL cannot be found
     * to delete it; it holds no data but the key and fires into nothing (see onTimer). That only
     * happens after the TTL safety net, which runs later than the retention timer itself.
     */
    private void applyErasure(SourceRecord record, Context ctx) throws Exception {
        ErasureRequest request = record.erasure();
        byte[] value = userState.value();
        UserAlertState state = UserAlertState.fromValue(value);
        Byte marker = privacyMarker.value();
        List<String> cleared = new ArrayList<>(4);
        if (value != null) {
            cleared.add(ACTIVITY);
            cleared.add(ALERT_STATE);
        }
        if (state.pendingTimer != NONE) {
            cleared.add(TIMER);
        }
        if (marker != null) {
            cleared.add(marker == SUPPRESSED ? SUPPRESSION : CONSENT_MARKER);
        }
        clearUser(ctx, state);
        String[] kept = NOTHING;
        if (request.suppress()) {
            privacyMarker.update(SUPPRESSED);
            kept = new String[] {SUPPRESSION};
        }
        erasuresApplied.inc();
        audit(ctx, AuditRecord.ERASURE, request.requestId(), cleared, kept, request, record);
        LOG.info(
                "applied erasure request {} from {}-{} offset {}: cleared {}, kept {}",
                request.requestId(),
                record.topic(),
                record.partition(),
                record.offset(),
                cleared,
                List.of(kept));
    }

    /**
     * Decides whether the privacy rules let an event reach the user's profile: suppressed users'
     * events are dropped; a withdrawn consent (the event's flag, else the marker, else the default)
     * clears the user, keeps a marker when the event said so, and drops the event; a granted
     * consent lifts the marker, and the event starts a fresh profile.
     *
     * <p>Users with a profile are only checked when the event carries a flag: a profile means
     * consent was granted (or the default granted it), so an unflagged event changes nothing. A
     * change of {@code --consent-default} therefore applies to users without a profile; profiles
     * made under the old default stay until their user sends a flag or reaches the retention.
     */
    private boolean admittedByPrivacy(
            SourceRecord record,
            Boolean consent,
            UserAlertState state,
            boolean hasProfile,
            Context ctx)
            throws Exception {
        // a marker exists only without a profile (setting one clears the profile)
        Byte marker = hasProfile ? null : privacyMarker.value();
        if (marker != null && marker == SUPPRESSED) {
            suppressedEventsDropped.inc();
            return false;
        }
        boolean withdrawnBefore = marker != null && marker == CONSENT_WITHDRAWN;
        boolean granted =
                consent != null ? consent : !withdrawnBefore && privacy.consentGrantedByDefault();
        if (granted) {
            if (withdrawnBefore) {
                privacyMarker.clear();
            }
            return true;
        }
        if (hasProfile || (consent != null && !withdrawnBefore)) {
            List<String> cleared = new ArrayList<>(3);
            if (hasProfile) {
                cleared.add(ACTIVITY);
                cleared.add(ALERT_STATE);
                if (state.pendingTimer != NONE) {
                    cleared.add(TIMER);
                }
                clearUser(ctx, state);
            }
            String[] kept = NOTHING;
            if (consent != null) {
                privacyMarker.update(CONSENT_WITHDRAWN);
                kept = new String[] {CONSENT_MARKER};
            }
            consentWithdrawnUsers.inc();
            audit(ctx, AuditRecord.CONSENT_WITHDRAWN, null, cleared, kept, null, record);
        }
        consentWithdrawnEventsDropped.inc();
        return false;
    }

    private void audit(
            Context ctx,
            String action,
            String requestId,
            List<String> cleared,
            String[] kept,
            ErasureRequest request,
            SourceRecord record) {
        ctx.output(
                AUDIT,
                new AuditRecord(
                        action,
                        requestId,
                        pseudonymiser.of(ctx.getCurrentKey()),
                        pseudonymiser.enabled(),
                        cleared.toArray(NOTHING),
                        kept,
                        request != null ? request.requestedAt() : record.event().eventTimeMillis(),
                        clock.millis(),
                        record.topic(),
                        record.partition(),
                        record.offset()));
    }

    private void runInactivityCheck(
            Context ctx,
            UserActivity activity,
            UserAlertState state,
            long checkTime,
            Collector<Alert> out) {
        String userId = ctx.getCurrentKey();
        inactivityChecks.inc();
        activity.features(checkTime, featureConfig, features);
        ServedModel churn = models.served(ModelRole.CHURN_RISK, userId);
        double score = models.score(churn, features);
        long episode = activity.lastEventMillis();
        emitScores(
                ctx,
                churn,
                score,
                userId,
                Alert.TRIGGER_INACTIVITY_CHECK,
                null,
                checkTime,
                episode);
        if (score >= churn.threshold() && state.churnAlertEpisode != episode) {
            state.churnAlertEpisode = episode;
            out.collect(
                    alert(
                            churn,
                            pseudonymiser.of(userId),
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

    /** Sends an event the state did not apply to {@link #LATE_EVENTS}, with its reason. */
    private void setAside(Context ctx, String reason, SourceRecord record) {
        ShopperEvent event = record.event();
        ctx.output(
                LATE_EVENTS,
                new LateEvent(
                        reason,
                        pseudonymiser.enabled()
                                ? event.withUserId(pseudonymiser.of(event.userId()))
                                : event,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        clock.millis()));
    }

    /**
     * Writes what the lifecycle outputs need about a score: the served score to {@link
     * ModelLifecycle#SCORES} (with {@code --scores-topic}), and the role's shadow challenger's
     * score on the same features to {@link ModelLifecycle#SHADOW_SCORES}. Shadow models never
     * alert.
     */
    private void emitScores(
            Context ctx,
            ServedModel served,
            double score,
            String userId,
            String triggerKind,
            String triggerEventType,
            long triggerTime,
            long eventTime) {
        ServedModel shadow = models.shadow(served.role());
        if (!scoresOutput && shadow == null) {
            return;
        }
        String outputId = pseudonymiser.of(userId);
        long now = clock.millis();
        double[] vector = scoreFeatures ? features : null;
        if (scoresOutput) {
            ctx.output(
                    ModelLifecycle.SCORES,
                    ScoreRecord.of(
                            served,
                            outputId,
                            score,
                            triggerKind,
                            triggerEventType,
                            triggerTime,
                            eventTime,
                            now,
                            vector));
        }
        if (shadow != null) {
            ctx.output(
                    ModelLifecycle.SHADOW_SCORES,
                    ScoreRecord.of(
                            shadow,
                            outputId,
                            shadow.score(features),
                            triggerKind,
                            triggerEventType,
                            triggerTime,
                            eventTime,
                            now,
                            vector));
        }
    }

    /** An alert of the served model, with its version and arm, on the current features. */
    private Alert alert(
            ServedModel model,
            String userId,
            double score,
            String triggerKind,
            String triggerEventType,
            long triggerTime,
            long eventTime,
            long emittedAt,
            double[] features) {
        String type = model.role().task();
        models.alerts(model.role()).inc();
        return new Alert(
                Alert.idOf(userId, type, triggerTime, model.version()),
                type,
                userId,
                score,
                model.threshold(),
                model.info().name(),
                model.version(),
                triggerKind,
                triggerEventType,
                triggerTime,
                eventTime,
                emittedAt,
                AlertReasons.explain(model.scorer(), features, rules.reasons(), contributions),
                model.arm().wireName());
    }

    /**
     * Also writes every served score to {@link ModelLifecycle#SCORES} ({@code --scores-topic}). Off
     * by default: a score record per event costs an allocation and a Kafka record.
     */
    public UserActivityFunction withScoresOutput(boolean enabled) {
        this.scoresOutput = enabled;
        return this;
    }

    /**
     * Score records (served and shadow) also carry the feature vector they scored ({@code
     * --score-features}): what a drift monitor or a parity check against the training needs. Off by
     * default: it copies the vector and adds about 1.5 KB of JSON to each record.
     */
    public UserActivityFunction withScoreFeatures(boolean enabled) {
        this.scoreFeatures = enabled;
        return this;
    }

    @Override
    public void restoreModels(List<ModelDeployment> deployments) {
        restoredModels = deployments;
    }

    @Override
    public void onDeployment(ModelDeployment deployment) {
        models.submit(deployment);
    }

    @Override
    public void close() throws Exception {
        if (models != null) {
            models.close();
        }
        super.close();
    }
}
