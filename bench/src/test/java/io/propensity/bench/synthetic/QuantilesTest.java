package io.propensity.bench.synthetic;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class QuantilesTest {

    // 1..5: the p-quantile is 1 + 4p (type 7 interpolates linearly between order statistics)
    private final Quantiles oneToFive = Quantiles.ofSample(new double[] {5, 3, 1, 4, 2}, 3);

    @Test
    void shouldInterpolateBetweenOrderStatistics() {
        assertThat(oneToFive.median()).isEqualTo(3.0);
        assertThat(oneToFive.at(0.25)).isEqualTo(2.0);
        assertThat(oneToFive.at(0.10)).isCloseTo(1.4, within(1e-9));
        assertThat(oneToFive.at(0)).isEqualTo(1.0);
        assertThat(oneToFive.at(1)).isEqualTo(5.0);
    }

    @Test
    void shouldSampleByInvertingTheDistributionFunction() {
        assertThat(oneToFive.sample(0.5)).isEqualTo(3.0);
        assertThat(oneToFive.sample(0.755)).isCloseTo(4.02, within(1e-9));
        assertThat(oneToFive.sample(0.999999)).isLessThanOrEqualTo(5.0);
        // uniform on [1, 5]
        assertThat(oneToFive.mean()).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void shouldRoundPercentilesToTheRequestedDecimals() {
        Quantiles rounded = Quantiles.ofSample(new double[] {0, 1}, 1);
        // p33 of [0, 1] is 0.33, shown as 0.3
        assertThat(rounded.percentiles()[33]).isEqualTo(0.3);
    }

    @Test
    void shouldRefuseDecreasingOrMisSizedPercentiles() {
        double[] decreasing = new double[Quantiles.POINTS];
        decreasing[0] = 1;
        assertThatThrownBy(() -> Quantiles.ofPercentiles(decreasing))
                .hasMessageContaining("p1 = 0.0 < p0 = 1.0");
        assertThatThrownBy(() -> Quantiles.ofPercentiles(new double[3]))
                .hasMessageContaining("expected 101 percentiles, got 3");
        assertThatThrownBy(() -> Quantiles.ofSample(new double[0], 1))
                .hasMessageContaining("empty sample");
    }
}
