package io.propensity.scoring;

import java.util.List;

/**
 * What a loaded scorer holds, for logs, metrics and alerts.
 *
 * @param name the model's name (PMML {@code modelName}, else the file's base name)
 * @param version the model version (from the model card, else the PMML Header, else "unknown")
 * @param kind the scorer actually in use (after any fallback)
 * @param trees the number of trees in the ensemble (0 when not a tree ensemble)
 * @param inputFields the PMML input field names, all of them FeatureSchema names
 * @param source where it was loaded from (file path or classpath resource)
 * @param fallbackReason why the compiled scorer was refused, or {@code null}
 */
public record ModelInfo(
        String name,
        String version,
        ScorerKind kind,
        int trees,
        List<String> inputFields,
        String source,
        String fallbackReason) {}
