package io.propensity.job.privacy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * Proof that the job forgot a user, written to the audit topic ({@code --audit-topic}, default
 * {@code propensity.audit}, Kafka key = {@code user_id}) by the subtask that owns the user's state,
 * right after it cleared it.
 *
 * @param action {@link #ERASURE} (an erasure request) or {@link #CONSENT_WITHDRAWN} (an event
 *     withdrew marketing consent)
 * @param requestId the erasure request's id, or {@code null} for consent withdrawals
 * @param userId the user's id as outputs carry it: the pseudonym with {@code
 *     --pseudonymise-user-ids}, else the raw id
 * @param pseudonymised whether {@code userId} is a pseudonym
 * @param cleared the per-user state that existed and was deleted: {@code activity} (aggregates),
 *     {@code alert-state} (cooldowns, churn episode), {@code timer} (the pending inactivity check
 *     or retention timer), {@code suppression} or {@code consent-withdrawn} (an earlier marker);
 *     empty when the job held nothing
 * @param kept what the job keeps for the user from now on: {@code suppression} or {@code
 *     consent-withdrawn} (a marker without any other data), or nothing
 * @param requestedAt the request's time, or the withdrawing event's time, epoch milliseconds
 * @param appliedAt processing time when the state was cleared, epoch milliseconds
 * @param topic where the request (or event) came from
 * @param partition its partition
 * @param offset its offset
 */
public record AuditRecord(
        String action,
        String requestId,
        String userId,
        boolean pseudonymised,
        String[] cleared,
        String[] kept,
        long requestedAt,
        long appliedAt,
        String topic,
        int partition,
        long offset) {

    /** Action of a record written for an erasure request. */
    public static final String ERASURE = "erasure";

    /** Action of a record written when an event withdrew consent. */
    public static final String CONSENT_WITHDRAWN = "consent_withdrawn";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The Kafka record key: the (possibly pseudonymised) user id. */
    public byte[] kafkaKey() {
        return userId.getBytes(StandardCharsets.UTF_8);
    }

    /** The JSON object on the audit topic. */
    public byte[] toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("action", action);
        if (requestId != null) {
            json.put("request_id", requestId);
        }
        json.put("user_id", userId);
        json.put("user_id_pseudonymised", pseudonymised);
        ArrayNode clearedJson = json.putArray("cleared");
        for (String state : cleared) {
            clearedJson.add(state);
        }
        ArrayNode keptJson = json.putArray("kept");
        for (String state : kept) {
            keptJson.add(state);
        }
        json.put("requested_at", requestedAt);
        json.put("applied_at", appliedAt);
        json.put("topic", topic);
        json.put("partition", partition);
        json.put("offset", offset);
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
