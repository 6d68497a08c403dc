package io.propensity.job.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A request to forget one user, read from the erasure topic ({@code --erasure-topic}, default
 * {@code propensity.erasure-requests}, Kafka key = user id).
 *
 * <p>JSON: {@code {"request_id": "...", "user_id": "...", "requested_at": 1700000000000,
 * "suppress": false}}. {@code request_id} and {@code user_id} are required, non-empty strings;
 * {@code requested_at} is epoch milliseconds or an ISO-8601 instant (required); {@code suppress} is
 * an optional boolean, default {@code false}. {@code user_id} is the raw id the events carry: the
 * job's state is keyed by it, so a pseudonym cannot be erased (whoever holds the pseudonym key
 * re-identifies first).
 *
 * @param requestId the requester's id for the request, repeated in the audit record
 * @param userId the user to forget (the raw id, as in the events)
 * @param requestedAt when the request was made, epoch milliseconds
 * @param suppress whether later events of the user are dropped instead of starting a new profile
 */
public record ErasureRequest(String requestId, String userId, long requestedAt, boolean suppress) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses one request.
     *
     * @throws IllegalArgumentException with a reason that names the field at fault
     */
    public static ErasureRequest parse(byte[] utf8) {
        JsonNode json;
        try {
            json = JSON.readTree(utf8);
        } catch (IOException e) {
            // the parser's own message may quote the record, and with it a user id: not repeated
            throw new IllegalArgumentException("erasure request: malformed JSON");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("erasure request: expected a JSON object");
        }
        String requestId = text(json, "request_id");
        String userId = text(json, "user_id");
        long requestedAt = time(json.get("requested_at"));
        JsonNode suppress = json.get("suppress");
        if (suppress != null && !suppress.isNull() && !suppress.isBoolean()) {
            throw new IllegalArgumentException(
                    "erasure request: field 'suppress' must be a boolean (true or false)");
        }
        return new ErasureRequest(
                requestId, userId, requestedAt, suppress != null && suppress.asBoolean(false));
    }

    /** The request as JSON, as {@link #parse} reads it (for producers and tests). */
    public byte[] toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("request_id", requestId);
        json.put("user_id", userId);
        json.put("requested_at", requestedAt);
        json.put("suppress", suppress);
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("erasure request: missing field '" + field + "'");
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException(
                    "erasure request: field '" + field + "' must be a non-empty string");
        }
        return value.asText();
    }

    private static long time(JsonNode value) {
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("erasure request: missing field 'requested_at'");
        }
        if (value.canConvertToExactIntegral() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isTextual()) {
            try {
                return OffsetDateTime.parse(value.asText()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(
                "erasure request: field 'requested_at' must be epoch milliseconds or an ISO-8601"
                        + " instant (for example "
                        + Instant.EPOCH
                        + ")");
    }
}
