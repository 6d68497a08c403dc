package io.propensity.features;

import io.propensity.features.io.BadRecordListener;
import io.propensity.features.io.EventFileReader;
import io.propensity.features.io.EventFormat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Replays events through one {@link UserActivity} per user, the way the job does, and hands every
 * event with its outcome and feature vector to a listener: the one way to compute features offline
 * (training, the replay CLI, parity checks), so that offline and online agree.
 *
 * <p>Assumes each user's events come in event-time order, or at least within the allowed lateness
 * of that order, like Kafka delivers them per key. That holds for the shipped files: Taobao is
 * grouped by user and time-ordered within each user, REES46 is time-ordered. Events out of that
 * order are reported as {@link ApplyOutcome#LATE}, just as the job would route them to its late
 * topic. Keeps every user's state in memory (bounded per user, see {@link UserActivity}), so the
 * memory grows with the number of distinct users in the input. Not thread-safe.
 *
 * <p>With an {@link InactivitySchedule} and an {@link InactivityListener}, it also calls back at
 * each scheduled inactivity check of a user that passes before the user's next event (a check at
 * the very instant of the next event does not fire: the user was not quiet), and at {@link
 * #finish(long)} for the checks up to the end of the input, like the job's timers.
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
         * @param features the vector as of {@code state.lastEventMillis()} (the event's own time
         *     for an in-order event), valid only during the call: copy it to keep it
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

    private final FeatureConfig config;
    private final Listener listener;
    private final InactivitySchedule schedule;
    private final InactivityListener inactivityListener;
    private final Map<String, UserActivity> users = new HashMap<>();
    private final double[] features = FeatureSchema.newVector();

    private long events;
    private long applied;
    private long late;
    private long duplicates;
    private long badLines;
    private long maxEventMillis = Long.MIN_VALUE;

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
        this.listener = Objects.requireNonNull(listener, "listener");
        if ((schedule == null) != (inactivityListener == null)) {
            throw new IllegalArgumentException(
                    "an inactivity schedule and its listener go together");
        }
        this.schedule = schedule;
        this.inactivityListener = inactivityListener;
    }

    /** Applies one event to its user's state and calls the listener. */
    public ApplyOutcome accept(ShopperEvent event) {
        UserActivity state = users.get(event.userId());
        if (state == null) {
            state = UserActivity.empty();
            users.put(event.userId(), state);
        } else if (schedule != null) {
            fireChecks(event.userId(), state, event.eventTimeMillis());
        }
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
        maxEventMillis = Math.max(maxEventMillis, event.eventTimeMillis());
        state.features(state.lastEventMillis(), config, features);
        listener.onEvent(event, outcome, state, features);
        return outcome;
    }

    /** Fires the checks of a quiet user that fall strictly before {@code beforeMillis}. */
    private void fireChecks(String userId, UserActivity state, long beforeMillis) {
        long last = state.lastEventMillis();
        for (long check = schedule.nextCheck(last, last);
                check != Long.MIN_VALUE && check < beforeMillis;
                check = schedule.nextCheck(last, check)) {
            state.features(check, config, features);
            inactivityListener.onInactivityCheck(userId, check, state, features);
        }
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

    /**
     * Fires the inactivity checks that are due at or before {@code endMillis} for every user (for
     * example the latest event time of the input, when no more data will come). Does nothing
     * without a schedule. Fires the checks strictly before {@code endMillis + 1}.
     */
    public void finish(long endMillis) {
        if (schedule == null) {
            return;
        }
        for (Map.Entry<String, UserActivity> user : users.entrySet()) {
            fireChecks(user.getKey(), user.getValue(), endMillis + 1);
        }
    }

    /** The latest event time seen, or {@link Long#MIN_VALUE}. */
    public long maxEventMillis() {
        return maxEventMillis;
    }

    /** A user's state, or {@code null} when the user had no event. */
    public UserActivity state(String userId) {
        return users.get(userId);
    }

    /** Every user's state, read-only. */
    public Map<String, UserActivity> states() {
        return Collections.unmodifiableMap(users);
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

    /**
     * Bad lines of the files replayed with {@link #replay(Path, EventFormat, BadRecordListener)}.
     */
    public long badLines() {
        return badLines;
    }

    /** Distinct users seen. */
    public int users() {
        return users.size();
    }
}
