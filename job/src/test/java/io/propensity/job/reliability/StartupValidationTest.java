package io.propensity.job.reliability;

import io.propensity.job.AlertRules;
import io.propensity.job.JobOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Broken models and broken configuration stop the job at start-up, before anything runs, with a
 * message that names the option, the file and the problem. Tested through what {@code
 * PropensityJob.main} runs first: {@link JobOptions#parse} then {@link AlertRules#resolve}, which
 * reads the model files and loads them with the chosen scorer.
 */
class StartupValidationTest {

    private static final Path MODELS = Path.of("src/test/resources/test-models");
    private static final String GOOD_CHURN = MODELS.resolve("churn-risk.pmml").toString();

    @TempDir Path dir;

    @ParameterizedTest(name = "{0} scorer")
    @ValueSource(strings = {"compiled", "jpmml"})
    void shouldRefuseAModelWithADoctype(String scorer) throws Exception {
        Path model =
                purchaseModel(
                        pmml ->
                                pmml.replaceFirst(
                                        "\\?>",
                                        "?>\n<!DOCTYPE PMML [<!ENTITY greeting \"hello\">]>"));

        assertStopsNaming(model, scorer, "DOCTYPE");
    }

    @ParameterizedTest(name = "{0} scorer")
    @ValueSource(strings = {"compiled", "jpmml"})
    void shouldRefuseAModelWithAnExternalEntityWithoutReadingIt(String scorer) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "the-secret-must-not-leak");
        Path model =
                purchaseModel(
                        pmml ->
                                pmml.replaceFirst(
                                                "\\?>",
                                                "?>\n<!DOCTYPE PMML [<!ENTITY xxe SYSTEM \""
                                                        + secret.toUri()
                                                        + "\">]>")
                                        .replace(
                                                "description=\"purchase-intent test model\"",
                                                "description=\"&xxe;\""));

        Throwable error = assertStopsNaming(model, scorer, "DOCTYPE");
        assertThat(chain(error)).doesNotContain("the-secret-must-not-leak");
    }

    @ParameterizedTest(name = "{0} scorer")
    @ValueSource(strings = {"compiled", "jpmml"})
    void shouldRefuseATruncatedModel(String scorer) throws Exception {
        Path model = purchaseModel(pmml -> pmml.substring(0, pmml.length() * 2 / 3));

        assertStopsNaming(model, scorer, "XML");
    }

    @ParameterizedTest(name = "{0} scorer")
    @ValueSource(strings = {"compiled", "jpmml"})
    void shouldRefuseAModelWhoseFieldIsNoFeature(String scorer) throws Exception {
        Path model = purchaseModel(pmml -> pmml.replace("\"session_carts\"", "\"session_cartz\""));

        assertStopsNaming(model, scorer, "session_cartz");
    }

    @ParameterizedTest(name = "{0} scorer")
    @ValueSource(strings = {"compiled", "jpmml"})
    void shouldRefuseAModelWhoseFieldsDifferFromItsCard(String scorer) throws Exception {
        // a real feature, but not the one the card says the model was trained on
        Path model = purchaseModel(pmml -> pmml.replace("\"session_carts\"", "\"view_count_1h\""));

        assertStopsNaming(model, scorer, "view_count_1h");
    }

    @ParameterizedTest(name = "{0} scorer")
    @ValueSource(strings = {"compiled", "jpmml"})
    void shouldRefuseAModelFileReplacedByGarbage(String scorer) throws Exception {
        Path model = purchaseModel(pmml -> "");
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        Files.write(model, garbage);

        assertStopsNaming(model, scorer, "not a readable PMML document");
    }

    @Test
    void shouldRefuseAnEmptyModelFile() throws Exception {
        Path model = purchaseModel(pmml -> "");

        assertStopsNaming(model, "compiled", "not well-formed PMML at line 1");
    }

    @ParameterizedTest(name = "--{0} {1}")
    @CsvSource({
        "delivery, twice",
        "purchase-threshold, 1.5",
        "churn-threshold, high",
        "scorer, fast",
        "cooldown, soon",
        "allowed-lateness, 10 minutes",
        "out-of-orderness, soon",
        "idleness, 0s",
        "session-gap, forever",
        "inactivity-schedule, yesterday",
        "retention, 0d",
        "checkpoint-interval, 0s",
        "max-record-bytes, 0",
        "max-record-bytes, lots",
    })
    void shouldNameTheKeyOfAMalformedValue(String key, String value) {
        assertThatThrownBy(() -> startUp("--" + key, value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--" + key + ":")
                .hasMessageContaining(value);
    }

    @ParameterizedTest(name = "--{0} without a value")
    @ValueSource(
            strings = {
                "bootstrap-servers",
                "events-topic",
                "alerts-topic",
                "dead-letter-topic",
                "late-topic",
                "group-id",
                "checkpoint-dir",
                "purchase-model",
                "kafka.security.protocol"
            })
    void shouldNameAKeyGivenWithoutAValue(String key) {
        assertThatThrownBy(() -> startUp("--" + key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--" + key + ":")
                .hasMessageContaining("needs a value");
    }

    @Test
    void shouldNameTheMissingInputFormatOfAnInputFile() {
        assertThatThrownBy(() -> startUp("--input-file", "events.csv"))
                .hasMessageStartingWith("--input-format:")
                .hasMessageContaining("required");
        assertThatThrownBy(() -> startUp("--input-file", "events.csv", "--input-format", "csv"))
                .hasMessageStartingWith("--input-format:")
                .hasMessageContaining("csv");
    }

    @Test
    void shouldNameAMissingModelCard() throws Exception {
        Path model = purchaseModel(pmml -> pmml);
        Files.delete(dir.resolve("purchase-intent.card.json"));

        assertThatThrownBy(() -> startUp("--purchase-model", model.toString()))
                .hasMessageStartingWith("--purchase-model:")
                .hasMessageContaining("purchase-intent.card.json");
    }

    /** The test purchase model, changed, beside its card in a temporary folder. */
    private Path purchaseModel(java.util.function.UnaryOperator<String> change) throws Exception {
        String pmml =
                Files.readString(MODELS.resolve("purchase-intent.pmml"), StandardCharsets.UTF_8);
        Path model = dir.resolve("purchase-intent.pmml");
        Files.writeString(model, change.apply(pmml), StandardCharsets.UTF_8);
        Files.copy(
                MODELS.resolve("purchase-intent.card.json"),
                dir.resolve("purchase-intent.card.json"));
        return model;
    }

    private Throwable assertStopsNaming(Path model, String scorer, String problem) {
        Throwable error =
                org.assertj.core.api.Assertions.catchThrowable(
                        () -> startUp("--purchase-model", model.toString(), "--scorer", scorer));
        assertThat(error).as("start-up with a broken model must fail").isNotNull();
        assertThat(error)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--purchase-model:")
                .hasMessageContaining(model.toString())
                .hasMessageContaining(problem);
        return error;
    }

    private static String chain(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }

    /** What {@code PropensityJob.main} runs before it builds the job graph. */
    private static AlertRules startUp(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        if (!all.contains("--purchase-model")) {
            all.addAll(
                    List.of("--purchase-model", MODELS.resolve("purchase-intent.pmml").toString()));
        }
        all.addAll(List.of("--churn-model", GOOD_CHURN));
        return AlertRules.resolve(JobOptions.parse(all.toArray(String[]::new)));
    }
}
