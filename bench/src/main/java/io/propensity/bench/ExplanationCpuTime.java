package io.propensity.bench;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;

/**
 * Microseconds of thread CPU time per explanation ({@link Scorer#contributions}) and, for scale,
 * per score, on the models of {@link ExplanationBenchmark}, best of five rounds after a warm-up. A
 * companion to the JMH benchmark for shared machines: CPU time does not count the time the thread
 * waits for a core. Run from the repository root:
 *
 * <pre>java -cp bench/target/benchmarks.jar io.propensity.bench.ExplanationCpuTime</pre>
 */
public final class ExplanationCpuTime {

    private static final int ROUNDS = 5;

    private ExplanationCpuTime() {}

    public static void main(String[] args) throws Exception {
        List<Path> models =
                List.of(
                        ExplanationBenchmark.ensureGenerated(),
                        Path.of("models/default/purchase-intent.pmml"),
                        Path.of("models/default/churn-risk.pmml"));
        double[][] rows = ScoringModelGenerator.rows(1024, 11);
        double[] contributions = new double[FeatureSchema.size()];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("%-40s %8s %14s %10s%n", "model", "method", "explain us", "score us");
        for (Path model : models) {
            Scorer scorer = Scorers.load(model, null, ScorerKind.COMPILED);
            double sink = 0;
            double bestExplain = Double.MAX_VALUE;
            double bestScore = Double.MAX_VALUE;
            int per = model.toString().contains("200x6") ? 2_000 : 20_000;
            for (int round = 0; round < ROUNDS + 2; round++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < per; i++) {
                    sink += scorer.contributions(rows[i & 1023], contributions);
                }
                long middle = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < per; i++) {
                    sink += scorer.score(rows[i & 1023]);
                }
                long end = threads.getCurrentThreadCpuTime();
                if (round >= 2) {
                    // the first two rounds warm the JIT up
                    bestExplain = Math.min(bestExplain, (middle - start) / 1e3 / per);
                    bestScore = Math.min(bestScore, (end - middle) / 1e3 / per);
                }
            }
            System.out.printf(
                    "%-40s %8s %14.2f %10.3f%s%n",
                    model.getFileName(),
                    scorer.explanationMethod().wireName(),
                    bestExplain,
                    bestScore,
                    Double.isNaN(sink) ? " (NaN seen)" : "");
        }
    }
}
