package io.propensity.features;

/** What {@link UserActivity#apply} did with an event. */
public enum ApplyOutcome {
    /** The event was merged into the aggregates. */
    APPLIED,
    /** The same event (user, time, type, product) was applied before; nothing changed. */
    DUPLICATE,
    /**
     * The event is older than the allowed lateness behind the user's latest event; nothing changed.
     */
    LATE
}
