package io.propensity.models;

import io.propensity.scoring.ModelCard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retrains the committed default models from the same data, parameters and seed (full rounds: the
 * data is small enough) and checks that the cards' versions, thresholds and metrics come back the
 * same; training runs the explanation gate again (TreeSHAP of the PMML against XGBoost's
 * predictContrib on the validation rows), so the default models' explanations are checked here too.
 * A failure means the committed models no longer match the code: retrain them with {@link
 * DefaultModels#main}.
 */
class DefaultModelsReproductionTest {

    // surefire runs in the module folder
    private static final Path DATA = Path.of("../data");
    private static final Path COMMITTED = Path.of("default");

    @TempDir Path output;

    @Test
    void shouldReproduceThePurchaseIntentModelCard() throws Exception {
        reproduce(DefaultModels.purchaseIntent(DATA, output));
    }

    @Test
    void shouldReproduceTheChurnRiskModelCard() throws Exception {
        reproduce(DefaultModels.churnRisk(DATA, output));
    }

    private static void reproduce(TrainingRequest request) throws Exception {
        ModelCard committed = ModelCard.read(COMMITTED.resolve(request.modelName() + ".card.json"));
        Trainer.Result result = Trainer.train(request, Trainer.Progress.NONE);
        ModelCard card = result.card();
        assertThat(card.modelVersion()).isEqualTo(committed.modelVersion());
        assertThat(card.threshold()).isEqualTo(committed.threshold());
        assertThat(card.topFeatures()).isEqualTo(committed.topFeatures());
        assertThat(card.horizon()).isEqualTo(committed.horizon());
        assertThat(card.inactivitySchedule()).isEqualTo(committed.inactivitySchedule());
        // compare as JSON-shaped maps: what the committed file holds after a round trip
        ModelCard reread = ModelCard.read(result.cardJson());
        for (String key :
                new String[] {
                    "validation_metrics",
                    "labels",
                    "split",
                    "parameters",
                    "threshold_on_validation",
                    "shap_importance"
                }) {
            assertThat((Map<?, ?>) reread.details().get(key)).as(key).isNotNull();
            assertThat((Map<?, ?>) reread.details().get(key))
                    .as(key)
                    .isEqualTo(committed.details().get(key));
        }
    }
}
