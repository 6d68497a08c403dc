package io.propensity.job;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ModelInfo;
import io.propensity.scoring.ModelLoadException;
import io.propensity.scoring.Scorer;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model as shipped with the job graph: the PMML bytes and the model card bytes, read once in
 * {@code main} (from a file or from the jar) and loaded again into a {@link Scorer} in each
 * operator's {@code open()}. Shipping bytes rather than a path means the TaskManagers need no
 * access to the client's file system.
 */
public final class ModelArtifact implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final byte[] pmml;
    private final byte[] card;
    private final boolean evaluated;

    private ModelArtifact(String source, byte[] pmml, byte[] card) {
        this(source, pmml, card, true);
    }

    private ModelArtifact(String source, byte[] pmml, byte[] card, boolean evaluated) {
        this.source = source;
        this.pmml = pmml;
        this.card = card;
        this.evaluated = evaluated;
    }

    /**
     * This model, but {@link #load} returns a scorer that answers 0 without evaluating anything.
     * For the benchmark harness only (the job's cost with features but no scoring); {@code main}
     * never uses it. The card, info and thresholds stay those of the real model.
     */
    public ModelArtifact unevaluated() {
        return new ModelArtifact(source, pmml, card, false);
    }

    /**
     * Reads {@code <name>.pmml} and the {@code <name>.card.json} beside it.
     *
     * @throws IOException naming the file that is missing or unreadable
     */
    public static ModelArtifact fromFile(Path pmmlFile) throws IOException {
        Path cardFile = ModelCard.besidePmml(pmmlFile);
        if (!Files.isRegularFile(pmmlFile)) {
            throw new IOException("model file " + pmmlFile + " does not exist");
        }
        if (!Files.isRegularFile(cardFile)) {
            throw new IOException(
                    "model card " + cardFile + " (beside " + pmmlFile + ") does not exist");
        }
        return new ModelArtifact(
                pmmlFile.toString(), Files.readAllBytes(pmmlFile), Files.readAllBytes(cardFile));
    }

    /**
     * Reads {@code /models/<name>.pmml} and {@code /models/<name>.card.json} from the classpath
     * (the models bundled in the job jar).
     *
     * @throws IOException naming the resource that is missing
     */
    public static ModelArtifact fromClasspath(String name) throws IOException {
        String pmmlResource = "/models/" + name + ".pmml";
        String cardResource = "/models/" + name + ".card.json";
        return new ModelArtifact(
                "classpath:" + pmmlResource, resource(pmmlResource), resource(cardResource));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ModelArtifact.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(
                        "the job jar bundles no "
                                + name
                                + " (build it with models/default present, or pass the model"
                                + " path)");
            }
            return in.readAllBytes();
        }
    }

    /** Where the model came from: a file path or {@code classpath:/models/...}. */
    public String source() {
        return source;
    }

    /**
     * The model card.
     *
     * @throws IOException naming the card when it is not valid
     */
    public ModelCard card() throws IOException {
        return ModelCard.read(new ByteArrayInputStream(card), cardSource());
    }

    private String cardSource() {
        return source.endsWith(".pmml")
                ? source.substring(0, source.length() - 5) + ".card.json"
                : source + ".card.json";
    }

    /**
     * Loads the scorer, reporting the card's model version. The PMML's input fields must be the
     * card's {@code feature_names}, so a model file swapped under its card does not load.
     *
     * @throws ModelLoadException naming the file and the problem
     */
    public Scorer load(ScorerKind kind) throws ModelLoadException {
        ModelCard modelCard;
        try {
            modelCard = card();
        } catch (IOException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
        Scorer scorer = Scorers.load(new ByteArrayInputStream(pmml), source, modelCard, kind);
        if (evaluated) {
            return scorer;
        }
        ModelInfo info = scorer.info();
        return new Scorer() {
            @Override
            public ModelInfo info() {
                return info;
            }

            @Override
            public double score(double[] features) {
                return 0;
            }
        };
    }

    /**
     * Checks that the card is for {@code task} and the current feature schema, and that the PMML
     * loads: what {@code main} runs so that a bad model stops submission.
     *
     * @throws ModelLoadException naming the file and the problem
     */
    public Scorer validate(String task, ScorerKind kind) throws ModelLoadException {
        ModelCard modelCard;
        try {
            modelCard = card();
        } catch (IOException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
        if (!task.equals(modelCard.task())) {
            throw new ModelLoadException(
                    cardSource()
                            + ": model card task is '"
                            + modelCard.task()
                            + "', this slot needs a '"
                            + task
                            + "' model");
        }
        if (modelCard.featureVersion() != FeatureSchema.VERSION) {
            throw new ModelLoadException(
                    cardSource()
                            + ": model was trained on feature version "
                            + modelCard.featureVersion()
                            + ", this job computes version "
                            + FeatureSchema.VERSION);
        }
        if (modelCard.topFeatures() != null) {
            for (String name : modelCard.topFeatures()) {
                if (FeatureSchema.indexOf(name) < 0) {
                    throw new ModelLoadException(
                            cardSource() + ": top_features names unknown feature '" + name + "'");
                }
            }
        }
        return load(kind);
    }
}
