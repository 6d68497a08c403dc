package io.propensity.job.lifecycle;

import io.propensity.scoring.ModelCard;
import io.propensity.scoring.ScorerKind;
import io.propensity.scoring.Scorers;

import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static io.propensity.job.lifecycle.LifecycleTestModels.CHURN_V1;
import static io.propensity.job.lifecycle.LifecycleTestModels.PURCHASE_BAD;
import static io.propensity.job.lifecycle.LifecycleTestModels.PURCHASE_V1;
import static io.propensity.job.lifecycle.LifecycleTestModels.PURCHASE_V2;
import static io.propensity.job.lifecycle.LifecycleTestModels.V1_TWO_CARTS;
import static io.propensity.job.lifecycle.LifecycleTestModels.V2_TWO_CARTS;
import static io.propensity.job.lifecycle.LifecycleTestModels.card;
import static io.propensity.job.lifecycle.LifecycleTestModels.text;
import static io.propensity.job.lifecycle.LifecycleTestModels.twoCarts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ServingModelsTest {

    private ServingModels models;
    private RecordingMetricGroup metrics;

    @BeforeEach
    void startWithVersionOne() throws Exception {
        models =
                new ServingModels(
                        ScorerKind.COMPILED,
                        Map.of(
                                ModelRole.PURCHASE_INTENT, champion(ModelRole.PURCHASE_INTENT),
                                ModelRole.CHURN_RISK, champion(ModelRole.CHURN_RISK)),
                        metrics = new RecordingMetricGroup(),
                        () -> new DescriptiveStatisticsHistogram(16),
                        "test");
    }

    @AfterEach
    void stop() {
        models.close();
    }

    private static ServedModel champion(ModelRole role) throws Exception {
        Path pmml = role == ModelRole.PURCHASE_INTENT ? PURCHASE_V1 : CHURN_V1;
        ModelCard card = ModelCard.read(ModelCard.besidePmml(pmml));
        return ServedModel.champion(
                role, card, Scorers.loadWithCard(pmml, ScorerKind.COMPILED), 0.9);
    }

    private static ModelDeployment deployment(Arm arm, Path pmml, String mode, double share) {
        return new ModelDeployment(
                ModelRole.PURCHASE_INTENT,
                arm,
                false,
                null,
                pmml.toString(),
                text(pmml),
                card(pmml),
                mode,
                share,
                null,
                0);
    }

    private static final ModelDeployment RETIRE_CHALLENGER =
            new ModelDeployment(
                    ModelRole.PURCHASE_INTENT,
                    Arm.CHALLENGER,
                    true,
                    null,
                    "test",
                    null,
                    null,
                    null,
                    0,
                    null,
                    0);

    /** Applies finished loads until one changes the set (the loader is a background thread). */
    private void awaitChange() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!models.applyLoaded()) {
            assertThat(System.nanoTime()).as("a load finished in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void shouldSwapTheChampionOnlyBetweenEventsOnceLoaded() throws Exception {
        models.submit(deployment(Arm.CHAMPION, PURCHASE_V2, null, 0));

        // nothing changes until the task thread asks: the old model scores meanwhile
        ServedModel before = models.served(ModelRole.PURCHASE_INTENT, "u1");
        assertThat(before.version()).isEqualTo("test-1");
        assertThat(models.score(before, twoCarts())).isCloseTo(V1_TWO_CARTS, within(1e-6));

        awaitChange();
        ServedModel after = models.served(ModelRole.PURCHASE_INTENT, "u1");
        assertThat(after.version()).isEqualTo("test-2");
        assertThat(after.arm()).isEqualTo(Arm.CHAMPION);
        assertThat(models.score(after, twoCarts())).isCloseTo(V2_TWO_CARTS, within(1e-6));
        // the card's threshold, as no threshold was given
        assertThat(after.threshold()).isEqualTo(0.9);
        assertThat(models.champion(ModelRole.CHURN_RISK).version()).isEqualTo("test-1");
    }

    @Test
    void shouldShowTheServingVersionAndScorerAsNumbersAPrometheusReporterExports()
            throws Exception {
        String v1 = "model.purchase_intent.version.test-1.scorer.compiled.active";
        String v2 = "model.purchase_intent.version.test-2.scorer.compiled.active";
        assertThat(metrics.gaugeValue(v1)).isEqualTo(1);
        assertThat(metrics.gaugeValue("model.churn_risk.version.test-1.scorer.compiled.active"))
                .isEqualTo(1);
        assertThat(metrics.gaugeValue(v2)).isNull();

        models.submit(deployment(Arm.CHAMPION, PURCHASE_V2, null, 0));
        awaitChange();

        // the replaced version reads 0, the new one 1; the string gauge follows too
        assertThat(metrics.gaugeValue(v1)).isEqualTo(0);
        assertThat(metrics.gaugeValue(v2)).isEqualTo(1);
        assertThat(metrics.gaugeValue("model.purchase_intent.modelVersion")).isEqualTo("test-2");
        assertThat(metrics.count("modelSwaps")).isEqualTo(1);
    }

    @Test
    void shouldKeepTheOldModelWhenTheNewOneFailsToLoad() throws Exception {
        models.submit(deployment(Arm.CHAMPION, PURCHASE_BAD, null, 0));
        // loads run in order: once the retirement after it is applied, the bad one was handled
        models.submit(RETIRE_CHALLENGER);
        awaitChange();

        assertThat(models.champion(ModelRole.PURCHASE_INTENT).version()).isEqualTo("test-1");
        assertThat(models.score(models.champion(ModelRole.PURCHASE_INTENT), twoCarts()))
                .isCloseTo(V1_TWO_CARTS, within(1e-6));
        // the rejection is counted; the retirement after it is the one swap
        assertThat(metrics.count("modelLoadFailures")).isEqualTo(1);
        assertThat(metrics.count("modelSwaps")).isEqualTo(1);
    }

    @Test
    void shouldServeAbChallengerToItsShareOfUsersOnly() throws Exception {
        models.submit(deployment(Arm.CHALLENGER, PURCHASE_V2, ModelDeployment.AB, 0.3));
        awaitChange();

        int challenger = 0;
        for (int u = 0; u < 1000; u++) {
            String user = "user-" + u;
            ServedModel served = models.served(ModelRole.PURCHASE_INTENT, user);
            boolean expected = AbSplit.position(ModelRole.PURCHASE_INTENT, user) < 0.3;
            assertThat(served.version()).as(user).isEqualTo(expected ? "test-2" : "test-1");
            assertThat(served.arm()).isEqualTo(expected ? Arm.CHALLENGER : Arm.CHAMPION);
            challenger += expected ? 1 : 0;
        }
        assertThat(challenger).isBetween(300 - 73, 300 + 73);
        assertThat(models.shadow(ModelRole.PURCHASE_INTENT)).isNull();
        // the other role has no challenger
        assertThat(models.served(ModelRole.CHURN_RISK, "user-1").arm()).isEqualTo(Arm.CHAMPION);
    }

    @Test
    void shouldRunAShadowChallengerBesideTheChampionUntilRetired() throws Exception {
        models.submit(deployment(Arm.CHALLENGER, PURCHASE_V2, ModelDeployment.SHADOW, 0));
        awaitChange();

        ServedModel shadow = models.shadow(ModelRole.PURCHASE_INTENT);
        assertThat(shadow.version()).isEqualTo("test-2");
        assertThat(shadow.isShadow()).isTrue();
        assertThat(shadow.score(twoCarts())).isCloseTo(V2_TWO_CARTS, within(1e-6));
        for (int u = 0; u < 100; u++) {
            assertThat(models.served(ModelRole.PURCHASE_INTENT, "user-" + u).version())
                    .isEqualTo("test-1");
        }

        models.submit(RETIRE_CHALLENGER);
        awaitChange();
        assertThat(models.shadow(ModelRole.PURCHASE_INTENT)).isNull();
        assertThat(models.challenger(ModelRole.PURCHASE_INTENT)).isNull();
    }

    @Test
    void shouldInstallARestoredModelAtOnce() {
        models.installNow(deployment(Arm.CHAMPION, PURCHASE_V2, null, 0));
        assertThat(models.champion(ModelRole.PURCHASE_INTENT).version()).isEqualTo("test-2");
    }
}
