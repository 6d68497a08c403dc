package io.propensity.deploy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplayPacerTest {

    private final AtomicLong clockNanos = new AtomicLong(1_000_000_000L);
    private final List<Long> sleeps = new ArrayList<>();

    private ReplayPacer pacer(double speedUp) {
        return new ReplayPacer(
                speedUp,
                clockNanos::get,
                nanos -> {
                    sleeps.add(nanos);
                    clockNanos.addAndGet(nanos);
                });
    }

    @Test
    void shouldSendEveryEventAtOnceWhenSpeedUpIsZero() throws InterruptedException {
        ReplayPacer pacer = pacer(0);

        pacer.awaitTurn(0);
        pacer.awaitTurn(3_600_000);

        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldCompressAnHourOfEventTimeIntoOneSecondAt3600x() throws InterruptedException {
        ReplayPacer pacer = pacer(3600);

        pacer.awaitTurn(10_000_000L);
        pacer.awaitTurn(10_000_000L + 3_600_000L);

        // one hour of event time / 3600 = 1 s of wall time, nothing spent in between
        assertThat(sleeps).containsExactly(1_000_000_000L);
    }

    @Test
    void shouldSubtractWallTimeAlreadySpentFromTheWait() throws InterruptedException {
        ReplayPacer pacer = pacer(60);

        pacer.awaitTurn(0);
        clockNanos.addAndGet(400_000_000L); // sending took 0.4 s
        pacer.awaitTurn(60_000); // due 60 s / 60 = 1 s after the first

        assertThat(sleeps).containsExactly(600_000_000L);
    }

    @Test
    void shouldNotWaitForEventsThatAreLateOrOutOfOrder() throws InterruptedException {
        ReplayPacer pacer = pacer(10);

        pacer.awaitTurn(100_000);
        clockNanos.addAndGet(5_000_000_000L);
        pacer.awaitTurn(110_000); // due 1 s after the first, 5 s have passed
        pacer.awaitTurn(50_000); // older than the first event

        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldRefuseNegativeOrNonFiniteSpeedUps() {
        assertThatThrownBy(() -> pacer(-1)).hasMessageContaining("speed-up");
        assertThatThrownBy(() -> pacer(Double.NaN)).hasMessageContaining("speed-up");
        assertThatThrownBy(() -> pacer(Double.POSITIVE_INFINITY)).hasMessageContaining("speed-up");
    }
}
