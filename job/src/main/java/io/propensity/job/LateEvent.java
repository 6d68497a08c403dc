package io.propensity.job;

import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventJson;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A valid event that arrived later than the allowed lateness behind its user's latest event, so it
 * was not merged into the user's state. Written to the late-events topic, keyed by user id.
 *
 * @param reason why it counts as late, with the times involved
 * @param event the event as parsed
 * @param topic the source topic (or {@code file:<path>})
 * @param partition the source partition
 * @param offset the source offset (or line number)
 * @param receivedAt processing time when the job set it aside, epoch milliseconds
 */
public record LateEvent(
        String reason,
        ShopperEvent event,
        String topic,
        int partition,
        long offset,
        long receivedAt) {

    /** The Kafka record key: the user id. */
    public byte[] kafkaKey() {
        return event.userId().getBytes(StandardCharsets.UTF_8);
    }

    /** The JSON object on the late-events topic; {@code event} is in the events wire format. */
    public byte[] toJson() {
        ObjectNode json = JsonWriting.MAPPER.createObjectNode();
        json.put("reason", reason);
        try {
            json.set("event", JsonWriting.MAPPER.readTree(EventJson.write(event)));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("EventJson wrote invalid JSON for " + event, e);
        }
        json.put("topic", topic);
        json.put("partition", partition);
        json.put("offset", offset);
        json.put("received_at", receivedAt);
        return JsonWriting.bytes(json);
    }
}
