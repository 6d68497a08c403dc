package io.propensity.features.io;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the writer writes, the reader reads back as an equal event. */
class EventJsonRoundTripTest {

    @Property(tries = 300)
    void shouldReadBackWhatItWrote(@ForAll("events") ShopperEvent event)
            throws MalformedEventException {
        String json = EventJson.write(event);

        assertThat(EventJson.parse(json)).isEqualTo(event);
        assertThat(EventJson.parse(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(event);
        assertThat(json).doesNotContain("\n");
    }

    @Property(tries = 30)
    void shouldReadBackThroughAJsonLinesFile(@ForAll("events") ShopperEvent event)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("events", ".jsonl");
        try {
            java.nio.file.Files.writeString(
                    file, EventJson.write(event) + "\n" + EventJson.write(event) + "\n");
            try (EventFileReader reader =
                    EventFileReader.open(
                            file,
                            EventFormat.JSON,
                            (source, line, reason, raw) -> {
                                throw new AssertionError(reason);
                            })) {
                assertThat(reader.next()).isEqualTo(event);
                assertThat(reader.next()).isEqualTo(event);
                assertThat(reader.hasNext()).isFalse();
            }
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Provide
    Arbitrary<ShopperEvent> events() {
        Arbitrary<String> text = Arbitraries.strings().ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> optional = text.injectNull(0.3);
        Arbitrary<Double> price =
                Arbitraries.oneOf(
                        Arbitraries.just(Double.NaN),
                        Arbitraries.doubles().between(0, 1e9),
                        Arbitraries.of(0.0, 0.01, 33.2, Double.MIN_VALUE, Double.MAX_VALUE));
        return Combinators.combine(
                        text,
                        Arbitraries.longs().between(-62_000_000_000_000L, 250_000_000_000_000L),
                        Arbitraries.of(EventType.class),
                        optional,
                        optional,
                        optional,
                        optional,
                        optional)
                .flatAs(
                        (user, time, type, session, product, category, code, brand) ->
                                Combinators.combine(
                                                price,
                                                Arbitraries.of(Boolean.TRUE, Boolean.FALSE)
                                                        .injectNull(0.5))
                                        .as(
                                                (p, consent) ->
                                                        new ShopperEvent(
                                                                user, time, type, session, product,
                                                                category, code, brand, p,
                                                                consent)));
    }
}
