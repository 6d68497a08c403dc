package io.propensity.job.lifecycle;

import java.util.Locale;

/**
 * Which of a role's two models produced a score: the champion (the model that decides) or the
 * challenger (in shadow or in an A/B split). Alerts and score records carry the wire name.
 */
public enum Arm {
    CHAMPION("champion"),
    CHALLENGER("challenger");

    private final String wireName;

    Arm(String wireName) {
        this.wireName = wireName;
    }

    /** {@code champion} or {@code challenger}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The arm for its wire name.
     *
     * @throws IllegalArgumentException naming the value
     */
    public static Arm fromName(String name) {
        String normalized = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Arm arm : values()) {
            if (arm.wireName.equals(normalized)) {
                return arm;
            }
        }
        throw new IllegalArgumentException(
                "unknown slot '" + name + "' (expected champion or challenger)");
    }
}
