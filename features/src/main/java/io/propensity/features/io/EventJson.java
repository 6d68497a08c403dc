package io.propensity.features.io;

import io.propensity.features.ShopperEvent;

import java.nio.charset.StandardCharsets;

/**
 * The wire format of events on Kafka: one JSON object per record (JSON lines in files).
 *
 * <p>Fields (snake_case): {@code user_id} (string, required), {@code event_time} (required:
 * ISO-8601 instant string such as {@code 2019-10-01T00:00:00Z}, or a number of epoch milliseconds),
 * {@code event_type} (required: view, cart, remove_from_cart, purchase, favorite), and the optional
 * {@code session_id}, {@code product_id}, {@code category_id}, {@code category_code}, {@code brand}
 * (strings) and {@code price} (a finite number, at least 0). Absent and {@code null} mean the same.
 * Unknown fields are ignored, so producers can add fields without breaking the job. The writer
 * emits epoch milliseconds and omits absent fields; reading what it wrote gives back an equal
 * event.
 */
public final class EventJson {

    private EventJson() {}

    /**
     * Parses one record.
     *
     * @throws MalformedEventException with a reason that names the field at fault
     */
    public static ShopperEvent parse(String json) throws MalformedEventException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Parses one record from UTF-8 bytes; invalid UTF-8 is a {@link MalformedEventException}. */
    public static ShopperEvent parse(byte[] utf8) throws MalformedEventException {
        return parse(new String(utf8, StandardCharsets.UTF_8));
    }

    /** Writes one record, without a trailing newline. */
    public static String write(ShopperEvent event) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
