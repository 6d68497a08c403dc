package io.propensity.models;

import io.propensity.scoring.ModelCard;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model card for people: {@code <name>.card.md}, rendered from the same facts as the JSON card
 * so the two never disagree.
 */
final class ModelCardDocument {

    private ModelCardDocument() {}

    @SuppressWarnings("unchecked")
    static String render(
            ModelCard card, Map<String, Metrics.MetricSet> metrics, Trainer.Verdict verdict) {
        Map<String, Object> details = card.details();
        Map<String, Object> data = (Map<String, Object>) details.get("data");
        Map<String, Object> labels = (Map<String, Object>) details.get("labels");
        Map<String, Object> split = (Map<String, Object>) details.get("split");
        Map<String, Object> span = (Map<String, Object>) details.get("time_span");
        Map<String, Object> parameters = (Map<String, Object>) details.get("parameters");
        Map<String, Object> threshold =
                (Map<String, Object>) details.get("threshold_on_validation");
        Map<String, Object> gate = (Map<String, Object>) details.get("parity_gate");
        Map<String, String> plots = (Map<String, String>) details.get("plots");
        Map<String, Object> metricDetails = (Map<String, Object>) details.get("validation_metrics");
        StringBuilder md = new StringBuilder();
        md.append("# Model card: ").append(card.modelName()).append("\n\n");
        md.append("| | |\n|---|---|\n");
        row(
                md,
                "model version",
                "`" + card.modelVersion() + "` (sha256 of the PMML, first 12 hex)");
        row(md, "task", card.task());
        row(md, "horizon", card.horizon());
        if (card.inactivitySchedule() != null) {
            row(
                    md,
                    "inactivity checks",
                    card.inactivitySchedule() + " after the user's latest event");
        }
        row(
                md,
                "feature version",
                card.featureVersion() + " (" + card.featureNames().size() + " features)");
        row(
                md,
                "feature config",
                String.format(
                        Locale.ROOT,
                        "session gap %s, allowed lateness %s, retention %s, zone %s",
                        card.featureConfig().sessionGap(),
                        card.featureConfig().allowedLateness(),
                        card.featureConfig().retention(),
                        card.featureConfig().zone()));
        row(
                md,
                "threshold",
                String.format(
                        Locale.ROOT,
                        "%.6f: %s (validation precision %s, recall %s, alert rate %s)",
                        card.threshold().value(),
                        card.threshold().policy(),
                        threshold.get("validation_precision"),
                        threshold.get("validation_recall"),
                        threshold.get("validation_alert_rate")));
        row(md, "top features (total gain)", String.join(", ", card.topFeatures()));
        Map<String, Object> shap = (Map<String, Object>) details.get("shap_importance");
        if (shap != null) {
            row(
                    md,
                    "top features (mean abs SHAP, validation)",
                    String.join(
                            ", ",
                            shap.keySet().stream().limit(card.topFeatures().size()).toList()));
        }
        md.append("\n## Verdict\n\n").append(verdict.text()).append("\n");
        if (details.get("note") != null) {
            md.append("\n## Data and horizons\n\n").append(details.get("note")).append("\n");
        }

        md.append("\n## Validation metrics\n\n");
        md.append("| model | ROC AUC | PR AUC | log loss | Brier | ECE |\n");
        md.append("|---|---|---|---|---|---|\n");
        metrics.forEach(
                (model, set) ->
                        md.append(
                                String.format(
                                        Locale.ROOT,
                                        "| %s | %.4f | %.4f | %.4f | %.4f | %.4f |\n",
                                        model.equals("one_feature_rule")
                                                ? "one-feature rule ("
                                                        + metricDetails.get(
                                                                "one_feature_rule_feature")
                                                        + ")"
                                                : model,
                                        set.rocAuc(),
                                        set.prAuc(),
                                        set.logLoss(),
                                        set.brier(),
                                        set.calibrationError())));
        md.append(
                "\nPR AUC is average precision. ECE uses 10 equal-width bins. The one-feature rule"
                        + " scores the training positive rate of the feature's decile bin; the"
                        + " linear model is logistic regression (XGBoost gblinear) on standardised"
                        + " features. All three are scored on the same validation rows.\n");

        md.append("\n## Data\n\n");
        md.append("| file | sha256 | events | bad lines |\n|---|---|---|---|\n");
        for (Map<String, Object> file : (List<Map<String, Object>>) data.get("files")) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| `%s` | `%s` | %s | %s |\n",
                            file.get("path"),
                            file.get("sha256"),
                            file.get("events"),
                            file.get("bad_lines")));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "\nFormat %s; time span %s to %s; %s events of %s users kept; %s events"
                                + " outside the window, %s of excluded users %s, %s bad lines"
                                + " left out.\n",
                        data.get("format"),
                        span.get("start"),
                        span.get("end"),
                        data.get("events_kept"),
                        data.get("users"),
                        data.get("events_outside_window"),
                        data.get("events_of_excluded_users"),
                        data.get("excluded_users"),
                        data.get("bad_lines")));

        md.append("\n## Labels\n\n");
        md.append(labels.get("definition")).append(".\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%s labelled examples, %s positive (rate %s). %s examples censored (%s)."
                                + " %s events not applied by the features module"
                                + " (duplicates, late).\n",
                        labels.get("examples"),
                        labels.get("positives"),
                        labels.get("positive_rate"),
                        labels.get("censored"),
                        labels.get("censoring"),
                        labels.get("events_not_applied")));

        md.append("\n## Split\n\n");
        md.append("Cut at ").append(split.get("cut")).append(": ").append(split.get("rule"));
        md.append(". Purged: ").append(split.get("purged")).append(".\n\n");
        md.append("| part | rows | positives | negatives | positive rate | from | to |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (String part : List.of("train", "early_stopping", "validation")) {
            Map<String, Object> p = (Map<String, Object>) split.get(part);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s | %s |\n",
                            part,
                            p.get("rows"),
                            p.get("positives"),
                            p.get("negatives"),
                            p.get("positive_rate"),
                            p.get("from"),
                            p.get("to")));
        }

        md.append("\n## Training\n\n");
        md.append("| parameter | value |\n|---|---|\n");
        parameters.forEach((key, value) -> row(md, key, String.valueOf(value)));
        row(md, "libraries", String.valueOf(details.get("libraries")));
        md.append(
                String.format(
                        Locale.ROOT,
                        "\nParity gate: the PMML, loaded from disk and scored by %s, matches"
                                + " XGBoost on all %s validation rows (max difference %s,"
                                + " tolerance %s).\n",
                        gate.get("evaluator"),
                        gate.get("rows"),
                        gate.get("max_abs_difference"),
                        gate.get("tolerance")));

        Map<String, Object> explanationGate = (Map<String, Object>) details.get("explanation_gate");
        if (explanationGate != null) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "\n"
                                + "Explanation gate: TreeSHAP contributions of the PMML (compiled"
                                + " scorer, node covers as recordCount) match %s on all %s rows"
                                + " (max difference %s, tolerance %s).\n",
                            explanationGate.get("reference"),
                            explanationGate.get("rows"),
                            explanationGate.get("max_abs_difference"),
                            explanationGate.get("tolerance")));
        }
        if (shap != null) {
            md.append("\n## Importance\n\n");
            md.append("| feature | mean abs SHAP (log-odds) | total gain |\n|---|---|---|\n");
            Map<String, Object> gain = (Map<String, Object>) details.get("gain_importance");
            shap.forEach(
                    (feature, value) ->
                            row(
                                    md,
                                    feature,
                                    value
                                            + " | "
                                            + (gain == null || gain.get(feature) == null
                                                    ? "-"
                                                    : gain.get(feature))));
            md.append(
                    "\nMean absolute TreeSHAP value over the validation rows: how far, on average,"
                            + " each feature moves a prediction's log-odds. Total gain counts how"
                            + " much the splits on a feature reduced the training loss.\n");
        }

        md.append("\n## Plots\n\n");
        plots.forEach(
                (kind, file) ->
                        md.append("![").append(kind).append("](").append(file).append(")\n"));
        return md.toString();
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }
}
