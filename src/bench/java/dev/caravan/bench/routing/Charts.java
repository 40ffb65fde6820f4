package dev.caravan.bench.routing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The plots: TTFT distribution (CDF) per policy for each workload, hit rate per policy against the
 * infinite-cache bound for each workload, and hit rate and TTFT against the agentic arrival rate.
 * Runs under a simulator profile other than linear are plotted apart, their workload named with the
 * profile ({@link SimulatorProfile#key}), also in file names.
 */
final class Charts {

    private Charts() {}

    static void write(Path dir, List<Map<String, Object>> rows, Map<String, Map<String, double[]>> ttfts) throws IOException {
        for (var w : ttfts.entrySet()) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (var p : w.getValue().entrySet()) {
                double[] v = p.getValue().clone();
                if (v.length == 0) continue;
                Arrays.sort(v);
                XYSeries s = new XYSeries(p.getKey());
                int step = Math.max(1, v.length / 400);
                for (int i = 0; i < v.length; i += step) s.add(Math.max(1, v[i]), (i + 1.0) / v.length);
                s.add(Math.max(1, v[v.length - 1]), 1.0);
                data.addSeries(s);
            }
            JFreeChart c = ChartFactory.createXYLineChart("TTFT distribution: " + w.getKey(), "TTFT (ms, log)",
                    "fraction of requests", data, PlotOrientation.VERTICAL, true, false, false);
            XYPlot plot = c.getXYPlot();
            LogAxis x = new LogAxis("TTFT (ms, log)");
            plot.setDomainAxis(x);
            for (int i = 0; i < data.getSeriesCount(); i++) plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
            plot.setBackgroundPaint(Color.WHITE);
            ChartUtils.saveChartAsPNG(dir.resolve("ttft_cdf_" + file(w.getKey()) + ".png").toFile(), c, 900, 550);
        }
        Map<String, Double> bounds = new LinkedHashMap<>();
        Map<String, Double> pooled = new LinkedHashMap<>();
        Map<String, Double> top = new LinkedHashMap<>();
        Map<String, DefaultCategoryDataset> hits = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            String w = key(r);
            bounds.put(w, (Double) r.get("hit_rate_bound"));
            if (r.get("hit_rate_pooled_cache") instanceof Double d) pooled.put(w, d);
            top.merge(w, Math.max((Double) r.get("hit_rate"), (Double) r.get("hit_rate_bound")), Math::max);
            hits.computeIfAbsent(w, k -> new DefaultCategoryDataset())
                    .addValue((Double) r.get("hit_rate"), "hit rate", (String) r.get("policy"));
        }
        for (var e : hits.entrySet()) {
            Double pool = pooled.get(e.getKey());
            String lines = pool == null ? "red line: infinite-cache bound"
                    : "red: infinite-cache bound, blue: one cache of all engines' size";
            JFreeChart c = ChartFactory.createBarChart("Prefix-cache hit rate: " + e.getKey() + " (" + lines + ")",
                    "policy", "hit rate (cached / prompt tokens)", e.getValue(), PlotOrientation.VERTICAL, false, false, false);
            CategoryPlot plot = c.getCategoryPlot();
            ValueMarker m = new ValueMarker(bounds.get(e.getKey()));
            m.setPaint(Color.RED);
            m.setStroke(new BasicStroke(2f));
            plot.addRangeMarker(m);
            if (pool != null) {
                ValueMarker p = new ValueMarker(pool);
                p.setPaint(Color.BLUE);
                p.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                plot.addRangeMarker(p);
            }
            // Low hit rates (a trace larger than the caches) stay readable: the axis ends above the highest bar or line.
            plot.getRangeAxis().setRange(0, Math.min(1.0, Math.max(0.05, top.get(e.getKey()) * 1.15)));
            plot.setBackgroundPaint(Color.WHITE);
            ChartUtils.saveChartAsPNG(dir.resolve("hit_rate_" + file(e.getKey()) + ".png").toFile(), c, 900, 550);
        }
        XYSeriesCollection hitByRate = new XYSeriesCollection();
        XYSeriesCollection ttftByRate = new XYSeriesCollection();
        Map<String, XYSeries> h = new LinkedHashMap<>(), t = new LinkedHashMap<>(), t99 = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            String w = (String) r.get("workload");
            if (!w.startsWith("agentic@")) continue;
            double rate = Double.parseDouble(w.substring("agentic@".length()));
            String p = r.get("policy") + (linear(r) ? "" : " [" + r.get("profile") + "]");
            h.computeIfAbsent(p, XYSeries::new).add(rate, (Double) r.get("hit_rate"));
            t.computeIfAbsent(p, k -> new XYSeries(k + " p50")).add(rate, (Double) r.get("ttft_p50_ms"));
            t99.computeIfAbsent(p, k -> new XYSeries(k + " p99")).add(rate, (Double) r.get("ttft_p99_ms"));
        }
        if (!h.isEmpty()) {
            h.values().forEach(hitByRate::addSeries);
            t.values().forEach(ttftByRate::addSeries);
            XYSeriesCollection t99c = new XYSeriesCollection();
            t99.values().forEach(t99c::addSeries);
            save(dir, "agentic_hit_rate_vs_rate.png", "Agentic workflows: hit rate vs arrival rate", "workflows / s", "hit rate", hitByRate, false);
            save(dir, "agentic_ttft_p50_vs_rate.png", "Agentic workflows: TTFT p50 vs arrival rate", "workflows / s", "TTFT p50 (ms, log)", ttftByRate, true);
            save(dir, "agentic_ttft_p99_vs_rate.png", "Agentic workflows: TTFT p99 vs arrival rate", "workflows / s", "TTFT p99 (ms, log)", t99c, true);
        }
    }

    private static void save(Path dir, String name, String title, String x, String y, XYSeriesCollection data, boolean log)
            throws IOException {
        JFreeChart c = ChartFactory.createXYLineChart(title, x, y, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = c.getXYPlot();
        if (log) plot.setRangeAxis(new LogAxis(y));
        for (int i = 0; i < data.getSeriesCount(); i++) plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        plot.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), c, 900, 550);
    }

    /** A row's workload, with its profile unless linear (rows of older results have none). */
    static String key(Map<String, Object> row) {
        String w = (String) row.get("workload");
        return linear(row) ? w : w + " [" + row.get("profile") + "]"; // as SimulatorProfile.key
    }

    private static boolean linear(Map<String, Object> row) {
        Object p = row.get("profile");
        return p == null || SimulatorProfile.LINEAR.label.equals(p);
    }

    private static String file(String workload) { return workload.replaceAll("[^A-Za-z0-9]+", "_"); }
}
