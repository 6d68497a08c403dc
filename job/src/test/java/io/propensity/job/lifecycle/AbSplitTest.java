package io.propensity.job.lifecycle;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AbSplitTest {

    private static final int USERS = 20_000;

    @Test
    void shouldPutTheConfiguredShareOfUsersInTheChallenger() {
        int in = 0;
        for (int u = 0; u < USERS; u++) {
            if (AbSplit.inChallenger(ModelRole.PURCHASE_INTENT, "user-" + u, 0.1)) {
                in++;
            }
        }
        // binomial(20000, 0.1): standard deviation 42 users; 5 of them is 212
        assertThat(in).isBetween(2000 - 212, 2000 + 212);
    }

    @Test
    void shouldOnlyMoveUsersTheChangeRequiresWhenTheShareChanges() {
        int moved = 0;
        for (int u = 0; u < USERS; u++) {
            String user = "user-" + u;
            boolean at10 = AbSplit.inChallenger(ModelRole.CHURN_RISK, user, 0.1);
            boolean at20 = AbSplit.inChallenger(ModelRole.CHURN_RISK, user, 0.2);
            // raising the share never moves a challenger user back to the champion
            if (at10) {
                assertThat(at20).as(user).isTrue();
            }
            if (at20 && !at10) {
                moved++;
                double position = AbSplit.position(ModelRole.CHURN_RISK, user);
                assertThat(position).isGreaterThanOrEqualTo(0.1).isLessThan(0.2);
            }
        }
        assertThat(moved).isBetween(2000 - 212, 2000 + 212);
    }

    @Test
    void shouldKeepAUserInTheSameArmEveryTime() {
        double first = AbSplit.position(ModelRole.PURCHASE_INTENT, "541312140");
        assertThat(AbSplit.position(ModelRole.PURCHASE_INTENT, "541312140")).isEqualTo(first);
        assertThat(first).isGreaterThanOrEqualTo(0).isLessThan(1);
        assertThat(AbSplit.inChallenger(ModelRole.PURCHASE_INTENT, "541312140", 0)).isFalse();
        assertThat(AbSplit.inChallenger(ModelRole.PURCHASE_INTENT, "541312140", 1)).isTrue();
    }

    @Test
    void shouldSplitTheTwoRolesIndependently() {
        int both = 0;
        for (int u = 0; u < USERS; u++) {
            String user = "user-" + u;
            if (AbSplit.inChallenger(ModelRole.PURCHASE_INTENT, user, 0.5)
                    && AbSplit.inChallenger(ModelRole.CHURN_RISK, user, 0.5)) {
                both++;
            }
        }
        // independent halves: a quarter in both (sd 61 users); the same hash would give a half
        assertThat(both).isBetween(5000 - 305, 5000 + 305);
    }
}
