package io.propensity.features.io;

import io.propensity.features.ShopperEvent;

/** JSON lines: one {@link EventJson} record per line, no header. */
final class JsonLineParser implements EventLineParser {

    static final JsonLineParser INSTANCE = new JsonLineParser();

    private JsonLineParser() {}

    @Override
    public boolean isHeader(String line) {
        return false;
    }

    @Override
    public ShopperEvent parse(String line) throws MalformedEventException {
        return EventJson.parse(line);
    }
}
