package io.propensity.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AlertLineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldRenderAnEventTriggeredAlertOnOneLine() throws Exception {
        // 1569890463000 ms = 2019-10-01T00:41:03Z
        String alert =
                """
                {"alert_id":"a1","type":"purchase_intent","user_id":"512386086",
                 "score":0.91234,"threshold":0.7,"model_name":"purchase-intent",
                 "model_version":"3",
                 "trigger":{"kind":"event","event_type":"cart","time":1569890463000},
                 "event_time":1569890463000,"emitted_at":1700000000000,
                 "reasons":{"explanation_method":"tree_shap","expected_value":-1.2,
                  "features":[{"name":"cart_count_session","value":2.0,"contribution":0.41234},
                              {"name":"seconds_since_purchase","value":null,"contribution":-0.2},
                              {"name":"price_mean","value":35.791,"contribution":0.05},
                              {"name":"fourth","value":1,"contribution":0.01}]}}
                """;

        assertThat(AlertLine.format(JSON.readTree(alert)))
                .isEqualTo(
                        "2019-10-01T00:41:03Z purchase_intent user 512386086 score 0.912 (threshold"
                                + " 0.700) purchase-intent@3 after cart | reasons:"
                                + " cart_count_session=2 (+0.412), seconds_since_purchase=missing"
                                + " (-0.200), price_mean=35.79 (+0.050)");
    }

    @Test
    void shouldMarkApproximateReasons() throws Exception {
        String alert =
                """
                {"type":"churn_risk","user_id":"u7","score":0.5,"threshold":0.4,
                 "trigger":{"kind":"inactivity_check","time":0},
                 "reasons":{"explanation_method":"saabas_approximate","expected_value":0,
                  "features":[{"name":"sessions_7d","value":0,"contribution":0.25}]}}
                """;

        assertThat(AlertLine.format(JSON.readTree(alert)))
                .endsWith("on inactivity check | reasons: sessions_7d=0 (+0.250) [approximate]");
    }

    @Test
    void shouldNameInactivityChecksAndShowMissingFieldsAsQuestionMarks() throws Exception {
        String alert =
                """
                {"type":"churn_risk","user_id":"u7","score":0.5,
                 "trigger":{"kind":"inactivity_check","time":0}}
                """;

        assertThat(AlertLine.format(JSON.readTree(alert)))
                .isEqualTo(
                        "? churn_risk user u7 score 0.500 (threshold ?) ?@? on inactivity"
                                + " check");
    }
}
