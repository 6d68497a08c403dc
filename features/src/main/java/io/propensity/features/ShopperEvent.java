package io.propensity.features;

import java.util.Objects;

/**
 * One thing a shopper did, at one instant: the unit that flows from Kafka through the job and from
 * event logs through training.
 *
 * <p>Immutable. {@code userId}, {@code eventTimeMillis} (epoch milliseconds, UTC) and {@code type}
 * are required; every other field is optional: {@code null} for the strings and {@code NaN} for the
 * price when the source has no value. A price, when present, is finite and not negative.
 *
 * @param userId the shopper's id, never empty
 * @param eventTimeMillis when it happened, epoch milliseconds UTC
 * @param type what happened
 * @param sessionId the source's session id, or {@code null} to derive sessions from gaps
 * @param productId the product, or {@code null}
 * @param categoryId the product's category id, or {@code null}
 * @param categoryCode the category's readable code (for example {@code electronics.smartphone}), or
 *     {@code null}
 * @param brand the brand, or {@code null}
 * @param price the unit price, or {@code NaN} when unknown
 * @param marketingConsent the shopper's marketing consent as of this event: {@code TRUE} granted,
 *     {@code FALSE} withdrawn, {@code null} when the event does not say (the job then applies its
 *     configured default). Not a behaviour: features never read it.
 */
public record ShopperEvent(
        String userId,
        long eventTimeMillis,
        EventType type,
        String sessionId,
        String productId,
        String categoryId,
        String categoryCode,
        String brand,
        double price,
        Boolean marketingConsent) {

    public ShopperEvent {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(type, "type");
        if (userId.isEmpty()) {
            throw new IllegalArgumentException("userId is empty");
        }
        if (!Double.isNaN(price) && (price < 0 || Double.isInfinite(price))) {
            throw new IllegalArgumentException("price must be finite and >= 0, was " + price);
        }
    }

    /** An event that says nothing about consent, as every source but the JSON wire format. */
    public ShopperEvent(
            String userId,
            long eventTimeMillis,
            EventType type,
            String sessionId,
            String productId,
            String categoryId,
            String categoryCode,
            String brand,
            double price) {
        this(
                userId,
                eventTimeMillis,
                type,
                sessionId,
                productId,
                categoryId,
                categoryCode,
                brand,
                price,
                null);
    }

    /** An event with only the required fields. */
    public static ShopperEvent of(String userId, long eventTimeMillis, EventType type) {
        return new ShopperEvent(
                userId, eventTimeMillis, type, null, null, null, null, null, Double.NaN);
    }

    /**
     * The same event of another user id, for outputs that must not carry the original id (a
     * pseudonym).
     */
    public ShopperEvent withUserId(String otherUserId) {
        return new ShopperEvent(
                otherUserId,
                eventTimeMillis,
                type,
                sessionId,
                productId,
                categoryId,
                categoryCode,
                brand,
                price,
                marketingConsent);
    }

    /** Whether the event carries a price. */
    public boolean hasPrice() {
        return !Double.isNaN(price);
    }
}
