package dev.caravan.bench.dashboard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of PromQL the shipped dashboard uses, evaluated over a run's scrapes, so its panels can
 * be drawn where no Grafana and Prometheus are installed: {@code sum|max|avg [by (labels)] (metric{sel})},
 * the same over {@code rate(metric{sel}[window])}, {@code histogram_quantile(q, sum by (le) (rate(...)))}
 * and the ratio of two aggregations with the same grouping. Label matchers: {@code =}; {@code =~} is
 * ignored (the dashboard's only one is the namespace, absent off Kubernetes).
 */
final class DashboardQuery {

    private static final Pattern AGG = Pattern.compile(
            "^(sum|max|avg)(?: by \\(([^)]*)\\))? ?\\((rate\\()?([a-zA-Z_0-9]+)(\\{[^}]*\\})?(?:\\[[^\\]]*\\])?\\)?\\)$");
    private static final Pattern QUANTILE = Pattern.compile("^histogram_quantile\\(([0-9.]+), (.*)\\)$");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]+)(=~?)\"([^\"]*)\"");

    private final List<Scrape> scrapes;
    private final int window;

    /** {@code window}: scrapes a rate spans. */
    DashboardQuery(List<Scrape> scrapes, int window) {
        this.scrapes = scrapes;
        this.window = window;
    }

    /** Series of the expression by label set: for every scrape from the window on, its value (NaN = none). */
    Map<Map<String, String>, double[]> evaluate(String expr) {
        Matcher q = QUANTILE.matcher(expr);
        if (q.matches()) {
            return quantile(Double.parseDouble(q.group(1)), evaluate(q.group(2)));
        }
        int slash = topLevelDivide(expr);
        if (slash > 0) {
            Map<Map<String, String>, double[]> num = evaluate(expr.substring(0, slash).trim());
            Map<Map<String, String>, double[]> den = evaluate(expr.substring(slash + 1).trim());
            Map<Map<String, String>, double[]> out = new LinkedHashMap<>();
            num.forEach((k, a) -> {
                double[] b = den.get(k);
                if (b != null) {
                    double[] r = new double[a.length];
                    for (int i = 0; i < a.length; i++) r[i] = b[i] == 0 ? Double.NaN : a[i] / b[i];
                    out.put(k, r);
                }
            });
            return out;
        }
        Matcher m = AGG.matcher(expr);
        if (!m.matches()) {
            throw new IllegalArgumentException("not in the supported subset: " + expr);
        }
        String agg = m.group(1);
        List<String> by = m.group(2) == null ? List.of() : List.of(m.group(2).split(",\\s*"));
        boolean rate = m.group(3) != null;
        String metric = m.group(4);
        Map<String, String> equal = new HashMap<>();
        if (m.group(5) != null) {
            Matcher s = MATCHER.matcher(m.group(5));
            while (s.find()) {
                if (s.group(2).equals("=")) equal.put(s.group(1), s.group(3));
            }
        }
        int n = scrapes.size();
        Map<Map<String, String>, double[]> sums = new LinkedHashMap<>();
        Map<Map<String, String>, int[]> counts = new HashMap<>();
        for (int i = window; i < n; i++) {
            Map<Map<String, String>, Double> now = values(scrapes.get(i), metric, equal);
            Map<Map<String, String>, Double> before = rate ? values(scrapes.get(i - window), metric, equal) : null;
            double dt = scrapes.get(i).seconds() - scrapes.get(i - window).seconds();
            for (Map.Entry<Map<String, String>, Double> e : now.entrySet()) {
                double v = e.getValue();
                if (rate) {
                    Double b = before.get(e.getKey());
                    double prev = b == null ? 0 : b;
                    v = (v >= prev ? v - prev : v) / dt; // a counter that went down restarted
                }
                Map<String, String> key = new TreeMap<>();
                for (String l : by) key.put(l, e.getKey().getOrDefault(l, ""));
                double[] acc = sums.computeIfAbsent(key, k -> nan(n - window));
                int[] cnt = counts.computeIfAbsent(key, k -> new int[n - window]);
                int j = i - window;
                acc[j] = Double.isNaN(acc[j]) ? v : agg.equals("max") ? Math.max(acc[j], v) : acc[j] + v;
                cnt[j]++;
            }
        }
        if (agg.equals("avg")) {
            sums.forEach((k, a) -> {
                int[] c = counts.get(k);
                for (int j = 0; j < a.length; j++) if (c[j] > 0) a[j] /= c[j];
            });
        }
        return sums;
    }

    /** Seconds since the run began of every point {@link #evaluate} returns. */
    double[] times() {
        double[] t = new double[Math.max(0, scrapes.size() - window)];
        for (int i = window; i < scrapes.size(); i++) t[i - window] = scrapes.get(i).seconds();
        return t;
    }

    private static Map<Map<String, String>, Double> values(Scrape s, String metric, Map<String, String> equal) {
        Map<Map<String, String>, Double> out = new HashMap<>();
        for (Scrape.Sample x : s.samples()) {
            if (x.name().equals(metric) && x.labels().entrySet().containsAll(equal.entrySet())) {
                out.put(x.labels(), x.value());
            }
        }
        return out;
    }

    /** Prometheus' histogram_quantile: linear interpolation inside the bucket holding the rank. */
    private static Map<Map<String, String>, double[]> quantile(double q, Map<Map<String, String>, double[]> buckets) {
        Map<Map<String, String>, TreeMap<Double, double[]>> groups = new LinkedHashMap<>();
        buckets.forEach((k, v) -> {
            Map<String, String> rest = new TreeMap<>(k);
            String le = rest.remove("le");
            groups.computeIfAbsent(rest, r -> new TreeMap<>())
                    .put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), v);
        });
        Map<Map<String, String>, double[]> out = new LinkedHashMap<>();
        groups.forEach((k, byLe) -> {
            int n = byLe.firstEntry().getValue().length;
            double[] r = nan(n);
            for (int j = 0; j < n; j++) {
                double total = byLe.lastEntry().getValue()[j];
                if (!(total > 0)) continue;
                double rank = q * total, lower = 0, below = 0;
                for (Map.Entry<Double, double[]> b : byLe.entrySet()) {
                    double c = b.getValue()[j];
                    if (c >= rank) {
                        r[j] = b.getKey().isInfinite() ? lower
                                : lower + (b.getKey() - lower) * (c == below ? 0 : (rank - below) / (c - below));
                        break;
                    }
                    lower = b.getKey();
                    below = c;
                }
            }
            out.put(k, r);
        });
        return out;
    }

    private static int topLevelDivide(String expr) {
        int depth = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '(' || c == '{' || c == '[') depth++;
            else if (c == ')' || c == '}' || c == ']') depth--;
            else if (c == '/' && depth == 0) return i;
        }
        return -1;
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    /** Grafana's legend: {{label}} replaced by the series' label value. */
    static String legend(String format, Map<String, String> labels) {
        String s = format;
        for (Map.Entry<String, String> e : labels.entrySet()) s = s.replace("{{" + e.getKey() + "}}", e.getValue());
        return s;
    }

    static List<String> names(Map<Map<String, String>, double[]> series) {
        return new ArrayList<>(series.keySet().stream().map(Map::toString).toList());
    }
}
