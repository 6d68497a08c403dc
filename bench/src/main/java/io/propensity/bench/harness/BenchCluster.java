package io.propensity.bench.harness;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One local Flink MiniCluster in this JVM for all harness runs: one TaskManager with two slots,
 * RocksDB state, checkpoints under the harness's work directory, no restarts (a failure ends the
 * run with its cause). Jobs are submitted as stream graphs so the harness keeps their ids for
 * checkpoints, cancellation and the execution graph.
 */
final class BenchCluster implements AutoCloseable {

    private final MiniCluster cluster;
    private final Path checkpoints;

    BenchCluster(Path workDir) throws Exception {
        this.checkpoints = workDir.resolve("checkpoints");
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();
    }

    /** Where checkpoints go; the job's own folder is {@code <this>/<job id>}. */
    Path checkpoints() {
        return checkpoints;
    }

    /** An environment with the job's own settings ({@code PropensityJob.configuration}). */
    static StreamExecutionEnvironment environment(Configuration config, int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        return env;
    }

    /** Submits the pipeline built on {@code env}, restoring {@code restorePath} if not null. */
    JobID submit(StreamExecutionEnvironment env, String restorePath) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        JobID id = new JobID();
        graph.setJobId(id);
        if (restorePath != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restorePath, false));
        }
        cluster.submitJob(graph).get(1, TimeUnit.MINUTES);
        return id;
    }

    /** Waits until the job ends; throws its failure. */
    void awaitSuccess(JobID id) throws Exception {
        JobResult result = cluster.requestJobResult(id).get();
        if (!result.isSuccess()) {
            Throwable cause =
                    result.getSerializedThrowable()
                            .map(t -> t.deserializeError(getClass().getClassLoader()))
                            .orElse(null);
            throw new IllegalStateException("job " + id + " did not succeed", cause);
        }
    }

    /** Waits until every task of the job runs (state restored); the time it took from now. */
    Duration awaitAllRunning(JobID id, Duration timeout) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
            if (graph.getState().isGloballyTerminalState()) {
                throw new IllegalStateException("job " + id + " ended: " + graph.getState());
            }
            // while the job initialises, its graph has no vertices yet
            int vertices = 0;
            boolean all = graph.getState() == org.apache.flink.api.common.JobStatus.RUNNING;
            for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
                vertices++;
                all &= vertex.getExecutionState() == ExecutionState.RUNNING;
            }
            if (all && vertices > 0) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("job " + id + " not running after " + timeout);
    }

    /** Takes a full checkpoint now and returns its path. */
    String checkpoint(JobID id) throws Exception {
        long checkpointId = cluster.triggerCheckpoint(id, CheckpointType.FULL).get();
        return checkpoints.resolve(id.toString()).resolve("chk-" + checkpointId).toUri().toString();
    }

    void cancel(JobID id) throws Exception {
        cluster.cancelJob(id).get();
        cluster.requestJobResult(id).get();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
