package io.propensity.bench.synthetic;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CatalogueCalibratorTest {

    @Test
    void shouldFitTheExponentOfAnExactZipfLaw() {
        // 720720 = lcm(1..16), so 720720 / r is an exact integer count for every rank
        long[] counts = new long[16];
        long[] squared = new long[16];
        for (int rank = 1; rank <= 16; rank++) {
            counts[rank - 1] = 720720 / rank;
            squared[rank - 1] = Math.round(1e6 / ((double) rank * rank));
        }
        assertThat(CatalogueCalibrator.zipfExponent(counts)).isEqualTo(1.0);
        assertThat(CatalogueCalibrator.zipfExponent(squared)).isCloseTo(2.0, within(1e-3));
    }

    @Test
    void shouldIgnoreItemsSeenOnceWhenFitting() {
        assertThat(CatalogueCalibrator.zipfExponent(new long[] {1, 1, 1, 1})).isEqualTo(1.0);
        assertThat(CatalogueCalibrator.zipfExponent(new long[] {4, 2, 1, 1, 1}))
                .isEqualTo(CatalogueCalibrator.zipfExponent(new long[] {4, 2}));
    }

    @Test
    void shouldCountProductsCategoriesBrandsAndPrices() {
        CatalogueCalibrator calibrator = new CatalogueCalibrator();
        calibrator.accept(event("p1", "c1", "a.b", "acme", 10));
        calibrator.accept(event("p1", "c1", "a.b", "acme", 12));
        calibrator.accept(event("p2", "c1", "a.b", null, 20));
        calibrator.accept(event("p3", "c2", null, "zeta", 30));

        SyntheticProfile.Catalogue catalogue = calibrator.result();

        assertThat(catalogue.events()).isEqualTo(4);
        assertThat(catalogue.products()).isEqualTo(3);
        assertThat(catalogue.categories()).isEqualTo(2);
        // first price per product: 10, 20, 30
        assertThat(catalogue.productPrice().median()).isEqualTo(20.0);
        // per event: 10, 12, 20, 30 -> median halfway between 12 and 20
        assertThat(catalogue.eventPrice().median()).isEqualTo(16.0);
        assertThat(catalogue.shareOfCategoriesWithCode()).isEqualTo(0.5);
        assertThat(catalogue.shareOfProductsWithBrand()).isEqualTo(0.666667);
        assertThat(catalogue.topCategoryCodes()).containsExactly("a.b");
        assertThat(catalogue.topBrands()).containsExactly("acme", "zeta");
    }

    private static ShopperEvent event(
            String product, String category, String code, String brand, double price) {
        return new ShopperEvent(
                "u", 0, EventType.VIEW, null, product, category, code, brand, price);
    }
}
