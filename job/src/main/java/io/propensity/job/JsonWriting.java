package io.propensity.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper of the job's output records, and how they become bytes. */
final class JsonWriting {

    /** Thread-safe once configured; shared by every serializer in the JVM. */
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonWriting() {}

    static byte[] bytes(JsonNode json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            // a tree of strings and numbers always serializes; this would be a Jackson bug
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
