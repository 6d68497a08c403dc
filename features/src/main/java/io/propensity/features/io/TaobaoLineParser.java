package io.propensity.features.io;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

/**
 * The Taobao UserBehavior CSV (Alibaba Tianchi dataset 649): no header, {@code
 * user_id,item_id,category_id,behavior_type,timestamp} with the timestamp in epoch seconds. The
 * behaviours map {@code pv} to view, {@code cart} to cart, {@code fav} to favorite and {@code buy}
 * to purchase; anything else is refused. There is no session id and no price.
 */
final class TaobaoLineParser implements EventLineParser {

    static final TaobaoLineParser INSTANCE = new TaobaoLineParser();

    private static final String COLUMNS = "user_id,item_id,category_id,behavior_type,timestamp";

    private TaobaoLineParser() {}

    @Override
    public boolean isHeader(String line) {
        return false;
    }

    @Override
    public ShopperEvent parse(String line) throws MalformedEventException {
        String[] f = CsvFields.split(line, 5, COLUMNS);
        if (f[0].isEmpty()) {
            throw new MalformedEventException("field 'user_id' is empty");
        }
        EventType type = behavior(f[3]);
        long seconds = CsvFields.parseLong(f[4], "timestamp");
        // epoch seconds beyond this overflow epoch milliseconds
        if (Math.abs(seconds) > Long.MAX_VALUE / 1000) {
            throw new MalformedEventException("field 'timestamp' is out of range: " + seconds);
        }
        return new ShopperEvent(
                f[0],
                seconds * 1000L,
                type,
                null,
                CsvFields.optional(f[1]),
                CsvFields.optional(f[2]),
                null,
                null,
                Double.NaN);
    }

    private static EventType behavior(String name) throws MalformedEventException {
        switch (name) {
            case "pv":
                return EventType.VIEW;
            case "cart":
                return EventType.CART;
            case "fav":
                return EventType.FAVORITE;
            case "buy":
                return EventType.PURCHASE;
            default:
                throw new MalformedEventException(
                        "field 'behavior_type' is '"
                                + name
                                + "' (expected one of pv, cart, fav, buy)");
        }
    }
}
