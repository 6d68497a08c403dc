package io.propensity.features;

import io.propensity.features.io.BadRecordListener;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Replays events through one {@link UserActivity} per user with the job's per-user rules, and hands
 * every event and every inactivity check with its feature vector to a listener: the one way to
 * compute features offline (training, the replay CLI, the job's parity test), so that offline and
 * online agree.
 *
 * <p>The rules, the same as the job's per-user function:
 *
 * <ul>
 *   <li>Events are taken in the order given, as the job takes each user's events in their Kafka
 *       partition's order. Each is applied with {@link UserActivity#apply}; one more than the
 *       allowed lateness behind the user's latest event is {@link ApplyOutcome#LATE}, a repeat is
 *       {@link ApplyOutcome#DUPLICATE}, and neither changes the state. The listener hears about all
 *       three, with the vector as of the user's latest event; for an applied event that is exactly
 *       {@code features(eventTime)}, the vector the job scores, since {@link UserActivity#features}
 *       treats an earlier time as the latest event's.
 *   <li>With an {@link InactivitySchedule}, a user's checks are the schedule's offsets after the
 *       user's latest event, each with the vector as of the check's own time. Only an event that
 *       moves the latest event time forward starts a new series; an applied out-of-order event, a
 *       late one or a duplicate keeps the pending checks.
 *   <li>Checks due strictly before a user's next event fire before that event is applied, whatever
 *       the event's outcome (a check at the very instant of the next event does not fire: the user
 *       was not quiet). The job does the same, so its alerts do not depend on watermark timing.
 *   <li>Checks due at or before an instant given to {@link #advanceTime} fire there, as the job's
 *       timers fire when the watermark passes them; {@link #finish} is the last such advance. A
 *       user whose latest event then becomes older than the event time advanced to (a Flink
 *       watermark) fires the checks due then at once after the event, as the job does.
 *   <li>Retention: a check more than {@link FeatureConfig#retention()} after the latest event never
 *       fires. A user quiet for longer than the retention is forgotten (the job clears its state):
 *       at an {@link #advanceTime} past that instant, or at the user's next event, after the checks
 *       due before it; that event then starts a new history.
 * </ul>
 *
 * <p>Assumes events come per user in event-time order, or within the allowed lateness of it. Keeps
 * the state of every user not yet expired in memory (bounded per user, see {@link UserActivity}).
 * Not thread-safe.
 */
public final class FeatureReplay {

    /** Hears about every event of a replay. */
    @FunctionalInterface
    public interface Listener {

        /**
         * Called once per event, after it was applied (or refused as late or duplicate).
         *
         * @param event the event
         * @param outcome what the state did with it
         * @param state the user's state after the event; do not keep or modify it
         * @param features the vector as of {@code state.lastEventMillis()} (equal to the vector as
         *     of the event's own time for an applied event), valid only during the call: copy it to
         *     keep it
         */
        void onEvent(
                ShopperEvent event, ApplyOutcome outcome, UserActivity state, double[] features);
    }

    /** Hears about scheduled inactivity checks of quiet users. */
    @FunctionalInterface
    public interface InactivityListener {

        /**
         * Called at an inactivity check of a user with no event since {@code
         * state.lastEventMillis()}.
         *
         * @param userId the user
         * @param checkMillis the instant of the check
         * @param state the user's state; do not keep or modify it
         * @param features the vector as of {@code checkMillis}, valid only during the call
         */
        void onInactivityCheck(
                String userId, long checkMillis, UserActivity state, double[] features);
    }

    /** No pending check. */
    private static final long NONE = Long.MIN_VALUE;

    private final FeatureConfig config;
    private final long retentionMillis;
    private final Listener listener;
    private final InactivitySchedule schedule;
    private final InactivityListener inactivityListener;
    // insertion order: users are advanced in order of first appearance, so a replay is repeatable
    private final Map<String, User> users = new LinkedHashMap<>();
    private final double[] features = FeatureSchema.newVector();

    private long eventTime = Long.MIN_VALUE;
    private long events;
    private long applied;
    private long late;
    private long duplicates;
    private long expired;
    private long badLines;
    private long maxEventMillis = Long.MIN_VALUE;

    /** One user's state and the next check not yet fired. */
    private static final class User {
        final UserActivity activity = UserActivity.empty();
        long nextCheck = NONE;
    }

    /** A replay that reports events only. */
    public FeatureReplay(FeatureConfig config, Listener listener) {
        this(config, listener, null, null);
    }

    /**
     * A replay that also reports inactivity checks.
     *
     * @param schedule the checks, or {@code null} for none
     * @param inactivityListener hears about them, or {@code null} when {@code schedule} is null
     */
    public FeatureReplay(
            FeatureConfig config,
            Listener listener,
            InactivitySchedule schedule,
            InactivityListener inactivityListener) {
        this.config = Objects.requireNonNull(config, "config");
        this.retentionMillis = config.retention().toMillis();
        this.listener = Objects.requireNonNull(listener, "listener");
        if ((schedule == null) != (inactivityListener == null)) {
            throw new IllegalArgumentException(
                    "an inactivity schedule and its listener go together");
        }
        this.schedule = schedule;
        this.inactivityListener = inactivityListener;
    }

    /** Applies one event to its user's state and calls the listeners. */
    public ApplyOutcome accept(ShopperEvent event) {
        String userId = event.userId();
        long time = event.eventTimeMillis();
        User user = users.get(userId);
        if (user != null) {
            // the checks the user was quiet for come first, as of their own time
            fireChecks(userId, user, time - 1);
            if (user.activity.isExpired(time, config)) {
                users.remove(userId);
                expired++;
                user = null;
            }
        }
        if (user == null) {
            user = new User();
            users.put(userId, user);
        }

        UserActivity state = user.activity;
        long lastBefore = state.lastEventMillis();
        ApplyOutcome outcome = state.apply(event, config);
        events++;
        switch (outcome) {
            case APPLIED:
                applied++;
                break;
            case LATE:
                late++;
                break;
            default:
                duplicates++;
                break;
        }
        maxEventMillis = Math.max(maxEventMillis, time);
        state.features(state.lastEventMillis(), config, features);
        listener.onEvent(event, outcome, state, features);

        if (schedule != null && state.lastEventMillis() != lastBefore) {
            long last = state.lastEventMillis();
            user.nextCheck = nextCheck(last, last);
            // event time may already be past the new checks: they would never fire later
            if (eventTime != Long.MIN_VALUE && advanceUser(userId, user, eventTime)) {
                users.remove(userId);
            }
        }
        return outcome;
    }

    /**
     * Event time has reached {@code millis} (a Flink watermark): fires every user's checks due at
     * or before it, in order of the users' first appearance, and forgets users quiet for longer
     * than the retention at that instant. Event time only moves forward; an earlier instant than
     * the latest one does nothing.
     */
    public void advanceTime(long millis) {
        if (millis <= eventTime) {
            return;
        }
        eventTime = millis;
        Iterator<Map.Entry<String, User>> entries = users.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<String, User> entry = entries.next();
            if (advanceUser(entry.getKey(), entry.getValue(), millis)) {
                entries.remove();
            }
        }
    }

    /**
     * The end of the input: {@link #advanceTime} to {@code endMillis}, for example the end of the
     * data in training, or {@link Long#MAX_VALUE} as Flink does at the end of a bounded input (then
     * every pending check fires and every user is forgotten).
     */
    public void finish(long endMillis) {
        advanceTime(endMillis);
    }

    /** Fires a user's checks up to {@code millis}; returns whether the user expired there. */
    private boolean advanceUser(String userId, User user, long millis) {
        fireChecks(userId, user, millis);
        if (user.activity.isExpired(millis, config)) {
            expired++;
            return true;
        }
        return false;
    }

    /** Fires the pending checks of a user due at or before {@code millis}. */
    private void fireChecks(String userId, User user, long millis) {
        UserActivity state = user.activity;
        while (user.nextCheck != NONE && user.nextCheck <= millis) {
            long check = user.nextCheck;
            state.features(check, config, features);
            inactivityListener.onInactivityCheck(userId, check, state, features);
            user.nextCheck = nextCheck(state.lastEventMillis(), check);
        }
    }

    /** The schedule's next check after {@code after}, or NONE past the schedule or retention. */
    private long nextCheck(long last, long after) {
        long check = schedule.nextCheck(last, after);
        return check == Long.MIN_VALUE || check - last > retentionMillis ? NONE : check;
    }

    /** Replays every event of an iterator. */
    public void replay(Iterator<ShopperEvent> events) {
        while (events.hasNext()) {
            accept(events.next());
        }
    }

    /** Replays a file, reporting its bad lines to {@code badRecords} and counting them. */
    public void replay(Path file, EventFormat format, BadRecordListener badRecords)
            throws IOException {
        try (EventFileReader reader = EventFileReader.open(file, format, badRecords)) {
            replay(reader);
            badLines += reader.badLines();
        }
    }

    /** The latest event time seen, or {@link Long#MIN_VALUE}. */
    public long maxEventMillis() {
        return maxEventMillis;
    }

    /** A user's state, or {@code null} when the user had no event or expired. */
    public UserActivity state(String userId) {
        User user = users.get(userId);
        return user == null ? null : user.activity;
    }

    /** The state of every user kept (seen and not expired), read-only, in order of appearance. */
    public Map<String, UserActivity> states() {
        Map<String, UserActivity> states = new LinkedHashMap<>();
        users.forEach((id, user) -> states.put(id, user.activity));
        return Collections.unmodifiableMap(states);
    }

    /** Events accepted so far (applied, late and duplicate). */
    public long events() {
        return events;
    }

    /** Events merged into a state. */
    public long applied() {
        return applied;
    }

    /** Events refused as late. */
    public long late() {
        return late;
    }

    /** Events refused as duplicates. */
    public long duplicates() {
        return duplicates;
    }

    /** Times a user was forgotten for being quiet longer than the retention. */
    public long expired() {
        return expired;
    }

    /**
     * Bad lines of the files replayed with {@link #replay(Path, EventFormat, BadRecordListener)}.
     */
    public long badLines() {
        return badLines;
    }

    /** Users whose state is kept: seen and not expired. */
    public int users() {
        return users.size();
    }
}
