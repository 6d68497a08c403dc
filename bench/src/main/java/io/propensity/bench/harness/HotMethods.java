package io.propensity.bench.harness;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Summarises the CPU samples ({@code jdk.ExecutionSample}) of a JFR recording: the share of samples
 * per thread, per area of the pipeline (decided by the frames on the stack, innermost first), and
 * the hottest methods by self time. Native code (RocksDB) shows as the JNI method that called it.
 */
final class HotMethods {

    /**
     * Areas by a class-name prefix on the stack; the first match from the top of the stack wins.
     */
    private static final Map<String, String> AREAS = new LinkedHashMap<>();

    static {
        AREAS.put("org.rocksdb.", "RocksDB (JNI)");
        AREAS.put("io.propensity.scoring.", "scoring");
        AREAS.put("org.jpmml.", "scoring");
        AREAS.put("io.propensity.features.io.", "JSON parsing (EventJson)");
        AREAS.put("com.fasterxml.jackson.", "JSON parsing (EventJson)");
        AREAS.put("io.propensity.features.", "features and state bytes");
        AREAS.put("org.apache.flink.api.common.typeutils.", "Flink serialization");
        AREAS.put("org.apache.flink.api.java.typeutils.", "Flink serialization");
        AREAS.put("com.esotericsoftware.kryo.", "Flink serialization (Kryo)");
        AREAS.put("org.apache.flink.contrib.streaming.state.", "Flink RocksDB state backend");
        AREAS.put("org.apache.flink.state.rocksdb.", "Flink RocksDB state backend");
        AREAS.put("io.propensity.job.", "job code (alerts, timers)");
        AREAS.put("org.apache.flink.runtime.io.network.", "Flink network stack");
        AREAS.put("org.apache.flink.", "Flink runtime (other)");
    }

    private HotMethods() {}

    /** Summarises a recording made earlier: {@code HotMethods FILE.jfr [TOP]}. */
    public static void main(String[] args) throws IOException {
        print(Path.of(args[0]), System.out, args.length > 1 ? Integer.parseInt(args[1]) : 15);
    }

    static void print(Path recording, PrintStream out, int top) throws IOException {
        Map<String, Integer> byThread = new TreeMap<>();
        Map<String, Integer> byArea = new TreeMap<>();
        Map<String, Integer> bySelf = new TreeMap<>();
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            total++;
            jdk.jfr.consumer.RecordedThread sampled = event.getThread("sampledThread");
            String thread = sampled == null ? "(unknown)" : String.valueOf(sampled.getJavaName());
            byThread.merge(threadGroup(thread), 1, Integer::sum);
            List<RecordedFrame> frames = stack.getFrames();
            bySelf.merge(name(frames.get(0)), 1, Integer::sum);
            byArea.merge(area(frames), 1, Integer::sum);
        }
        out.printf("CPU samples: %,d%n%n", total);
        table(out, "thread", byThread, total, top);
        table(out, "area (first match from the top of the stack)", byArea, total, top);
        table(out, "method (self)", bySelf, total, top);
    }

    private static String area(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (Map.Entry<String, String> area : AREAS.entrySet()) {
                if (type.startsWith(area.getKey())) {
                    return area.getValue();
                }
            }
        }
        return "other (JDK, GC-related, ...)";
    }

    private static String threadGroup(String thread) {
        // subtask threads are named "<operator chain> (1/1)#0"; keep the chain name
        int paren = thread.indexOf(" (");
        return paren > 0 ? thread.substring(0, paren) : thread.replaceAll("[0-9]+", "N");
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void table(
            PrintStream out, String what, Map<String, Integer> counts, int total, int top) {
        out.printf("| %s | samples | share |%n|---|---|---|%n", what);
        List<Map.Entry<String, Integer>> sorted =
                counts.entrySet().stream()
                        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                        .limit(top)
                        .collect(Collectors.toList());
        for (Map.Entry<String, Integer> entry : sorted) {
            out.printf(
                    "| `%s` | %,d | %.1f %% |%n",
                    entry.getKey(), entry.getValue(), 100.0 * entry.getValue() / total);
        }
        out.println();
    }
}
