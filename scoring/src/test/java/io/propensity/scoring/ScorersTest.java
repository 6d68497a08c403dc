package io.propensity.scoring;

import io.propensity.features.FeatureSchema;

import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScorersTest {

    static Path model(String name) {
        try {
            return Path.of(ScorersTest.class.getResource("/models/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double[] vector(double cartCount24h, double secondsSinceLastCart) {
        double[] vector = FeatureSchema.newVector();
        vector[FeatureSchema.CART_COUNT_24H] = cartCount24h;
        vector[FeatureSchema.SECONDS_SINCE_LAST_CART] = secondsSinceLastCart;
        return vector;
    }

    static double logistic(double margin) {
        return 1 / (1 + Math.exp(-margin));
    }

    @ParameterizedTest
    @EnumSource(ScorerKind.class)
    void shouldScoreTheHandComputedProbabilities(ScorerKind kind) throws ModelLoadException {
        Scorer scorer = Scorers.load(model("tiny-purchase.pmml"), null, kind);

        // tree A: -0.25, or 0.75 when cart_count_24h >= 1; tree B: 0.125, -0.5 when
        // seconds_since_last_cart < 3600, 1.0 when also cart_count_24h >= 3; base -0.5
        assertThat(scorer.score(vector(0, Double.NaN)))
                .isCloseTo(logistic(-0.25 + 0.125 - 0.5), within(1e-6));
        assertThat(scorer.score(vector(2, 100)))
                .isCloseTo(logistic(0.75 - 0.5 - 0.5), within(1e-6));
        assertThat(scorer.score(vector(5, 10))).isCloseTo(logistic(0.75 + 1.0 - 0.5), within(1e-6));
        assertThat(scorer.score(vector(Double.NaN, Double.NaN)))
                .isCloseTo(logistic(-0.25 + 0.125 - 0.5), within(1e-6));
    }

    @Test
    void shouldUseTheCompiledScorerWhenItAgreesWithJpmml() throws ModelLoadException {
        Scorer scorer = Scorers.load(model("tiny-purchase.pmml"), null, ScorerKind.COMPILED);

        assertThat(scorer.info().kind()).isEqualTo(ScorerKind.COMPILED);
        assertThat(scorer.info().fallbackReason()).isNull();
    }

    @Test
    void shouldFallBackToJpmmlNamingTheUnsupportedElementAndLine() throws ModelLoadException {
        Scorer scorer = Scorers.load(model("compound-predicate.pmml"), null, ScorerKind.COMPILED);

        assertThat(scorer.info().kind()).isEqualTo(ScorerKind.JPMML);
        assertThat(scorer.info().fallbackReason())
                .isEqualTo("unsupported PMML: CompoundPredicate at line 49, column 62");
        assertThat(scorer.score(vector(2, 100)))
                .isCloseTo(logistic(0.75 - 0.5 - 0.5), within(1e-6));
    }

    @Test
    void shouldFallBackToJpmmlWhenTheScorersDisagreeOnAVerificationRow() throws ModelLoadException {
        Path file = model("sentinel-missing.pmml");

        Scorer scorer;
        List<LoadLog.Line> lines;
        try (LoadLog log = LoadLog.capture()) {
            scorer = Scorers.load(file, null, ScorerKind.COMPILED);
            lines = log.about(file.toString());
        }

        // row 2 of the file's two verification rows: cart 2, seconds -999, a declared missing
        // value that only JPMML honours (see the file's comment)
        assertThat(scorer).isInstanceOf(JpmmlScorer.class);
        assertThat(scorer.info().kind()).isEqualTo(ScorerKind.JPMML);
        String reason = scorer.info().fallbackReason();
        Matcher scores =
                Pattern.compile(
                                "compiled and JPMML disagree on check row 2 of 2: (\\S+) vs (\\S+)"
                                        + " \\(tolerance 1.0E-6\\)")
                        .matcher(reason);
        assertThat(scores.matches()).as(reason).isTrue();
        assertThat(Double.parseDouble(scores.group(1)))
                .isCloseTo(logistic(0.75 - 0.5 - 0.5), within(1e-6));
        assertThat(Double.parseDouble(scores.group(2)))
                .isCloseTo(logistic(0.75 + 0.125 - 0.5), within(1e-6));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).level()).isEqualTo(Level.WARN);
        assertThat(lines.get(0).message())
                .contains(
                        "JPMML scorer",
                        "; compiled scorer refused: " + reason + ";",
                        "no explanations (the JPMML scorer does not explain)");
        assertThat(scorer.score(vector(2, -999)))
                .isCloseTo(logistic(0.75 + 0.125 - 0.5), within(1e-6));
    }

    @Test
    void shouldKeepTheCompiledScorerWhenOnlyGeneratedRowsAreChecked()
            throws IOException, ModelLoadException {
        // the same model without its ModelVerification: the generated rows never hold -999, so
        // the disagreement above comes from the verification row
        String pmml =
                Files.readString(model("sentinel-missing.pmml"))
                        .replaceAll("(?s)<ModelVerification.*</ModelVerification>", "");

        Scorer scorer =
                Scorers.load(
                        new ByteArrayInputStream(pmml.getBytes(StandardCharsets.UTF_8)),
                        "sentinel-missing-unverified.pmml",
                        (String) null,
                        ScorerKind.COMPILED);

        assertThat(scorer.info().kind()).isEqualTo(ScorerKind.COMPILED);
        assertThat(scorer.info().fallbackReason()).isNull();
    }

    @Test
    void shouldKeepTheCompiledScorerWhenItAgreesOnTheVerificationRows() throws ModelLoadException {
        Scorer scorer = Scorers.load(model("verification-rows.pmml"), null, ScorerKind.COMPILED);

        assertThat(scorer.info().kind()).isEqualTo(ScorerKind.COMPILED);
        assertThat(scorer.info().fallbackReason()).isNull();
    }

    @Test
    void shouldLogOneLineSayingThatExplanationsAreApproximateWithoutRecordCounts()
            throws ModelLoadException {
        Path file = model("tiny-purchase.pmml");

        List<LoadLog.Line> lines;
        try (LoadLog log = LoadLog.capture()) {
            Scorers.load(file, null, ScorerKind.COMPILED);
            lines = log.about(file.toString());
        }

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).level()).isEqualTo(Level.WARN);
        assertThat(lines.get(0).message())
                .matches(
                        Pattern.quote(
                                        "Loaded model tiny-purchase version 7 from "
                                                + file
                                                + ": 2 trees, COMPILED scorer, ")
                                + "\\d+ ms, explanations saabas_approximate; no TreeSHAP \\(.+\\):"
                                + " explanations are the Saabas per-path approximation, not SHAP"
                                + " values");
    }

    @Test
    void shouldLogOneInfoLineWhenTheModelIsExplainedWithTreeShap()
            throws IOException, ModelLoadException {
        // tiny-purchase.pmml with a recordCount (cover) on every Node
        String pmml =
                Files.readString(model("tiny-purchase.pmml"))
                        .replace(
                                "<Node score=\"-0.25\">",
                                "<Node score=\"-0.25\" recordCount=\"100\">")
                        .replace(
                                "<Node score=\"0.75\">", "<Node score=\"0.75\" recordCount=\"60\">")
                        .replace(
                                "<Node score=\"0.125\">",
                                "<Node score=\"0.125\" recordCount=\"100\">")
                        .replace(
                                "<Node score=\"-0.5\">", "<Node score=\"-0.5\" recordCount=\"70\">")
                        .replace("<Node score=\"1.0\">", "<Node score=\"1.0\" recordCount=\"30\">");
        String source = "tiny-purchase-covers.pmml";

        Scorer scorer;
        List<LoadLog.Line> lines;
        try (LoadLog log = LoadLog.capture()) {
            scorer =
                    Scorers.load(
                            new ByteArrayInputStream(pmml.getBytes(StandardCharsets.UTF_8)),
                            source,
                            (String) null,
                            ScorerKind.COMPILED);
            lines = log.about(source);
        }

        assertThat(scorer.explanationMethod()).isEqualTo(ExplanationMethod.TREE_SHAP);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).level()).isEqualTo(Level.INFO);
        assertThat(lines.get(0).message())
                .startsWith("Loaded model tiny-purchase version 7 from " + source + ": 2 trees,")
                .endsWith(" ms, explanations tree_shap");
    }

    @Test
    void shouldDescribeTheLoadedModel() throws ModelLoadException {
        Scorer scorer = Scorers.load(model("tiny-purchase.pmml"), null, ScorerKind.JPMML);

        ModelInfo info = scorer.info();
        assertThat(info.name()).isEqualTo("tiny-purchase");
        assertThat(info.version()).isEqualTo("7");
        assertThat(info.kind()).isEqualTo(ScorerKind.JPMML);
        assertThat(info.trees()).isEqualTo(2);
        assertThat(info.inputFields()).containsExactly("cart_count_24h", "seconds_since_last_cart");
        assertThat(info.fallbackReason()).isNull();
    }

    @Test
    void shouldPreferTheModelCardVersion() throws ModelLoadException {
        Scorer scorer = Scorers.load(model("tiny-purchase.pmml"), "2024-05-01", ScorerKind.JPMML);

        assertThat(scorer.info().version()).isEqualTo("2024-05-01");
    }

    @Test
    void shouldListEveryContractViolation() {
        Path file = model("bad-contract.pmml");

        assertThatThrownBy(() -> Scorers.load(file, null, ScorerKind.COMPILED))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("input fields not in the feature vector: secs_since_cart")
                .hasMessageContaining(
                        "input fields that are not continuous numbers: cart_count_24h"
                                + " (categorical string)");
    }

    @ParameterizedTest
    @EnumSource(ScorerKind.class)
    void shouldRefuseARegressionTargetNamingBothProblems(ScorerKind kind) {
        Path file = model("regression-target.pmml");

        assertThatThrownBy(() -> Scorers.load(file, null, kind))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(
                        file
                                + ": model does not meet the scoring contract: the model is"
                                + " regression, not a binary classification with a probability;"
                                + " target order_value is not a binary category (categories: [])");
    }

    @ParameterizedTest
    @EnumSource(ScorerKind.class)
    void shouldRefuseAThreeClassTargetListingItsCategories(ScorerKind kind) {
        Path file = model("three-class-target.pmml");

        // a classification over feature-vector inputs: the target is the only problem
        assertThatThrownBy(() -> Scorers.load(file, null, kind))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(
                        file
                                + ": model does not meet the scoring contract: target intent is"
                                + " not a binary category (categories: [browse, cart, buy])");
    }

    @Test
    void shouldRefuseModelsOfAnotherFeatureVersionOrWithOtherFeatures() {
        Path file = model("tiny-purchase.pmml");
        ModelCard otherVersion = card(FeatureSchema.VERSION + 1, java.util.List.of());
        ModelCard otherFeatures =
                card(FeatureSchema.VERSION, java.util.List.of("cart_count_24h", "view_count_1h"));

        assertThatThrownBy(() -> Scorers.loadWithCard(file, otherVersion, ScorerKind.JPMML))
                .hasMessageContaining("feature version " + (FeatureSchema.VERSION + 1));
        assertThatThrownBy(() -> Scorers.loadWithCard(file, otherFeatures, ScorerKind.JPMML))
                .hasMessageContaining(
                        "features of the model card missing from the PMML: view_count_1h")
                .hasMessageContaining(
                        "PMML input fields not in the model card: seconds_since_last_cart");
    }

    static ModelCard card(int featureVersion, java.util.List<String> features) {
        return new ModelCard(
                "tiny-purchase",
                "3",
                ModelCard.PURCHASE_INTENT,
                featureVersion,
                features,
                null,
                "1h",
                null,
                new ModelCard.Threshold(0.5, "test"),
                null,
                null);
    }
}
