package io.propensity.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Locale;

/**
 * Renders one alert (the JSON object of the alerts topic, see the README's Alerts section) as one
 * readable line, for example:
 *
 * <pre>
 * 2019-10-01T00:41:03Z purchase_intent user 512386086 score 0.912 (threshold 0.700)
 *   purchase-intent@3 after cart | reasons: session_carts=2 (+0.412), view_count_1h=11 (-0.087)
 * </pre>
 *
 * (on one line): the alert's reasons, each feature's value and its signed contribution to the
 * log-odds, marked {@code [approximate]} when the model's explanations are not SHAP values. Missing
 * fields show as {@code ?} so a record from a newer job still prints; the caller prints records
 * that are not JSON objects raw.
 */
final class AlertLine {

    private static final int MAX_REASONS = 3;

    private AlertLine() {}

    static String format(JsonNode alert) {
        StringBuilder line = new StringBuilder(160);
        JsonNode eventTime = alert.get("event_time");
        line.append(
                eventTime != null && eventTime.canConvertToLong()
                        ? Instant.ofEpochMilli(eventTime.asLong()).toString()
                        : "?");
        line.append(' ').append(text(alert, "type"));
        line.append(" user ").append(text(alert, "user_id"));
        line.append(" score ").append(number(alert, "score"));
        line.append(" (threshold ").append(number(alert, "threshold")).append(')');
        line.append(' ')
                .append(text(alert, "model_name"))
                .append('@')
                .append(text(alert, "model_version"));

        JsonNode trigger = alert.path("trigger");
        String kind = trigger.path("kind").asText("?");
        if ("event".equals(kind)) {
            line.append(" after ").append(trigger.path("event_type").asText("?"));
        } else if ("inactivity_check".equals(kind)) {
            line.append(" on inactivity check");
        } else {
            line.append(" trigger ").append(kind);
        }

        JsonNode reasons = alert.path("reasons");
        JsonNode features = reasons.path("features");
        if (features.isArray() && !features.isEmpty()) {
            line.append(" | reasons: ");
            for (int i = 0; i < Math.min(features.size(), MAX_REASONS); i++) {
                JsonNode feature = features.get(i);
                if (i > 0) {
                    line.append(", ");
                }
                line.append(feature.path("name").asText("?"))
                        .append('=')
                        .append(compact(feature.path("value")));
                JsonNode contribution = feature.path("contribution");
                if (contribution.isNumber()) {
                    line.append(String.format(Locale.ROOT, " (%+.3f)", contribution.asDouble()));
                }
            }
            if ("saabas_approximate".equals(reasons.path("explanation_method").asText())) {
                line.append(" [approximate]");
            }
        }
        return line.toString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "?" : value.asText();
    }

    private static String number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isNumber()
                ? String.format(Locale.ROOT, "%.3f", value.asDouble())
                : "?";
    }

    /**
     * Feature values without trailing zeros: 2 rather than 2.0, 0.25 rather than 0.250000; a JSON
     * null (a feature without a value, such as the time since a first purchase) as {@code missing}.
     */
    private static String compact(JsonNode value) {
        if (value.isNull()) {
            return "missing";
        }
        if (!value.isNumber()) {
            return value.isMissingNode() ? "?" : value.asText();
        }
        double number = value.asDouble();
        if (number == Math.rint(number) && Math.abs(number) < 1e15) {
            return Long.toString((long) number);
        }
        return String.format(Locale.ROOT, "%.4g", number);
    }
}
