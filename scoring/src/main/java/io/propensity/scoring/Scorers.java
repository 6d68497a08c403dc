package io.propensity.scoring;

import io.propensity.features.FeatureSchema;
import io.propensity.scoring.pmml.CompiledModel;
import io.propensity.scoring.pmml.EnsembleCompiler;
import io.propensity.scoring.pmml.JpmmlModelEvaluator;
import io.propensity.scoring.pmml.PmmlSource;
import io.propensity.scoring.pmml.UnsupportedPmmlException;

import org.dmg.pmml.Header;
import org.dmg.pmml.Model;
import org.dmg.pmml.PMML;
import org.dmg.pmml.mining.MiningModel;
import org.dmg.pmml.mining.Segment;
import org.dmg.pmml.tree.TreeModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads PMML models into {@link Scorer}s: validates the XML safely, checks the model contract
 * against the feature vector, and, for {@link ScorerKind#COMPILED}, cross-checks the compiled
 * scorer against JPMML-Evaluator, falling back to JPMML with a logged reason when it refuses. Logs
 * one line per load: model name, version, trees, scorer kind, load time and explanation method,
 * with the reasons when the compiled scorer was refused or explanations are approximate or absent.
 */
public final class Scorers {

    private static final Logger LOG = LoggerFactory.getLogger(Scorers.class);

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
        long start = System.nanoTime();
        PMML document = PmmlSource.read(pmml);
        return load(document, pmml.toString(), baseName(pmml), version, null, preferred, start);
    }

    /**
     * Loads PMML from a stream (for example a classpath resource).
     *
     * @param source a name for messages (file path or resource name)
     */
    public static Scorer load(InputStream pmml, String source, String version, ScorerKind preferred)
            throws ModelLoadException {
        long start = System.nanoTime();
        PMML document = PmmlSource.read(pmml, source);
        return load(document, source, baseName(Path.of(source)), version, null, preferred, start);
    }

    /**
     * Loads a PMML file with its model card: the card gives the version, and its feature names and
     * feature version must match the PMML and this build's {@link FeatureSchema}.
     *
     * @throws ModelLoadException naming the file, listing every mismatch
     */
    public static Scorer loadWithCard(Path pmml, ModelCard card, ScorerKind preferred)
            throws ModelLoadException {
        long start = System.nanoTime();
        checkFeatureVersion(card, pmml.toString());
        PMML document = PmmlSource.read(pmml);
        return load(
                document,
                pmml.toString(),
                card.modelName(),
                card.modelVersion(),
                card.featureNames(),
                preferred,
                start);
    }

    /** Loads PMML from a stream with its model card; {@code source} names it in messages. */
    public static Scorer load(InputStream pmml, String source, ModelCard card, ScorerKind preferred)
            throws ModelLoadException {
        long start = System.nanoTime();
        checkFeatureVersion(card, source);
        PMML document = PmmlSource.read(pmml, source);
        return load(
                document,
                source,
                card.modelName(),
                card.modelVersion(),
                card.featureNames(),
                preferred,
                start);
    }

    /** Reads the card beside a PMML file ({@code x.pmml} -> {@code x.card.json}) and loads both. */
    public static Scorer loadWithCard(Path pmml, ScorerKind preferred) throws ModelLoadException {
        Path cardFile = ModelCard.besidePmml(pmml);
        if (!Files.exists(cardFile)) {
            throw new ModelLoadException(pmml + ": model card " + cardFile + " not found");
        }
        try {
            return loadWithCard(pmml, ModelCard.read(cardFile), preferred);
        } catch (IOException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
    }

    private static Scorer load(
            PMML document,
            String source,
            String fallbackName,
            String version,
            List<String> expectedFeatures,
            ScorerKind preferred,
            long start)
            throws ModelLoadException {
        ModelContract contract = ModelContract.check(document, source, expectedFeatures);
        Model model = PmmlSource.model(document);
        String name = model.getModelName() != null ? model.getModelName() : fallbackName;
        String resolvedVersion = resolveVersion(version, document.getHeader());
        int trees = countTrees(model);

        // compile first: building JPMML's evaluator rewrites the document with its own visitors
        String fallbackReason = null;
        CompiledModel compiled = null;
        List<double[]> checkRows = List.of();
        if (preferred == ScorerKind.COMPILED) {
            try {
                compiled = EnsembleCompiler.compile(document);
                checkRows = CrossCheck.rows(model, compiled.ensemble(), contract);
            } catch (UnsupportedPmmlException e) {
                fallbackReason = "unsupported PMML: " + e.getMessage();
            }
        }
        JpmmlModelEvaluator jpmml = JpmmlModelEvaluator.build(document, source);
        ModelInfo jpmmlInfo =
                new ModelInfo(
                        name,
                        resolvedVersion,
                        ScorerKind.JPMML,
                        trees,
                        contract.inputFields(),
                        source,
                        fallbackReason);
        Scorer reference = new JpmmlScorer(jpmmlInfo, jpmml, contract);
        Scorer scorer = reference;
        if (compiled != null) {
            ModelInfo compiledInfo =
                    new ModelInfo(
                            name,
                            resolvedVersion,
                            ScorerKind.COMPILED,
                            trees,
                            contract.inputFields(),
                            source,
                            null);
            Scorer candidate = new CompiledScorer(compiledInfo, compiled, contract);
            String disagreement = CrossCheck.disagreement(candidate, reference, checkRows);
            if (disagreement == null) {
                scorer = candidate;
            } else {
                scorer =
                        new JpmmlScorer(
                                new ModelInfo(
                                        name,
                                        resolvedVersion,
                                        ScorerKind.JPMML,
                                        trees,
                                        contract.inputFields(),
                                        source,
                                        disagreement),
                                jpmml,
                                contract);
            }
        }
        logLoaded(scorer, start);
        return scorer;
    }

    /**
     * The one line a load logs: what was loaded and how it explains. A WARN when the compiled
     * scorer was refused or when alerts of this model will carry approximate or no explanations,
     * with the reasons; else an INFO.
     */
    private static void logLoaded(Scorer scorer, long start) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        ModelInfo info = scorer.info();
        ExplanationMethod method = scorer.explanationMethod();
        StringBuilder problems = new StringBuilder();
        if (info.fallbackReason() != null) {
            problems.append("; compiled scorer refused: ").append(info.fallbackReason());
        }
        if (method != ExplanationMethod.TREE_SHAP) {
            String why =
                    scorer instanceof CompiledScorer compiled
                            ? compiled.explanationNote()
                            : "the " + info.kind() + " scorer does not explain";
            if (method == ExplanationMethod.SAABAS_APPROXIMATE) {
                problems.append("; no TreeSHAP (")
                        .append(why)
                        .append("): explanations are the Saabas per-path approximation, not SHAP")
                        .append(" values");
            } else {
                problems.append("; no explanations (").append(why).append(')');
            }
        }
        String format =
                "Loaded model {} version {} from {}: {} trees, {} scorer, {} ms, explanations {}{}";
        Object[] arguments = {
            info.name(),
            info.version(),
            info.source(),
            info.trees(),
            info.kind(),
            millis,
            method.wireName(),
            problems.toString()
        };
        if (problems.length() == 0) {
            LOG.info(format, arguments);
        } else {
            LOG.warn(format, arguments);
        }
    }

    private static void checkFeatureVersion(ModelCard card, String source)
            throws ModelLoadException {
        if (card.featureVersion() != FeatureSchema.VERSION) {
            throw new ModelLoadException(
                    source
                            + ": model "
                            + card.modelName()
                            + " was trained on feature version "
                            + card.featureVersion()
                            + ", this build computes feature version "
                            + FeatureSchema.VERSION);
        }
    }

    private static String resolveVersion(String version, Header header) {
        if (version != null && !version.isBlank()) {
            return version;
        }
        if (header != null && header.getModelVersion() != null) {
            return header.getModelVersion();
        }
        return "unknown";
    }

    /** The number of TreeModels in a model, however deeply its segmentations nest them. */
    static int countTrees(Model model) {
        if (model instanceof TreeModel) {
            return 1;
        }
        int trees = 0;
        if (model instanceof MiningModel mining && mining.getSegmentation() != null) {
            for (Segment segment : mining.getSegmentation().getSegments()) {
                trees += countTrees(segment.requireModel());
            }
        }
        return trees;
    }

    private static String baseName(Path path) {
        Path file = path.getFileName();
        String name = file == null ? path.toString() : file.toString();
        return name.endsWith(".pmml") ? name.substring(0, name.length() - 5) : name;
    }
}
