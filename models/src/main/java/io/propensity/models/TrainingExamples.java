package io.propensity.models;

import io.propensity.features.ApplyOutcome;
import io.propensity.features.EventType;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureReplay;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.ShopperEvent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Replays an event log through the features module's {@link FeatureReplay}, the job's per-user
 * rules, and labels what it sees: point-in-time correct training examples.
 *
 * <p>Features come only from the replay's callbacks, so they are the vectors the job scores: for
 * purchase intent, the vector of each applied event (as of its time); for churn risk, the vector of
 * each {@link InactivitySchedule} check that fires before the user's next event, or by the end of
 * the data (as of the check's time), as the job's inactivity timers do. Events the job would not
 * apply (duplicates, late events) yield no purchase example. Labels ({@link Labels}) come from the
 * user's future events, which the features never see.
 *
 * <p>The log holds each user's events sorted by time, so each user is replayed on their own (a
 * fresh replay, then {@link FeatureReplay#finish} at the end of the data); the examples come user
 * by user, each user's in time order.
 */
public final class TrainingExamples {

    private final ExampleSet examples;
    private final long censored;
    private final long notApplied;

    private TrainingExamples(ExampleSet examples, long censored, long notApplied) {
        this.examples = examples;
        this.censored = censored;
        this.notApplied = notApplied;
    }

    /**
     * Builds the examples of a task.
     *
     * @param horizon purchase intent: the purchase horizon; churn risk: the no-activity window
     * @param schedule the inactivity checks (churn risk only; ignored for purchase intent)
     * @param progress told the number of users done after each user
     */
    public static TrainingExamples build(
            EventLog log,
            Task task,
            FeatureConfig config,
            Duration horizon,
            InactivitySchedule schedule,
            IntConsumer progress) {
        ExampleSet examples = new ExampleSet();
        long[] censored = new long[1];
        long notApplied = 0;
        long horizonMillis = horizon.toMillis();
        long dataEnd = log.endMillis();
        int done = 0;
        for (Map.Entry<String, List<ShopperEvent>> entry : log.eventsByUser().entrySet()) {
            List<ShopperEvent> events = entry.getValue();
            int user = examples.addUser(entry.getKey());
            FeatureReplay replay;
            if (task == Task.PURCHASE_INTENT) {
                long[] purchases = times(events, EventType.PURCHASE);
                replay =
                        new FeatureReplay(
                                config,
                                (event, outcome, state, features) -> {
                                    if (outcome != ApplyOutcome.APPLIED) {
                                        return;
                                    }
                                    long time = event.eventTimeMillis();
                                    Labels.Outcome label =
                                            Labels.purchaseWithin(
                                                    time, purchases, horizonMillis, dataEnd);
                                    add(examples, user, time, horizonMillis, features, label);
                                    if (label == Labels.Outcome.CENSORED) {
                                        censored[0]++;
                                    }
                                });
            } else {
                long[] all = times(events, null);
                replay =
                        new FeatureReplay(
                                config,
                                (event, outcome, state, features) -> {},
                                schedule,
                                (userId, check, state, features) -> {
                                    Labels.Outcome label =
                                            Labels.churnedAfter(check, all, horizonMillis, dataEnd);
                                    add(examples, user, check, horizonMillis, features, label);
                                    if (label == Labels.Outcome.CENSORED) {
                                        censored[0]++;
                                    }
                                });
            }
            replay.replay(events.iterator());
            // the checks up to the end of the data; later ones cannot be labelled or censored
            replay.finish(dataEnd);
            notApplied += replay.events() - replay.applied();
            progress.accept(++done);
        }
        return new TrainingExamples(examples, censored[0], notApplied);
    }

    /** Adds a labelled example; a censored one is left out. */
    private static void add(
            ExampleSet examples,
            int user,
            long time,
            long horizonMillis,
            double[] features,
            Labels.Outcome label) {
        if (label != Labels.Outcome.CENSORED) {
            examples.add(
                    user,
                    time,
                    time + horizonMillis,
                    features,
                    label == Labels.Outcome.POSITIVE ? 1 : 0);
        }
    }

    /** The labelled examples. */
    public ExampleSet examples() {
        return examples;
    }

    /** Examples left out because their label window runs past the end of the data. */
    public long censored() {
        return censored;
    }

    /** Events the features module did not apply (duplicates, late), hence no example. */
    public long notApplied() {
        return notApplied;
    }

    /** The sorted times of a user's events of one type, or of all events when it is null. */
    private static long[] times(List<ShopperEvent> events, EventType type) {
        return events.stream()
                .filter(event -> type == null || event.type() == type)
                .mapToLong(ShopperEvent::eventTimeMillis)
                .sorted()
                .toArray();
    }
}
