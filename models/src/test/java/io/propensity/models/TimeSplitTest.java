package io.propensity.models;

import io.propensity.features.FeatureSchema;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimeSplitTest {

    @Test
    void shouldPurgeExamplesWhoseLabelWindowCrossesTheCut() {
        ExampleSet examples = new ExampleSet();
        double[] vector = FeatureSchema.newVector();
        // ten examples at t = 0..9, each labelled over (t, t + 2]
        for (int t = 0; t < 10; t++) {
            int user = examples.addUser("u" + t);
            examples.add(user, t, t + 2, vector, t % 2);
        }
        // cut at the time below which 70% lie: index floor(0.7 * 9) = 6 -> t = 6
        TimeSplit split = TimeSplit.of(examples, 0.3, 0.0, 1);
        assertThat(split.cutMillis()).isEqualTo(6);
        assertThat(split.validation()).containsExactly(6, 7, 8, 9);
        // t = 5 and t = 4 have label windows ending at 7 and 6; 4 ends exactly at the cut: kept
        assertThat(split.purged()).isEqualTo(1);
        assertThat(split.training()).containsExactly(0, 1, 2, 3, 4);
        assertThat(split.earlyStopping()).isEmpty();
    }

    @Test
    void shouldHoldOutWholeUsersForEarlyStopping() {
        ExampleSet examples = new ExampleSet();
        double[] vector = FeatureSchema.newVector();
        for (int u = 0; u < 200; u++) {
            int user = examples.addUser("user-" + u);
            examples.add(user, 0, 1, vector, 0);
            examples.add(user, 1, 2, vector, 1);
        }
        int late = examples.addUser("late");
        for (int i = 0; i < 100; i++) {
            examples.add(late, 100, 101, vector, 1);
        }
        // 500 rows: the cut is the time at index floor(0.81 * 499) = 404 of the sorted times, 100
        TimeSplit split = TimeSplit.of(examples, 0.19, 0.25, 42);
        assertThat(split.cutMillis()).isEqualTo(100);
        // each user's rows all go one way
        for (int row : split.earlyStopping()) {
            assertThat(TimeSplit.isEarlyStoppingUser(examples.userId(row), 0.25, 42)).isTrue();
        }
        for (int row : split.fit()) {
            assertThat(TimeSplit.isEarlyStoppingUser(examples.userId(row), 0.25, 42)).isFalse();
        }
        // about a quarter of 200 users
        assertThat(split.earlyStopping().length / 2).isBetween(30, 70);
        assertThat(split.fit().length + split.earlyStopping().length).isEqualTo(400);
    }
}
