package io.propensity.features.io;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The wire format of events on Kafka: one JSON object per record (JSON lines in files).
 *
 * <p>Fields (snake_case): {@code user_id} (string, required), {@code event_time} (required:
 * ISO-8601 instant string such as {@code 2019-10-01T00:00:00Z}, or a number of epoch milliseconds),
 * {@code event_type} (required: view, cart, remove_from_cart, purchase, favorite), and the optional
 * {@code session_id}, {@code product_id}, {@code category_id}, {@code category_code}, {@code brand}
 * (strings), {@code price} (a finite number, at least 0) and {@code marketing_consent} (a boolean:
 * the shopper's marketing consent as of this event). Absent and {@code null} mean the same. Unknown
 * fields are ignored, so producers can add fields without breaking the job. The writer emits epoch
 * milliseconds and omits absent fields; reading what it wrote gives back an equal event.
 *
 * <p>Parsing uses Jackson's streaming parser (no tree, no data binding), so a record costs one pass
 * over its characters. A repeated field is refused rather than silently resolved. Thread-safe.
 */
public final class EventJson {

    static final String USER_ID = "user_id";
    static final String EVENT_TIME = "event_time";
    static final String EVENT_TYPE = "event_type";
    static final String SESSION_ID = "session_id";
    static final String PRODUCT_ID = "product_id";
    static final String CATEGORY_ID = "category_id";
    static final String CATEGORY_CODE = "category_code";
    static final String BRAND = "brand";
    static final String PRICE = "price";
    static final String MARKETING_CONSENT = "marketing_consent";

    // NaN and Infinity are parsed as numbers so that the error names the price field instead of
    // reporting a generic syntax error; they are then refused like any other invalid price.
    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();

    private EventJson() {}

    /**
     * Parses one record.
     *
     * @throws MalformedEventException with a reason that names the field at fault
     */
    public static ShopperEvent parse(String json) throws MalformedEventException {
        if (json == null || json.isBlank()) {
            throw new MalformedEventException("empty record: expected a JSON object");
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            return read(parser);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            // a String source has no I/O; keep the cause rather than pretend it cannot happen
            throw new UncheckedIOException(e);
        }
    }

    /** Parses one record from UTF-8 bytes; invalid UTF-8 is a {@link MalformedEventException}. */
    public static ShopperEvent parse(byte[] utf8) throws MalformedEventException {
        if (utf8 == null) {
            throw new MalformedEventException("empty record: expected a JSON object");
        }
        String text;
        try {
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(utf8))
                            .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedEventException("record is not valid UTF-8");
        }
        return parse(text);
    }

    /** Writes one record, without a trailing newline. */
    public static String write(ShopperEvent event) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringField(USER_ID, event.userId());
            generator.writeNumberField(EVENT_TIME, event.eventTimeMillis());
            generator.writeStringField(EVENT_TYPE, event.type().wireName());
            writeOptional(generator, SESSION_ID, event.sessionId());
            writeOptional(generator, PRODUCT_ID, event.productId());
            writeOptional(generator, CATEGORY_ID, event.categoryId());
            writeOptional(generator, CATEGORY_CODE, event.categoryCode());
            writeOptional(generator, BRAND, event.brand());
            if (event.hasPrice()) {
                generator.writeNumberField(PRICE, event.price());
            }
            if (event.marketingConsent() != null) {
                generator.writeBooleanField(MARKETING_CONSENT, event.marketingConsent());
            }
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeOptional(JsonGenerator generator, String field, String value)
            throws IOException {
        if (value != null) {
            generator.writeStringField(field, value);
        }
    }

    private static ShopperEvent read(JsonParser parser)
            throws IOException, MalformedEventException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new MalformedEventException("expected a JSON object");
        }
        String userId = null;
        long eventTime = 0;
        boolean hasEventTime = false;
        EventType type = null;
        String sessionId = null;
        String productId = null;
        String categoryId = null;
        String categoryCode = null;
        String brand = null;
        double price = Double.NaN;
        Boolean marketingConsent = null;

        for (JsonToken token = parser.nextToken();
                token != JsonToken.END_OBJECT;
                token = parser.nextToken()) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case USER_ID:
                    userId = string(parser, value, field);
                    break;
                case EVENT_TIME:
                    if (value != JsonToken.VALUE_NULL) {
                        eventTime = eventTime(parser, value);
                        hasEventTime = true;
                    }
                    break;
                case EVENT_TYPE:
                    String typeName = string(parser, value, field);
                    if (typeName != null) {
                        try {
                            type = EventType.fromWireName(typeName);
                        } catch (IllegalArgumentException e) {
                            throw new MalformedEventException(
                                    "field 'event_type': " + e.getMessage());
                        }
                    }
                    break;
                case SESSION_ID:
                    sessionId = string(parser, value, field);
                    break;
                case PRODUCT_ID:
                    productId = string(parser, value, field);
                    break;
                case CATEGORY_ID:
                    categoryId = string(parser, value, field);
                    break;
                case CATEGORY_CODE:
                    categoryCode = string(parser, value, field);
                    break;
                case BRAND:
                    brand = string(parser, value, field);
                    break;
                case PRICE:
                    price = price(parser, value);
                    break;
                case MARKETING_CONSENT:
                    marketingConsent = consent(value);
                    break;
                default:
                    // unknown fields are allowed so that producers can evolve first
                    parser.skipChildren();
                    break;
            }
        }
        if (parser.nextToken() != null) {
            throw new MalformedEventException("trailing content after the JSON object");
        }
        if (userId == null) {
            throw new MalformedEventException("missing field 'user_id'");
        }
        if (userId.isEmpty()) {
            throw new MalformedEventException("field 'user_id' is empty");
        }
        if (!hasEventTime) {
            throw new MalformedEventException("missing field 'event_time'");
        }
        if (type == null) {
            throw new MalformedEventException("missing field 'event_type'");
        }
        return new ShopperEvent(
                userId,
                eventTime,
                type,
                sessionId,
                productId,
                categoryId,
                categoryCode,
                brand,
                price,
                marketingConsent);
    }

    private static Boolean consent(JsonToken value) throws MalformedEventException {
        switch (value) {
            case VALUE_NULL:
                return null;
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                // a string "false" is refused, not guessed: consent must be unambiguous
                throw new MalformedEventException(
                        "field '"
                                + MARKETING_CONSENT
                                + "' must be a boolean (true or false), was "
                                + describe(value));
        }
    }

    private static String string(JsonParser parser, JsonToken value, String field)
            throws IOException, MalformedEventException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new MalformedEventException(
                    "field '" + field + "' must be a string, was " + describe(value));
        }
        return parser.getText();
    }

    private static long eventTime(JsonParser parser, JsonToken value)
            throws IOException, MalformedEventException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new MalformedEventException(
                        "field 'event_time' is out of range: " + parser.getText());
            }
            return parser.getLongValue();
        }
        if (value == JsonToken.VALUE_STRING) {
            String text = parser.getText();
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                try {
                    return OffsetDateTime.parse(text).toInstant().toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException again) {
                    throw new MalformedEventException(
                            "field 'event_time' is not an ISO-8601 instant (for example"
                                    + " 2019-10-01T00:00:00Z): '"
                                    + text
                                    + "'");
                }
            }
        }
        throw new MalformedEventException(
                "field 'event_time' must be an ISO-8601 string or integer epoch milliseconds, was "
                        + describe(value));
    }

    private static double price(JsonParser parser, JsonToken value)
            throws IOException, MalformedEventException {
        if (value == JsonToken.VALUE_NULL) {
            return Double.NaN;
        }
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new MalformedEventException(
                    "field 'price' must be a number, was " + describe(value));
        }
        double price = parser.getDoubleValue();
        if (Double.isNaN(price) || Double.isInfinite(price) || price < 0) {
            throw new MalformedEventException(
                    "field 'price' must be a finite number >= 0, was " + parser.getText());
        }
        return price;
    }

    private static String describe(JsonToken token) {
        switch (token) {
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            default:
                return String.valueOf(token);
        }
    }
}
