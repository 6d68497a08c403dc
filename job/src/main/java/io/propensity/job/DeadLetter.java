package io.propensity.job;

import io.propensity.job.privacy.Pseudonymiser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * A record the job refused before it reached a user's state, written to the dead-letter topic with
 * enough to find and replay it: the raw record, the reason, and where it came from.
 *
 * <p>For the Kafka source, {@code topic}, {@code partition} and {@code offset} are the record's
 * coordinates. For the bounded file source, {@code topic} is {@code file:<path>}, {@code partition}
 * is 0 and {@code offset} is the 1-based line number.
 *
 * @param reason why the record was refused, naming the field at fault where there is one
 *     <p>With {@code --pseudonymise-user-ids} no raw id may leave the job, and the raw record holds
 *     one: {@link #pseudonymised} drops {@code raw} (the record stays in its topic, at {@code
 *     topic}, {@code partition}, {@code offset}, for whoever may read it) and keeps the user id's
 *     pseudonym when the record has a readable {@code user_id}.
 * @param raw the record as received, decoded as UTF-8 (oversize records are cut, see {@link
 *     InputLimits#RAW_PREVIEW_CHARS}), or {@code null} when redacted
 * @param topic the source topic (or {@code file:<path>})
 * @param partition the source partition
 * @param offset the source offset (or line number)
 * @param receivedAt processing time when the job refused it, epoch milliseconds
 * @param userId the pseudonym of the record's {@code user_id}, only in redacted dead letters whose
 *     record had one; otherwise {@code null}
 */
public record DeadLetter(
        String reason,
        String raw,
        String topic,
        int partition,
        long offset,
        long receivedAt,
        String userId) {

    /** A dead letter as refused, with its raw record and no separate user id. */
    public DeadLetter(
            String reason, String raw, String topic, int partition, long offset, long receivedAt) {
        this(reason, raw, topic, partition, offset, receivedAt, null);
    }

    /**
     * This dead letter without the raw record, with the pseudonym of the record's {@code user_id}
     * when it is a JSON object with a string {@code user_id}. The reason is kept when it cannot
     * quote the raw id (the id does not occur in it, or is replaced by its pseudonym); when the id
     * is unknown, only the reason's first clause (up to the first ':') is kept, because parser
     * messages may quote the record. Returns this dead letter unchanged without pseudonymisation.
     */
    public DeadLetter pseudonymised(Pseudonymiser pseudonymiser) {
        if (!pseudonymiser.enabled()) {
            return this;
        }
        String rawUserId = rawUserId(raw);
        String safeReason;
        String pseudonym = null;
        if (rawUserId != null) {
            pseudonym = pseudonymiser.of(rawUserId);
            safeReason = reason.replace(rawUserId, pseudonym);
        } else {
            int colon = reason.indexOf(':');
            safeReason = colon < 0 ? reason : reason.substring(0, colon) + " (detail redacted)";
        }
        return new DeadLetter(safeReason, null, topic, partition, offset, receivedAt, pseudonym);
    }

    private static String rawUserId(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            JsonNode json = JsonWriting.MAPPER.readTree(raw);
            JsonNode id = json == null ? null : json.get("user_id");
            return id != null && id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON (a file line, a cut record): no id to keep, and the reason is cut instead
            return null;
        }
    }

    /** The Kafka record key: the source coordinates, so one partition keeps their order. */
    public byte[] kafkaKey() {
        return (topic + "-" + partition).getBytes(StandardCharsets.UTF_8);
    }

    /** The JSON object on the dead-letter topic. */
    public byte[] toJson() {
        ObjectNode json = JsonWriting.MAPPER.createObjectNode();
        json.put("reason", reason);
        if (raw != null) {
            json.put("raw", raw);
        } else {
            json.put("raw_redacted", true);
        }
        if (userId != null) {
            json.put("user_id", userId);
        }
        json.put("topic", topic);
        json.put("partition", partition);
        json.put("offset", offset);
        json.put("received_at", receivedAt);
        return JsonWriting.bytes(json);
    }
}
