package io.propensity.bench;

import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Microseconds of thread CPU time per evaluation, JPMML against compiled, on the same model in one
 * JVM, in alternating rounds after a warm-up. A companion to {@link ScoringBenchmark} for shared
 * machines: CPU time does not count the time the thread waits for a core, so the ratio holds under
 * load where JMH's wall-clock averages do not. Run from the repository root:
 *
 * <pre>java -cp bench/target/benchmarks.jar io.propensity.bench.ScoringCpuTime</pre>
 */
public final class ScoringCpuTime {

    private ScoringCpuTime() {}

    public static void main(String[] args) throws Exception {
        List<Path> models = new ArrayList<>();
        models.add(ScoringModelGenerator.ensure(ScoringModelGenerator.DEFAULT_PATH));
        for (String name : List.of("purchase-intent", "churn-risk")) {
            Path path = Path.of("models/default/" + name + ".pmml");
            if (Files.exists(path)) {
                models.add(path);
            }
        }
        double[][] rows = ScoringModelGenerator.rows(1024, 11);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("%-40s %12s %12s %8s%n", "model", "jpmml us", "compiled us", "ratio");
        for (Path model : models) {
            Scorer jpmml = Scorers.load(model, null, ScorerKind.JPMML);
            Scorer compiled = Scorers.load(model, null, ScorerKind.COMPILED);
            if (compiled.info().kind() != ScorerKind.COMPILED) {
                System.out.println(model + ": fell back: " + compiled.info().fallbackReason());
                continue;
            }
            double sink = 0;
            // warm-up, then five alternating rounds; the best round of each counts
            for (int i = 0; i < 20_000; i++) {
                sink += jpmml.score(rows[i & 1023]) + compiled.score(rows[i & 1023]);
            }
            double bestJpmml = Double.MAX_VALUE;
            double bestCompiled = Double.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < 10_000; i++) {
                    sink += jpmml.score(rows[i & 1023]);
                }
                bestJpmml = Math.min(bestJpmml, (threads.getCurrentThreadCpuTime() - start) / 1e7);
                start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < 1_000_000; i++) {
                    sink += compiled.score(rows[i & 1023]);
                }
                bestCompiled =
                        Math.min(bestCompiled, (threads.getCurrentThreadCpuTime() - start) / 1e9);
            }
            System.out.printf(
                    "%-40s %12.2f %12.3f %8.1f%s%n",
                    model.getFileName(),
                    bestJpmml,
                    bestCompiled,
                    bestJpmml / bestCompiled,
                    sink == 42 ? " " : "");
        }
    }
}
