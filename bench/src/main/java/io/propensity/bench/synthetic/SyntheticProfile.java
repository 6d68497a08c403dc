package io.propensity.bench.synthetic;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The statistics of real shopper event logs that the {@link SyntheticEventGenerator} imitates:
 * computed once from the files in {@code data/} by {@code SyntheticEvents calibrate}, committed as
 * {@code bench/src/main/resources/synthetic-profile.json}, and read at generation time.
 *
 * <p>Two parts, because no single real file has everything: {@link Behaviour} (how users act over
 * time) comes from files with complete per-user histories (Taobao UserBehavior), {@link Catalogue}
 * (products, categories, prices) from a file that has prices and category codes (REES46). Every
 * file used is listed in {@link #sources()} with its sha256, so a profile can be traced to its
 * inputs. Immutable; JSON field names are snake_case.
 *
 * @param formatVersion version of this JSON layout, {@value #FORMAT_VERSION} today
 * @param note a human-readable reminder of what the profile is
 * @param sources the files the statistics were computed from
 * @param behaviour per-user behaviour over time
 * @param catalogue products, categories and prices
 */
public record SyntheticProfile(
        int formatVersion,
        String note,
        List<SourceFile> sources,
        Behaviour behaviour,
        Catalogue catalogue) {

    /** The JSON layout written by this code. */
    public static final int FORMAT_VERSION = 1;

    /** The classpath resource holding the committed profile. */
    public static final String RESOURCE = "/synthetic-profile.json";

    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .build();

    public SyntheticProfile {
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(behaviour, "behaviour");
        Objects.requireNonNull(catalogue, "catalogue");
        sources = List.copyOf(sources);
    }

    /**
     * One input file.
     *
     * @param name the file's folder and name under {@code data/}, for example {@code
     *     taobao-userbehavior-head/UserBehavior_head.csv.gz}
     * @param format the reader format ({@code taobao}, {@code rees46}, {@code json})
     * @param usedFor {@code behaviour} or {@code catalogue}
     * @param sha256 the file's SHA-256, lower-case hex, as listed in its PROVENANCE.md
     * @param events events read and kept
     * @param refusedLines lines the reader refused (malformed)
     * @param outsideWindow well-formed events left out because they fall outside the calibration
     *     window
     */
    public record SourceFile(
            String name,
            String format,
            String usedFor,
            String sha256,
            long events,
            long refusedLines,
            long outsideWindow) {}

    /**
     * How users act over time. Sessions are split on a gap of at least {@code sessionGapMillis}
     * between a user's consecutive events.
     *
     * @param windowStart first instant kept (ISO-8601), or {@code null} when no window was applied
     * @param windowEnd end of the window (exclusive), or {@code null}
     * @param windowMillis length of the observation window; the generator spreads user arrivals
     *     over it by default
     * @param sessionGapMillis the gap that starts a new session
     * @param users distinct users
     * @param events events
     * @param sessions sessions
     * @param eventsPerUser events per user
     * @param eventsPerSession events per session
     * @param gapWithinSessionMillis gaps between consecutive events of one session
     * @param gapBetweenSessionsMillis gaps between the last event of a session and the first of the
     *     user's next one
     * @param eventMix share of each event type (wire name) among all events
     * @param sessionStartMix share of each event type among the first events of sessions
     * @param transitions {@code transitions[a][b]}: probability that the next event in the same
     *     session is of type {@code b} given that the current one is of type {@code a}
     * @param productSeenEarlierInSession for each type, the probability that an event of that type
     *     (not first in its session, with a product) concerns a product already seen earlier in the
     *     same session
     */
    public record Behaviour(
            String windowStart,
            String windowEnd,
            long windowMillis,
            long sessionGapMillis,
            long users,
            long events,
            long sessions,
            Quantiles eventsPerUser,
            Quantiles eventsPerSession,
            Quantiles gapWithinSessionMillis,
            Quantiles gapBetweenSessionsMillis,
            Map<String, Double> eventMix,
            Map<String, Double> sessionStartMix,
            Map<String, Map<String, Double>> transitions,
            Map<String, Double> productSeenEarlierInSession) {}

    /**
     * Products, categories and prices.
     *
     * @param events events read
     * @param products distinct products
     * @param categories distinct category ids
     * @param productPopularityExponent exponent {@code s} of a Zipf law {@code frequency ~ rank^-s}
     *     fitted to the products' event counts
     * @param categoryPopularityExponent the same for categories
     * @param productPrice the price of each distinct product (first price seen)
     * @param eventPrice the price carried by each event, for checking
     * @param shareOfCategoriesWithCode share of categories that have a readable category code
     * @param shareOfProductsWithBrand share of products that have a brand
     * @param topCategoryCodes the most frequent category codes, most frequent first
     * @param topBrands the most frequent brands, most frequent first
     */
    public record Catalogue(
            long events,
            int products,
            int categories,
            double productPopularityExponent,
            double categoryPopularityExponent,
            Quantiles productPrice,
            Quantiles eventPrice,
            double shareOfCategoriesWithCode,
            double shareOfProductsWithBrand,
            List<String> topCategoryCodes,
            List<String> topBrands) {}

    /** The committed profile, from the classpath. */
    public static SyntheticProfile load() {
        try (InputStream in = SyntheticProfile.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "classpath resource "
                                + RESOURCE
                                + " is missing: run 'SyntheticEvents calibrate' to create it");
            }
            return MAPPER.readValue(in, SyntheticProfile.class);
        } catch (IOException e) {
            throw new UncheckedIOException("reading classpath resource " + RESOURCE, e);
        }
    }

    /** Reads a profile file. */
    public static SyntheticProfile read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return MAPPER.readValue(in, SyntheticProfile.class);
        } catch (IOException e) {
            throw new IOException("reading synthetic profile " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes this profile as indented JSON. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson() + "\n");
    }

    /** This profile as indented JSON. */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a profile from JSON text. */
    public static SyntheticProfile fromJson(String json) throws IOException {
        return MAPPER.readValue(json, SyntheticProfile.class);
    }
}
