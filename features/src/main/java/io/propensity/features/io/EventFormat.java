package io.propensity.features.io;

import java.util.Locale;

/** The event file formats Propensity reads. */
public enum EventFormat {
    /** REES46 / Open CDP e-commerce CSV with a header row. */
    REES46,
    /** Taobao UserBehavior CSV, no header, epoch seconds. */
    TAOBAO,
    /** JSON lines in the Propensity wire format (see {@link EventJson}). */
    JSON;

    /**
     * Parses a format name, case-insensitive ({@code rees46}, {@code taobao}, {@code json}).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static EventFormat fromName(String name) {
        for (EventFormat format : values()) {
            if (format.name().equalsIgnoreCase(name)) {
                return format;
            }
        }
        throw new IllegalArgumentException(
                "unknown event format '" + name + "' (expected rees46, taobao or json)");
    }

    /** The lower-case name used on command lines. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
