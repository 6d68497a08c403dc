package io.propensity.scoring.pmml;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ModelLoadException;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The compiled scorer scores without allocating: the bytes this thread allocates ({@link
 * com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}) are counted around many calls,
 * after a warm-up, for a feature vector through {@link Scorer#score} and for every compiled
 * conformance model through {@link CompiledEnsemble#evaluate}. A property of the code, not a
 * timing: the load of the machine does not change it.
 *
 * <p>Tolerance: each measurement repeats {@link #ROUNDS} times and the least count must stay within
 * {@link #SLACK_BYTES}. The JVM now and then allocates a few bytes on the thread once, unrelated to
 * the calls (72 bytes in one of five rounds of 100,000 calls, seen while writing this test); an
 * allocation in every call, even a single 16-byte object, would count at least 16 bytes times the
 * calls, hundreds of kilobytes here.
 */
class AllocationFreeScoringTest {

    static final int ROUNDS = 3;

    static final long SLACK_BYTES = 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Keeps the results alive, so that the JIT cannot drop the calls. */
    static volatile double sink;

    @BeforeAll
    static void countAllocations() {
        assumeThat(THREADS.isThreadAllocatedMemorySupported()).isTrue();
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /** The least number of bytes this thread allocated over {@link #ROUNDS} rounds of calls. */
    static long leastAllocatedBytes(IntToDoubleFunction call, int warmUp, int calls) {
        allocatedBytes(call, warmUp);
        long least = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            least = Math.min(least, allocatedBytes(call, calls));
        }
        return least;
    }

    private static long allocatedBytes(IntToDoubleFunction call, int calls) {
        long thread = Thread.currentThread().getId();
        double sum = 0;
        long start = THREADS.getThreadAllocatedBytes(thread);
        for (int i = 0; i < calls; i++) {
            sum += call.applyAsDouble(i);
        }
        long bytes = THREADS.getThreadAllocatedBytes(thread) - start;
        sink = sum;
        return bytes;
    }

    @Test
    void shouldScoreFeatureVectorsWithoutAllocating()
            throws ModelLoadException, URISyntaxException {
        Path file = Path.of(getClass().getResource("/models/tiny-purchase.pmml").toURI());
        Scorer scorer = Scorers.load(file, null, ScorerKind.COMPILED);
        assertThat(scorer.info().kind()).isEqualTo(ScorerKind.COMPILED);
        double[][] vectors = {
            vector(0, Double.NaN), vector(2, 100), vector(5, 10), vector(Double.NaN, Double.NaN)
        };

        long bytes =
                leastAllocatedBytes(
                        i -> scorer.score(vectors[i % vectors.length]), 20_000, 100_000);

        assertThat(bytes).isLessThanOrEqualTo(SLACK_BYTES);
    }

    static List<ConformanceCase> compiledCases() {
        return ConformanceTest.cases().stream()
                .filter(c -> !ConformanceTest.REFUSED.containsKey(c.toString()))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compiledCases")
    void shouldEvaluateEveryCompiledConformanceModelWithoutAllocating(ConformanceCase c)
            throws ModelLoadException, UnsupportedPmmlException {
        CompiledEnsemble ensemble = EnsembleCompiler.compile(PmmlSource.read(c.pmml())).ensemble();
        double[][] rows = encodedRows(ensemble, c);
        double[] margins = ensemble.newMargins();
        double[] result = ensemble.newResult();
        IntToDoubleFunction evaluate =
                i -> {
                    ensemble.evaluate(rows[i % rows.length], margins, result);
                    return result[0];
                };

        long bytes = leastAllocatedBytes(evaluate, 5_000, 10_000);

        assertThat(rows).isNotEmpty();
        assertThat(bytes).isLessThanOrEqualTo(SLACK_BYTES);
    }

    /** The case's input rows encoded once, before measuring; rows with invalid values left out. */
    private static double[][] encodedRows(CompiledEnsemble ensemble, ConformanceCase c) {
        List<double[]> rows = new ArrayList<>();
        for (Map<String, String> input : ConformanceCase.rows(c.input())) {
            double[] row = ensemble.newRow();
            try {
                for (int i = 0; i < row.length; i++) {
                    row[i] = ensemble.encode(i, input.get(ensemble.inputName(i)));
                }
                rows.add(row);
            } catch (IllegalArgumentException invalid) {
                // returnInvalid: such a row is never evaluated
            }
        }
        return rows.toArray(double[][]::new);
    }

    private static double[] vector(double cartCount24h, double secondsSinceLastCart) {
        double[] vector = FeatureSchema.newVector();
        vector[FeatureSchema.CART_COUNT_24H] = cartCount24h;
        vector[FeatureSchema.SECONDS_SINCE_LAST_CART] = secondsSinceLastCart;
        return vector;
    }
}
