package io.propensity.job;

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
 * @param raw the record as received, decoded as UTF-8 (oversize records are cut, see {@link
 *     InputLimits#RAW_PREVIEW_CHARS})
 * @param topic the source topic (or {@code file:<path>})
 * @param partition the source partition
 * @param offset the source offset (or line number)
 * @param receivedAt processing time when the job refused it, epoch milliseconds
 */
public record DeadLetter(
        String reason, String raw, String topic, int partition, long offset, long receivedAt) {

    /** The Kafka record key: the source coordinates, so one partition keeps their order. */
    public byte[] kafkaKey() {
        return (topic + "-" + partition).getBytes(StandardCharsets.UTF_8);
    }

    /** The JSON object on the dead-letter topic. */
    public byte[] toJson() {
        ObjectNode json = JsonWriting.MAPPER.createObjectNode();
        json.put("reason", reason);
        json.put("raw", raw);
        json.put("topic", topic);
        json.put("partition", partition);
        json.put("offset", offset);
        json.put("received_at", receivedAt);
        return JsonWriting.bytes(json);
    }
}
