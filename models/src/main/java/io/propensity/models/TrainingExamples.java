package io.propensity.models;

import io.propensity.features.ApplyOutcome;
import io.propensity.features.EventType;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureSchema;
import io.propensity.features.InactivitySchedule;
import io.propensity.features.ShopperEvent;
import io.propensity.features.UserActivity;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Replays an event log through the features module exactly as the job does, and labels what it
 * sees: point-in-time correct training examples.
 *
 * <p>Per user, events are applied in event-time order with {@link UserActivity#apply}. For purchase
 * intent, each applied event yields the vector {@code features(eventTime)} that the job scores at
 * that event. For churn risk, after a user's latest event each check of the {@link
 * InactivitySchedule} that comes before the user's next event yields {@code features(checkTime)},
 * the vector the job scores when its inactivity timer fires. Events the job would not apply
 * (duplicates, late events) yield nothing, as in the job. Features therefore only see the past;
 * labels ({@link Labels}) only the future.
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
        double[] vector = new double[FeatureSchema.size()];
        for (Map.Entry<String, List<ShopperEvent>> entry : log.eventsByUser().entrySet()) {
            List<ShopperEvent> events = entry.getValue();
            int user = examples.addUser(entry.getKey());
            UserActivity activity = UserActivity.empty();
            long[] purchases = task == Task.PURCHASE_INTENT ? purchaseTimes(events) : new long[0];
            for (int i = 0; i < events.size(); i++) {
                ShopperEvent event = events.get(i);
                if (activity.apply(event, config) != ApplyOutcome.APPLIED) {
                    notApplied++;
                    continue;
                }
                if (task == Task.PURCHASE_INTENT) {
                    long time = event.eventTimeMillis();
                    Labels.Outcome outcome =
                            Labels.purchaseWithin(time, purchases, horizonMillis, dataEnd);
                    if (outcome == Labels.Outcome.CENSORED) {
                        censored[0]++;
                    } else {
                        activity.features(time, config, vector);
                        examples.add(
                                user,
                                time,
                                time + horizonMillis,
                                vector,
                                outcome == Labels.Outcome.POSITIVE ? 1 : 0);
                    }
                } else {
                    long last = activity.lastEventMillis();
                    long next = nextEventAfter(events, i);
                    if (i + 1 < events.size() && next == last) {
                        // more events at the same instant follow: the job's timer is re-armed
                        // after the last of them
                        continue;
                    }
                    UserActivity quiet = activity;
                    Labels.churnChecks(
                            last,
                            next,
                            schedule,
                            horizonMillis,
                            dataEnd,
                            (check, outcome) -> {
                                if (outcome == Labels.Outcome.CENSORED) {
                                    censored[0]++;
                                } else {
                                    quiet.features(check, config, vector);
                                    examples.add(
                                            user,
                                            check,
                                            check + horizonMillis,
                                            vector,
                                            outcome == Labels.Outcome.POSITIVE ? 1 : 0);
                                }
                            });
                }
            }
            progress.accept(++done);
        }
        return new TrainingExamples(examples, censored[0], notApplied);
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

    private static long[] purchaseTimes(List<ShopperEvent> events) {
        return events.stream()
                .filter(event -> event.type() == EventType.PURCHASE)
                .mapToLong(ShopperEvent::eventTimeMillis)
                .sorted()
                .toArray();
    }

    /** The time of the next event after index {@code i}, or MAX_VALUE when it is the last. */
    private static long nextEventAfter(List<ShopperEvent> events, int i) {
        return i + 1 < events.size() ? events.get(i + 1).eventTimeMillis() : Long.MAX_VALUE;
    }
}
