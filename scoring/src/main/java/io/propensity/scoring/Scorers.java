package io.propensity.scoring;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Loads PMML models into {@link Scorer}s: validates the XML safely, checks the model contract
 * against the feature vector, and, for {@link ScorerKind#COMPILED}, cross-checks the compiled
 * scorer against JPMML-Evaluator, falling back to JPMML with a logged reason when it refuses. Logs
 * one line per load: model name, version, trees, scorer kind, load time.
 */
public final class Scorers {

    private Scorers() {}

    /**
     * Loads a PMML file.
     *
     * @param pmml the PMML file
     * @param version the model version to report (from the model card), or {@code null}
     * @param preferred the scorer kind wanted; COMPILED may fall back to JPMML
     * @throws ModelLoadException naming the file and the problem
     */
    public static Scorer load(Path pmml, String version, ScorerKind preferred)
            throws ModelLoadException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Loads PMML from a stream (for example a classpath resource).
     *
     * @param source a name for messages (file path or resource name)
     */
    public static Scorer load(InputStream pmml, String source, String version, ScorerKind preferred)
            throws ModelLoadException {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
