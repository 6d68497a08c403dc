package io.propensity.models;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model card's pictures, as PNG files beside the PMML: ROC, precision-recall and calibration
 * curves of the model and its baselines on the validation set, and the GBM's importance by total
 * gain and by mean absolute SHAP value.
 */
final class Plots {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 520;
    private static final int IMPORTANCE_BARS = 15;

    private Plots() {}

    /**
     * Writes the five plots and returns their file names by kind.
     *
     * @param scores validation scores by model label, the GBM first
     */
    static Map<String, String> write(
            Path dir,
            String name,
            Map<String, double[]> scores,
            int[] labels,
            Map<String, Double> gainImportance,
            Map<String, Double> shapImportance)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, String> files = new LinkedHashMap<>();

        XYChart roc =
                chart(name + ": ROC (validation)", "false positive rate", "true positive rate");
        roc.addSeries("chance", new double[] {0, 1}, new double[] {0, 1})
                .setMarker(SeriesMarkers.NONE);
        scores.forEach(
                (label, values) -> {
                    double[][] curve = Metrics.rocCurve(values, labels);
                    roc.addSeries(
                                    String.format(
                                            Locale.ROOT,
                                            "%s (AUC %.3f)",
                                            label,
                                            Metrics.rocAuc(values, labels)),
                                    curve[0],
                                    curve[1])
                            .setMarker(SeriesMarkers.NONE);
                });
        files.put("roc", save(roc, dir, name + ".roc.png"));

        XYChart pr = chart(name + ": precision-recall (validation)", "recall", "precision");
        scores.forEach(
                (label, values) -> {
                    double[][] curve = Metrics.precisionRecallCurve(values, labels);
                    pr.addSeries(
                                    String.format(
                                            Locale.ROOT,
                                            "%s (AP %.3f)",
                                            label,
                                            Metrics.averagePrecision(values, labels)),
                                    curve[0],
                                    curve[1])
                            .setMarker(SeriesMarkers.NONE);
                });
        files.put("precision_recall", save(pr, dir, name + ".pr.png"));

        XYChart calibration =
                chart(
                        name + ": calibration (validation, 10 bins)",
                        "mean predicted probability",
                        "observed positive rate");
        calibration
                .addSeries("perfect", new double[] {0, 1}, new double[] {0, 1})
                .setMarker(SeriesMarkers.NONE);
        scores.forEach(
                (label, values) -> {
                    List<Double> x = new ArrayList<>();
                    List<Double> y = new ArrayList<>();
                    for (Metrics.CalibrationBin bin : Metrics.calibrationBins(values, labels)) {
                        if (bin.rows() > 0) {
                            x.add(bin.meanScore());
                            y.add(bin.positiveRate());
                        }
                    }
                    calibration.addSeries(label, x, y).setMarker(SeriesMarkers.CIRCLE);
                });
        files.put("calibration", save(calibration, dir, name + ".calibration.png"));

        files.put(
                "feature_importance",
                save(
                        bars(
                                name + ": feature importance (total gain)",
                                "total gain",
                                gainImportance),
                        dir,
                        name + ".importance.png"));
        files.put(
                "shap_importance",
                save(
                        bars(
                                name + ": feature importance (mean |SHAP|, validation)",
                                "mean |SHAP value| (log-odds)",
                                shapImportance),
                        dir,
                        name + ".shap-importance.png"));
        return files;
    }

    /** A bar chart of the first {@link #IMPORTANCE_BARS} features of an importance ranking. */
    private static CategoryChart bars(String title, String yTitle, Map<String, Double> ranking) {
        List<String> features = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Map.Entry<String, Double> entry : ranking.entrySet()) {
            if (features.size() == IMPORTANCE_BARS) {
                break;
            }
            features.add(entry.getKey());
            values.add(entry.getValue());
        }
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(title)
                        .xAxisTitle("feature")
                        .yAxisTitle(yTitle)
                        .build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(60);
        if (!features.isEmpty()) {
            chart.addSeries(yTitle, features, values);
        }
        return chart;
    }

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(title)
                        .xAxisTitle(xTitle)
                        .yAxisTitle(yTitle)
                        .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        return chart;
    }

    private static String save(
            org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path dir, String file)
            throws IOException {
        BitmapEncoder.saveBitmap(
                chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
