package io.propensity.models;

import io.propensity.scoring.ModelLoadException;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The export gate: the PMML file, loaded from disk the way the job loads it and scored by
 * JPMML-Evaluator, must give XGBoost's own probability on every row within {@link #TOLERANCE}.
 */
final class ParityGate {

    /** Largest accepted absolute difference between PMML and XGBoost probabilities. */
    static final double TOLERANCE = 1e-6;

    private ParityGate() {}

    /** What the gate saw. */
    record Result(int rows, double maxAbsDifference) {}

    /**
     * Scores {@code rows} of {@code examples} with the PMML at {@code pmml} and compares with
     * {@code expected}.
     *
     * @throws ParityException naming the worst row when any row differs by more than the tolerance
     */
    static Result check(
            Path pmml, String version, ExampleSet examples, int[] rows, double[] expected)
            throws ModelLoadException {
        Scorer scorer = Scorers.load(pmml, version, ScorerKind.JPMML);
        double worst = 0;
        int worstRow = -1;
        double worstPmml = Double.NaN;
        for (int r = 0; r < rows.length; r++) {
            double score = scorer.score(examples.vector(rows[r]));
            double difference = Math.abs(score - expected[r]);
            if (!(difference <= worst)) {
                worst = difference;
                worstRow = r;
                worstPmml = score;
            }
        }
        if (!(worst <= TOLERANCE)) {
            throw new ParityException(
                    String.format(
                            Locale.ROOT,
                            "%s does not match XGBoost: row %d (user %s, time %d) scores %.9f in"
                                    + " PMML and %.9f in XGBoost (difference %.3g > %.0g)",
                            pmml,
                            worstRow,
                            examples.userId(rows[worstRow]),
                            examples.time(rows[worstRow]),
                            worstPmml,
                            expected[worstRow],
                            worst,
                            TOLERANCE));
        }
        return new Result(rows.length, worst);
    }
}
