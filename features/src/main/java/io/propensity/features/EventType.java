package io.propensity.features;

import java.util.Locale;

/**
 * The kinds of shopper behaviour Propensity understands.
 *
 * <p>Each type has one wire name, used in the JSON lines format on Kafka, in CSV output and in the
 * README. Any other name is an error: a reader reports it, it is never mapped to a default.
 */
public enum EventType {
    VIEW("view"),
    CART("cart"),
    REMOVE_FROM_CART("remove_from_cart"),
    PURCHASE("purchase"),
    FAVORITE("favorite");

    private static final EventType[] VALUES = values();

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the wire and in documentation, for example {@code remove_from_cart}. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name.
     *
     * @throws IllegalArgumentException naming the unknown value and the accepted ones
     */
    public static EventType fromWireName(String name) {
        if (name != null) {
            for (EventType type : VALUES) {
                if (type.wireName.equals(name)) {
                    return type;
                }
            }
        }
        throw new IllegalArgumentException(
                String.format(
                        Locale.ROOT,
                        "unknown event type '%s' (expected one of view, cart, remove_from_cart,"
                                + " purchase, favorite)",
                        name));
    }

    /** The number of event types; {@link #ordinal()} is below it. */
    public static int count() {
        return VALUES.length;
    }

    /** The type with the given ordinal. */
    public static EventType ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
