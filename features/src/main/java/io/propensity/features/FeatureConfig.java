package io.propensity.features;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The knobs that change what the features module computes. The job and the training must use the
 * same values for a model to see in production what it saw in training, so a model card records
 * them.
 *
 * @param sessionGap inactivity that ends a derived session, for events without a session id
 * @param allowedLateness how far behind a user's latest event an event may arrive and still be
 *     merged into the aggregates; older events are reported as late
 * @param retention inactivity after which a user's state counts as expired
 * @param zone the time zone of the hour-of-day and day-of-week features
 */
public record FeatureConfig(
        Duration sessionGap, Duration allowedLateness, Duration retention, ZoneId zone) {

    /** 30 minutes, the usual web-analytics session timeout. */
    public static final Duration DEFAULT_SESSION_GAP = Duration.ofMinutes(30);

    /** 10 minutes: per-user order is kept by Kafka keys, so lateness only covers producers. */
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofMinutes(10);

    /** 90 days of inactivity. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

    public FeatureConfig {
        Objects.requireNonNull(sessionGap, "sessionGap");
        Objects.requireNonNull(allowedLateness, "allowedLateness");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(zone, "zone");
        if (sessionGap.isNegative() || sessionGap.isZero()) {
            throw new IllegalArgumentException("sessionGap must be positive, was " + sessionGap);
        }
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException(
                    "allowedLateness must not be negative, was " + allowedLateness);
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, was " + retention);
        }
    }

    /** The defaults: 30 min sessions, 10 min lateness, 90 days retention, UTC. */
    public static FeatureConfig defaults() {
        return new FeatureConfig(
                DEFAULT_SESSION_GAP, DEFAULT_ALLOWED_LATENESS, DEFAULT_RETENTION, ZoneId.of("UTC"));
    }
}
