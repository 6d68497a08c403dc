package io.propensity.job;

import io.propensity.features.Durations;
import io.propensity.features.FeatureConfig;
import io.propensity.features.FeatureSchema;
import io.propensity.features.UserActivity;

import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the per-user state of a running job was built under, kept beside it so that a restore can
 * tell whether this job may continue it: the layout of the keyed state, the {@link UserActivity}
 * format versions written, the {@link FeatureSchema} version, and the {@link FeatureConfig}
 * (session gap, allowed lateness, time zone, retention).
 *
 * <p>Checked once per restore, before any user is read, so an incompatible change stops the job at
 * start-up with a message naming each difference (the saved value and this job's), instead of
 * failing on some user's next event or silently mixing aggregates built under different rules:
 *
 * <ul>
 *   <li>another keyed state layout: earlier builds kept two values per user ({@code activity} and
 *       {@code alert-state}), this one keeps one ({@code user}); a job restored from the old layout
 *       would find every user's {@code user} state empty, a silent reset;
 *   <li>a format version outside what this build reads: the state cannot be decoded;
 *   <li>another feature version, session gap, allowed lateness or zone: the aggregates mean
 *       something else (sessions split differently, days counted in another zone, duplicates and
 *       late events decided differently), and nothing can convert them.
 * </ul>
 *
 * A changed retention is compatible (it decides when a user is dropped, not what is counted) and is
 * logged. Savepoints of builds before this record existed carry none; those builds all kept the
 * two-value layout, so such a savepoint is refused as that layout ({@link #withoutRecord}).
 *
 * <p>Kept as {@code key=value} strings in the union list state {@link #DESCRIPTOR} of the {@code
 * user-activity} operator, so every subtask sees it whatever the parallelism.
 */
final class StateCompatibility {

    /** The operator state holding the record. */
    static final ListStateDescriptor<String> DESCRIPTOR =
            new ListStateDescriptor<>("state-compatibility", Types.STRING);

    static final String KEYED_STATE = "keyed_state";

    /** This build's keyed state layout: one value per user, {@code user}. */
    static final String ONE_VALUE_LAYOUT = "user";

    /** The layout of builds whose records have no {@link #KEYED_STATE}, or no record at all. */
    static final String TWO_VALUE_LAYOUT = "activity+alert-state";

    static final String FORMAT_VERSIONS = "state_format_versions";
    static final String FEATURE_VERSION = "feature_version";
    static final String SESSION_GAP = "session_gap";
    static final String ALLOWED_LATENESS = "allowed_lateness";
    static final String ZONE = "zone";
    static final String RETENTION = "retention";

    /** What the keys are called on the command line, for the advice in a message. */
    private static final Map<String, String> OPTIONS =
            Map.of(
                    SESSION_GAP, "--session-gap",
                    ALLOWED_LATENESS, "--allowed-lateness",
                    ZONE, "the purchase model card's feature_config.zone",
                    FEATURE_VERSION, "the feature schema version of this build");

    private final Map<String, String> values;

    private StateCompatibility(Map<String, String> values) {
        this.values = values;
    }

    /** The record of a job that writes {@code formatVersion} under {@code config}. */
    static StateCompatibility of(FeatureConfig config, int formatVersion) {
        Map<String, String> values = new TreeMap<>();
        values.put(KEYED_STATE, ONE_VALUE_LAYOUT);
        values.put(FORMAT_VERSIONS, String.valueOf(formatVersion));
        values.put(FEATURE_VERSION, String.valueOf(FeatureSchema.VERSION));
        values.put(SESSION_GAP, Durations.format(config.sessionGap()));
        values.put(ALLOWED_LATENESS, Durations.format(config.allowedLateness()));
        values.put(ZONE, config.zone().getId());
        values.put(RETENTION, Durations.format(config.retention()));
        return new StateCompatibility(values);
    }

    /**
     * Reads a restored record; {@code null} when there is none (a savepoint of an older build).
     *
     * @throws IllegalStateException when the record holds two values for one key
     */
    static StateCompatibility restored(Iterable<String> entries) {
        Map<String, String> values = new TreeMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalStateException(
                        "unreadable state compatibility entry '" + entry + "'");
            }
            String key = entry.substring(0, eq);
            String value = entry.substring(eq + 1);
            // the union of every subtask's copy: identical copies collapse
            String before = values.putIfAbsent(key, value);
            if (before != null && !before.equals(value)) {
                throw new IllegalStateException(
                        "the restored state compatibility record holds two values for "
                                + key
                                + ": "
                                + before
                                + " and "
                                + value);
            }
        }
        return values.isEmpty() ? null : new StateCompatibility(values);
    }

    /** The entries to keep in {@link #DESCRIPTOR}. */
    List<String> entries() {
        List<String> entries = new ArrayList<>(values.size());
        values.forEach((key, value) -> entries.add(key + "=" + value));
        return entries;
    }

    /**
     * The record this job keeps after restoring {@code saved}: its own values, and every format
     * version either wrote (states of each may still be in the state until their user's next
     * event).
     */
    StateCompatibility continuing(StateCompatibility saved) {
        Map<String, String> merged = new TreeMap<>(values);
        Set<Integer> versions = versions(this);
        versions.addAll(versions(saved));
        merged.put(FORMAT_VERSIONS, join(versions));
        return new StateCompatibility(merged);
    }

    /** The differences in the retention, for a log line; empty when it is the same. */
    String retentionChange(StateCompatibility saved) {
        String before = saved.values.get(RETENTION);
        String now = values.get(RETENTION);
        return before == null || before.equals(now) ? "" : "saved " + before + ", this job " + now;
    }

    /**
     * Checks that this job can continue state saved under {@code saved}.
     *
     * @return an empty string when it can, else the problems, one per line, naming each key with
     *     the saved value and this job's
     */
    String problemsContinuing(StateCompatibility saved) {
        List<String> problems = new ArrayList<>();
        String layout = saved.values.getOrDefault(KEYED_STATE, TWO_VALUE_LAYOUT);
        if (!layout.equals(values.get(KEYED_STATE))) {
            problems.add(layoutProblem(layout));
        }
        for (int version : versions(saved)) {
            if (version < UserActivity.OLDEST_FORMAT_VERSION
                    || version > UserActivity.FORMAT_VERSION) {
                problems.add(
                        FORMAT_VERSIONS
                                + ": saved "
                                + saved.values.get(FORMAT_VERSIONS)
                                + ", this build reads "
                                + UserActivity.OLDEST_FORMAT_VERSION
                                + " to "
                                + UserActivity.FORMAT_VERSION);
                break;
            }
        }
        for (String key : List.of(FEATURE_VERSION, SESSION_GAP, ALLOWED_LATENESS, ZONE)) {
            String before = saved.values.get(key);
            String now = values.get(key);
            if (before != null && !before.equals(now)) {
                problems.add(
                        key
                                + ": saved "
                                + before
                                + ", this job "
                                + now
                                + " ("
                                + OPTIONS.get(key)
                                + ")");
            }
        }
        return String.join("\n", problems);
    }

    /**
     * The problems of a restore whose state has no record at all: a savepoint of a build before the
     * record existed, which kept the two-value layout.
     */
    static String withoutRecord() {
        return layoutProblem(
                TWO_VALUE_LAYOUT + ", saved by a build before the compatibility record");
    }

    private static String layoutProblem(String saved) {
        return KEYED_STATE
                + ": saved "
                + saved
                + ", this build keeps one value per user ("
                + ONE_VALUE_LAYOUT
                + ") and does not read the older layout";
    }

    /**
     * The message for a restore that cannot continue: what differs, and what the operator can do.
     */
    static String incompatibleMessage(String problems) {
        return "the restored per-user state (operator user-activity) was built under rules this"
                + " job does not share:\n"
                + problems
                + "\nRestore with the saved values, or start this job without the savepoint (every"
                + " user's state then starts empty); per-user state is never converted or reset"
                + " silently.";
    }

    private static Set<Integer> versions(StateCompatibility record) {
        Set<Integer> versions = new TreeSet<>();
        String text = record.values.get(FORMAT_VERSIONS);
        if (text == null) {
            return versions;
        }
        for (String part : text.split(",")) {
            try {
                versions.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                // an unreadable version is one this build does not know
                versions.add(Integer.MAX_VALUE);
            }
        }
        return versions;
    }

    private static String join(Set<Integer> versions) {
        List<String> parts = new ArrayList<>();
        versions.forEach(v -> parts.add(String.valueOf(v)));
        return String.join(",", parts);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
