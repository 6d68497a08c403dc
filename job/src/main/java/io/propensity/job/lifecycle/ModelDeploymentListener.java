package io.propensity.job.lifecycle;

import java.util.List;

/**
 * A keyed function that serves models and takes changes to its active model set from {@link
 * ModelAwareKeyedOperator}. Both methods run on the task thread, never while an element or timer is
 * being processed.
 */
public interface ModelDeploymentListener {

    /**
     * The active model set restored from a checkpoint or savepoint, champions first; called once,
     * before {@code open()}, and only on a restore with a non-empty set. The function must serve
     * these from its first event, not the models of its command line.
     */
    void restoreModels(List<ModelDeployment> deployments);

    /**
     * A validated change of the active set, to load off the hot path and swap in between events.
     */
    void onDeployment(ModelDeployment deployment);
}
