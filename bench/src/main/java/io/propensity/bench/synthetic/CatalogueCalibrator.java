package io.propensity.bench.synthetic;

import io.propensity.features.ShopperEvent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the {@link SyntheticProfile.Catalogue} part of a profile from real events that carry
 * products, categories and prices: how many products and categories there are, how popularity is
 * spread over them (a fitted Zipf exponent), the price distribution, and the most frequent category
 * codes and brands.
 *
 * <p>Keeps one entry per distinct product and category and one price per event, which suits the
 * small calibration files in {@code data/}. Not thread-safe.
 */
public final class CatalogueCalibrator {

    /** How many category codes and brands the profile lists. */
    static final int TOP = 40;

    private final Map<String, Product> products = new HashMap<>();
    private final Map<String, long[]> categoryEvents = new HashMap<>();
    private final Map<String, String> categoryCodes = new HashMap<>();
    private final Map<String, long[]> codeEvents = new HashMap<>();
    private final Map<String, long[]> brandEvents = new HashMap<>();
    private final List<Double> eventPrices = new ArrayList<>();
    private long events;

    /** Takes one event. Events without a product count only towards the event total. */
    public void accept(ShopperEvent event) {
        events++;
        if (event.hasPrice()) {
            eventPrices.add(event.price());
        }
        if (event.productId() != null) {
            Product product = products.computeIfAbsent(event.productId(), id -> new Product());
            product.events++;
            if (Double.isNaN(product.price) && event.hasPrice()) {
                product.price = event.price();
            }
            if (product.brand == null && event.brand() != null) {
                product.brand = event.brand();
            }
        }
        if (event.categoryId() != null) {
            categoryEvents.computeIfAbsent(event.categoryId(), id -> new long[1])[0]++;
            if (event.categoryCode() != null) {
                categoryCodes.putIfAbsent(event.categoryId(), event.categoryCode());
            }
        }
        if (event.categoryCode() != null) {
            codeEvents.computeIfAbsent(event.categoryCode(), code -> new long[1])[0]++;
        }
        if (event.brand() != null) {
            brandEvents.computeIfAbsent(event.brand(), brand -> new long[1])[0]++;
        }
    }

    /**
     * The statistics of everything accepted so far.
     *
     * @throws IllegalStateException when no event had a product and a price
     */
    public SyntheticProfile.Catalogue result() {
        double[] productPrices =
                products.values().stream()
                        .mapToDouble(product -> product.price)
                        .filter(price -> !Double.isNaN(price))
                        .toArray();
        if (productPrices.length == 0 || eventPrices.isEmpty()) {
            throw new IllegalStateException(
                    "no event with a product and a price to calibrate the catalogue on");
        }
        long withBrand = products.values().stream().filter(p -> p.brand != null).count();
        return new SyntheticProfile.Catalogue(
                events,
                products.size(),
                categoryEvents.size(),
                zipfExponent(products.values().stream().mapToLong(p -> p.events).toArray()),
                zipfExponent(categoryEvents.values().stream().mapToLong(c -> c[0]).toArray()),
                Quantiles.ofSample(productPrices, 2),
                Quantiles.ofSample(eventPrices.stream().mapToDouble(d -> d).toArray(), 2),
                categoryEvents.isEmpty()
                        ? 0.0
                        : BehaviourCalibrator.round6(
                                (double) categoryCodes.size() / categoryEvents.size()),
                BehaviourCalibrator.round6((double) withBrand / products.size()),
                mostFrequent(codeEvents),
                mostFrequent(brandEvents));
    }

    /**
     * Fits {@code count ~ rank^-s} by least squares on {@code log count} against {@code log rank},
     * over the items seen at least twice: items seen once are mostly an effect of the file being a
     * short slice (the long tail is cut), and would flatten the fit. Returns 1 (plain Zipf) when
     * fewer than two items qualify. Rounded to 4 decimals.
     */
    static double zipfExponent(long[] counts) {
        long[] sorted = counts.clone();
        Arrays.sort(sorted);
        List<double[]> points = new ArrayList<>();
        for (int i = sorted.length - 1, rank = 1; i >= 0 && sorted[i] >= 2; i--, rank++) {
            points.add(new double[] {Math.log(rank), Math.log(sorted[i])});
        }
        if (points.size() < 2) {
            return 1.0;
        }
        double meanX = points.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double meanY = points.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double covariance = 0;
        double variance = 0;
        for (double[] p : points) {
            covariance += (p[0] - meanX) * (p[1] - meanY);
            variance += (p[0] - meanX) * (p[0] - meanX);
        }
        return Math.round(-covariance / variance * 1e4) / 1e4;
    }

    private static List<String> mostFrequent(Map<String, long[]> counts) {
        return counts.entrySet().stream()
                .sorted(
                        Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])
                                .thenComparing(Map.Entry::getKey))
                .limit(TOP)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static final class Product {
        long events;
        double price = Double.NaN;
        String brand;
    }
}
