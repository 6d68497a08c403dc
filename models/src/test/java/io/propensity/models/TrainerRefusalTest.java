package io.propensity.models;

import io.propensity.features.EventType;
import io.propensity.features.FeatureConfig;
import io.propensity.features.ShopperEvent;
import io.propensity.features.io.EventFormat;
import io.propensity.features.io.EventJson;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainerRefusalTest {

    private static final long MINUTE = 60_000L;

    @TempDir Path dir;

    @Test
    void shouldRefuseToTrainWithTooFewExamplesOfAClassAndSayHowMany() throws Exception {
        Path events = dir.resolve("events.jsonl");
        Files.write(
                events,
                List.of(
                        EventJson.write(ShopperEvent.of("a", 0, EventType.VIEW)),
                        EventJson.write(ShopperEvent.of("a", 30 * MINUTE, EventType.PURCHASE)),
                        EventJson.write(ShopperEvent.of("b", 0, EventType.VIEW)),
                        EventJson.write(ShopperEvent.of("c", 600 * MINUTE, EventType.VIEW))));
        TrainingRequest request =
                new TrainingRequest(
                        List.of(events),
                        EventFormat.JSON,
                        Task.PURCHASE_INTENT,
                        "tiny",
                        Duration.ofHours(1),
                        null,
                        FeatureConfig.defaults(),
                        Long.MIN_VALUE,
                        Long.MAX_VALUE,
                        Set.of(),
                        ThresholdPolicy.minPrecision(0.5),
                        dir.resolve("out"),
                        100,
                        0.25,
                        0.2,
                        BoosterParameters.defaults(),
                        null);
        // a@0 is positive (purchase 30 min later), a@30m and b@0 negative, c@10h censored
        assertThatThrownBy(() -> Trainer.train(request, Trainer.Progress.NONE))
                .isInstanceOf(InsufficientExamplesException.class)
                .hasMessageContaining("1 positive and 2 negative examples")
                .hasMessageContaining("minimum of 100");
    }
}
