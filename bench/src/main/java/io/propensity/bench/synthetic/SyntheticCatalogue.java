package io.propensity.bench.synthetic;

import java.util.List;

/**
 * The synthetic product catalogue: products numbered by popularity rank, each with a category, an
 * optional category code, an optional brand and a price, all derived on demand from the product's
 * number and the seed, so nothing is stored per product and a product looks the same every time it
 * appears.
 *
 * <p>Popularity of products follows the profile's fitted Zipf law. Each product's category is drawn
 * from a Zipf law over categories with the profile's category exponent; prices are drawn per
 * product from the profile's per-event price percentiles; codes and brands are picked uniformly
 * from the profile's most frequent ones, with the profile's shares of categories with a code and
 * products with a brand. Thread-safe (immutable).
 */
final class SyntheticCatalogue {

    private static final long CATEGORY = 1;
    private static final long CODE_PRESENT = 2;
    private static final long CODE = 3;
    private static final long BRAND_PRESENT = 4;
    private static final long BRAND = 5;
    private static final long PRICE = 6;

    private final long seed;
    private final int products;
    private final int categories;
    private final double productExponent;
    private final double categoryExponent;
    private final Quantiles eventPrice;
    private final double shareOfCategoriesWithCode;
    private final double shareOfProductsWithBrand;
    private final List<String> codes;
    private final List<String> brands;

    SyntheticCatalogue(SyntheticProfile.Catalogue profile, int products, long seed) {
        if (products < 1) {
            throw new IllegalArgumentException("products must be at least 1, was " + products);
        }
        this.seed = SplitMix64.mix(seed ^ 0x5DEECE66DL);
        this.products = products;
        // keep the real ratio of categories to products when the catalogue is resized
        this.categories =
                (int)
                        Math.max(
                                1,
                                Math.round(
                                        (double) profile.categories()
                                                * products
                                                / profile.products()));
        this.productExponent = profile.productPopularityExponent();
        this.categoryExponent = profile.categoryPopularityExponent();
        // Popularity and price are drawn independently, so drawing each product's price from the
        // per-event prices makes the prices seen in events follow the real per-event distribution.
        // Real popular products are pricier than the average product; the per-product price
        // distribution is therefore lower in real data than here, which matters less for features
        // computed over events.
        this.eventPrice = profile.eventPrice();
        this.shareOfCategoriesWithCode = profile.shareOfCategoriesWithCode();
        this.shareOfProductsWithBrand = profile.shareOfProductsWithBrand();
        this.codes = List.copyOf(profile.topCategoryCodes());
        this.brands = List.copyOf(profile.topBrands());
    }

    /** The number of products. */
    int products() {
        return products;
    }

    /** The number of categories. */
    int categories() {
        return categories;
    }

    /** A product rank ({@code 0} is the most popular) for a uniform number {@code u}. */
    int pickProduct(double u) {
        return zipfRank(u, products, productExponent);
    }

    String productId(int product) {
        return "p" + product;
    }

    int category(int product) {
        return zipfRank(SplitMix64.unit(seed, product, CATEGORY), categories, categoryExponent);
    }

    String categoryId(int category) {
        return "c" + category;
    }

    /** The category's readable code, or {@code null}. */
    String categoryCode(int category) {
        if (codes.isEmpty()
                || SplitMix64.unit(seed, category, CODE_PRESENT) >= shareOfCategoriesWithCode) {
            return null;
        }
        return codes.get((int) (SplitMix64.unit(seed, category, CODE) * codes.size()));
    }

    /** The product's brand, or {@code null}. */
    String brand(int product) {
        if (brands.isEmpty()
                || SplitMix64.unit(seed, product, BRAND_PRESENT) >= shareOfProductsWithBrand) {
            return null;
        }
        return brands.get((int) (SplitMix64.unit(seed, product, BRAND) * brands.size()));
    }

    /** The product's price, in cents precision. */
    double price(int product) {
        double price = eventPrice.sample(SplitMix64.unit(seed, product, PRICE));
        return Math.max(0, Math.round(price * 100) / 100.0);
    }

    /**
     * Inverse transform sampling of a continuous power law with density proportional to {@code
     * x^-s} on {@code [1, n + 1)}, floored to a rank in {@code [0, n)}: a close and cheap
     * approximation of the discrete Zipf law.
     */
    static int zipfRank(double u, int n, double s) {
        double x;
        if (Math.abs(s - 1) < 1e-9) {
            x = Math.exp(u * Math.log(n + 1.0));
        } else {
            double a = 1 - s;
            x = Math.pow(1 + u * (Math.pow(n + 1.0, a) - 1), 1 / a);
        }
        return (int) Math.min(n - 1, Math.max(0, (long) Math.floor(x) - 1));
    }
}
