package io.propensity.features.io;

import io.propensity.features.ShopperEvent;

/**
 * Parses single lines of one {@link EventFormat}: what {@link EventFileReader} uses, exposed for
 * sources that split files themselves (the job's bounded file source, replay tools).
 *
 * <p>The parsers are stateless and thread-safe.
 */
public interface EventLineParser {

    /** The parser of a format. */
    static EventLineParser of(EventFormat format) {
        switch (format) {
            case REES46:
                return Rees46LineParser.INSTANCE;
            case TAOBAO:
                return TaobaoLineParser.INSTANCE;
            case JSON:
                return JsonLineParser.INSTANCE;
            default:
                throw new IllegalArgumentException("no parser for format " + format);
        }
    }

    /** Whether this line is the format's header row, to be skipped rather than refused. */
    boolean isHeader(String line);

    /**
     * Parses one line (without its line terminator).
     *
     * @throws MalformedEventException with the reason
     */
    ShopperEvent parse(String line) throws MalformedEventException;
}
