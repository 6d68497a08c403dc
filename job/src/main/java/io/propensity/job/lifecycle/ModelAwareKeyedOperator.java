package io.propensity.job.lifecycle;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.List;

/**
 * Runs a keyed function on its keyed input as {@link KeyedProcessOperator} does, and takes model
 * deployments on a second, broadcast input: each is recorded in the operator's broadcast state
 * ({@link ModelLifecycle#ACTIVE_MODELS}) and handed to the function ({@link
 * ModelDeploymentListener}). On a restore, the recorded set is handed to the function before it
 * opens.
 *
 * <p>Why not a {@code KeyedBroadcastProcessFunction}: the per-user function stays a plain {@link
 * KeyedProcessFunction}, testable with the one-input harness, and this operator adds only the
 * broadcast input. Every instance receives every deployment, in the same order (one resolver
 * upstream, broadcast partitioning), so the broadcast state is the same in all of them, as Flink's
 * broadcast state requires.
 *
 * @param <F> the function: a keyed process function that listens to deployments
 */
public class ModelAwareKeyedOperator<
                K, IN, OUT, F extends KeyedProcessFunction<K, IN, OUT> & ModelDeploymentListener>
        extends KeyedProcessOperator<K, IN, OUT>
        implements TwoInputStreamOperator<IN, ModelDeployment, OUT> {

    private static final long serialVersionUID = 1L;

    private transient BroadcastState<String, String> activeModels;

    public ModelAwareKeyedOperator(F function) {
        super(function);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        activeModels =
                context.getOperatorStateStore().getBroadcastState(ModelLifecycle.ACTIVE_MODELS);
        if (context.isRestored()) {
            List<ModelDeployment> restored =
                    ModelLifecycle.restored(context.getOperatorStateStore());
            if (!restored.isEmpty()) {
                ((ModelDeploymentListener) userFunction).restoreModels(restored);
            }
        }
    }

    @Override
    public void processElement1(StreamRecord<IN> element) throws Exception {
        processElement(element);
    }

    @Override
    public void processElement2(StreamRecord<ModelDeployment> element) throws Exception {
        ModelDeployment deployment = element.getValue();
        ModelLifecycle.record(activeModels, deployment);
        ((ModelDeploymentListener) userFunction).onDeployment(deployment);
    }
}
