package io.propensity.models;

import io.propensity.features.InactivitySchedule;
import io.propensity.features.io.EventFormat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TrainCommandTest {

    @Test
    void shouldTurnOptionsIntoARequest() {
        TrainCommand command = new TrainCommand();
        new CommandLine(command)
                .parseArgs(
                        "--input", "a.csv.gz,b.csv.gz",
                        "--format", "taobao",
                        "--task", "churn-risk",
                        "--horizon", "36h",
                        "--inactivity-schedule", "6h,1d",
                        "--until", "2017-12-03T16:00:00Z",
                        "--exclude-user", "999477",
                        "--threshold-policy", "top:5%",
                        "--output", "out");
        TrainingRequest request = command.request();
        assertThat(request.inputs()).containsExactly(Path.of("a.csv.gz"), Path.of("b.csv.gz"));
        assertThat(request.format()).isEqualTo(EventFormat.TAOBAO);
        assertThat(request.task()).isEqualTo(Task.CHURN_RISK);
        assertThat(request.modelName()).isEqualTo("churn-risk");
        assertThat(request.horizon()).isEqualTo(Duration.ofHours(36));
        assertThat(request.schedule()).isEqualTo(InactivitySchedule.parse("6h,24h"));
        assertThat(request.fromMillis()).isEqualTo(Long.MIN_VALUE);
        assertThat(request.untilMillis())
                .isEqualTo(Instant.parse("2017-12-03T16:00:00Z").toEpochMilli());
        assertThat(request.excludedUsers()).containsExactly("999477");
        assertThat(request.thresholdPolicy()).hasToString("top:5%");
        assertThat(request.booster().threads()).isEqualTo(1);
        assertThat(request.minClassExamples()).isEqualTo(100);
    }

    @Test
    void shouldRejectAnUnknownTaskNamingTheAcceptedOnes() {
        CommandLine commandLine = new CommandLine(new TrainCommand());
        int status =
                commandLine.execute(
                        "--input", "a", "--format", "taobao", "--task", "upsell", "--output", "o");
        assertThat(status).isEqualTo(2);
    }
}
