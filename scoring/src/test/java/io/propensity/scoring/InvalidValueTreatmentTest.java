package io.propensity.scoring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.propensity.scoring.ScorersTest.logistic;
import static io.propensity.scoring.ScorersTest.model;
import static io.propensity.scoring.ScorersTest.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code invalidValueTreatment="returnInvalid"} on a model with valid ranges ({@code
 * invalid-values.pmml}): both scorers score values inside the ranges alike and refuse values
 * outside them, naming the field.
 */
class InvalidValueTreatmentTest {

    static Scorer load(ScorerKind kind) throws ModelLoadException {
        Scorer scorer = Scorers.load(model("invalid-values.pmml"), null, kind);
        assertThat(scorer.info().kind()).isEqualTo(kind);
        return scorer;
    }

    @ParameterizedTest
    @EnumSource(ScorerKind.class)
    void shouldScoreValuesInsideTheRangesIncludingTheirClosedEnds(ScorerKind kind)
            throws ModelLoadException {
        Scorer scorer = load(kind);

        // the trees of tiny-purchase.pmml (see ScorersTest); missing values are not invalid
        assertThat(scorer.score(vector(0, 86400)))
                .isCloseTo(logistic(-0.25 + 0.125 - 0.5), within(1e-6));
        assertThat(scorer.score(vector(5, 0))).isCloseTo(logistic(0.75 + 1.0 - 0.5), within(1e-6));
        assertThat(scorer.score(vector(Double.NaN, Double.NaN)))
                .isCloseTo(logistic(-0.25 + 0.125 - 0.5), within(1e-6));
    }

    @ParameterizedTest
    @EnumSource(ScorerKind.class)
    void shouldRefuseValuesOutsideTheRangesNamingTheField(ScorerKind kind)
            throws ModelLoadException {
        Scorer scorer = load(kind);

        assertThatThrownBy(() -> scorer.score(vector(-1, 100)))
                .hasMessageContaining("cart_count_24h")
                .hasMessageContaining("invalid value");
        assertThatThrownBy(() -> scorer.score(vector(2, 86401)))
                .hasMessageContaining("seconds_since_last_cart")
                .hasMessageContaining("invalid value");
    }

    @Test
    void shouldAgreeWithJpmmlOnEveryRowValidOrNot() throws ModelLoadException {
        Scorer compiled = load(ScorerKind.COMPILED);
        Scorer jpmml = load(ScorerKind.JPMML);
        double[] carts = {Double.NaN, -1, -Math.ulp(0f), 0, 0.5, 1, 2.5, 3, 1e9};
        double[] seconds = {Double.NaN, -1, 0, 100, 3599, 3600, 86400, Math.nextUp(86400f), 1e9};

        for (double cart : carts) {
            for (double secs : seconds) {
                double[] row = vector(cart, secs);
                Double expected = scoreOrNull(jpmml, row);
                Double actual = scoreOrNull(compiled, row);

                String where = "cart " + cart + ", seconds " + secs;
                if (expected == null) {
                    assertThat(actual).as(where).isNull();
                } else {
                    assertThat(actual).as(where).isNotNull().isCloseTo(expected, within(1e-6));
                }
            }
        }
    }

    /** The score, or null when the scorer refuses the row as invalid. */
    private static Double scoreOrNull(Scorer scorer, double[] row) {
        try {
            return scorer.score(row);
        } catch (RuntimeException e) {
            assertThat(e).hasMessageContaining("invalid value");
            return null;
        }
    }
}
