package io.propensity.job.lifecycle;

import io.propensity.scoring.ScorerKind;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of a model change, run with parallelism 1 before the broadcast: reads and
 * validates each control message with {@link ModelCommands#resolve}. Accepted deployments go on to
 * every instance of the per-user function; a rejected one is logged with its reason and counted
 * ({@code modelCommandsRejected}), and the models in use keep serving.
 *
 * <p>Loading here is off the events' path: this operator has no events to block, only the control
 * topic's rare messages.
 */
public class ModelCommandResolver extends ProcessFunction<ModelControlMessage, ModelDeployment> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelCommandResolver.class);

    private final ScorerKind kind;

    private transient Counter accepted;
    private transient Counter rejected;

    public ModelCommandResolver(ScorerKind kind) {
        this.kind = kind;
    }

    @Override
    public void open(OpenContext openContext) {
        accepted = getRuntimeContext().getMetricGroup().counter("modelCommandsAccepted");
        rejected = getRuntimeContext().getMetricGroup().counter("modelCommandsRejected");
    }

    @Override
    public void processElement(
            ModelControlMessage message, Context ctx, Collector<ModelDeployment> out) {
        try {
            ModelDeployment deployment = ModelCommands.resolve(message, kind);
            accepted.inc();
            LOG.info("model command {} accepted: {}", message.where(), deployment.describe());
            out.collect(deployment);
        } catch (RejectedModelException e) {
            rejected.inc();
            LOG.warn(
                    "model command {} rejected, the models in use keep serving: {}",
                    message.where(),
                    e.getMessage());
        }
    }
}
