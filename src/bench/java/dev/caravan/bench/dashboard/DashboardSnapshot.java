package dev.caravan.bench.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import dev.caravan.simulator.SimulatedEngine;
import dev.caravan.engines.EmbeddedSimulatedEngines;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Draws the shipped Grafana dashboard's panels on sample data, for the docs, where Grafana cannot be
 * installed: starts a gateway with 4 simulated engines, drives workflows, plain requests and agent
 * messages through it for a few minutes (with an engine failing for a while and a burst that fills the
 * admission queue), reads /actuator/prometheus every 5 s, evaluates every panel's queries over those
 * reads ({@link DashboardQuery}) and writes one PNG of all panels.
 *
 * <pre>
 * mvn -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:exec -Dexec.executable=java \
 *   -Dexec.classpathScope=test "-Dexec.args=-Djava.awt.headless=true -cp %classpath \
 *   dev.caravan.bench.dashboard.DashboardSnapshot docs/img/grafana-dashboard-sample.png 180"
 * </pre>
 */
public final class DashboardSnapshot {

    private static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private URI api;
    private URI management;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/grafana-dashboard-sample.png");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 180;
        new DashboardSnapshot().run(out, seconds);
        System.exit(0);
    }

    void run(Path out, int seconds) throws Exception {
        String[] props = {"--server.port=0", "--management.server.port=0", "--spring.main.banner-mode=off",
                "--logging.level.root=WARN", "--logging.level.caravan.request=WARN", "--caravan.simulator.engines=4",
                "--caravan.routing.admission.queue-size=16", "--caravan.routing.admission.max-wait=1s",
                // saturated at 24 in flight per engine (default 64), so the burst below reaches the admission queue
                "--caravan.routing.saturation-per-engine=24",
                "--caravan.messaging.metrics.refresh=5s", "--camel.main.routes-reload-enabled=false"};
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(CaravanApplication.class)
                .web(WebApplicationType.SERVLET).run(props)) {
            api = URI.create("http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port"));
            management = URI.create("http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.management.port"));
            List<SimulatedEngine> sims = ctx.getBean(EmbeddedSimulatedEngines.class).simulators();
            List<Scrape> scrapes = drive(sims, seconds);
            draw(scrapes, out);
        }
    }

    private List<Scrape> drive(List<SimulatedEngine> sims, int seconds) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newCachedThreadPool();
        List<CompletableFuture<?>> loops = new ArrayList<>();
        for (int agent = 0; agent < 6; agent++) loops.add(CompletableFuture.runAsync(() -> workflows(running), pool));
        for (int i = 0; i < 2; i++) loops.add(CompletableFuture.runAsync(() -> plain(running), pool));
        loops.add(CompletableFuture.runAsync(() -> messages(running), pool));
        List<Scrape> scrapes = new ArrayList<>();
        long start = System.nanoTime();
        boolean burst = false;
        for (int tick = 0; tick * 5 <= seconds; tick++) {
            long due = start + tick * 5_000_000_000L;
            Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
            double t = (System.nanoTime() - start) / 1e9;
            if (tick == seconds / 5 / 3) sims.get(1).faults().failureRate(0.5);   // a sick engine for a while
            if (tick == seconds / 5 / 2) sims.get(1).faults().reset();
            if (!burst && tick >= seconds * 2 / 3 / 5) {                        // a burst beyond capacity: 429s
                burst = true;
                for (int i = 0; i < 160; i++) CompletableFuture.runAsync(this::longPlain, pool);
            }
            scrapes.add(Scrape.parse(t, get(management.resolve("/actuator/prometheus"))));
        }
        running.set(false);
        pool.shutdownNow();
        return scrapes;
    }

    private void workflows(AtomicBoolean running) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (running.get()) {
            String wf = "sample-" + Long.toHexString(r.nextLong());
            String context = words("context-" + wf, 600);
            chat(context + " Plan the work.", wf, "planner", 32);
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int n = w;
                workers.add(CompletableFuture.runAsync(() -> chat(context + " Do part " + n + ".", wf, "worker", 48)));
            }
            workers.forEach(CompletableFuture::join);
            chat(context + " Review the parts.", wf, "critic", 32);
        }
    }

    private void plain(AtomicBoolean running) {
        while (running.get()) {
            chat(words("plain question " + ThreadLocalRandom.current().nextInt(50), 200), null, null, 24);
        }
    }

    private void longPlain() {
        chat(words("burst " + ThreadLocalRandom.current().nextInt(), 400), null, null, 400);
    }

    private void messages(AtomicBoolean running) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (running.get()) {
            try {
                String wf = "sample-msgs-" + r.nextInt(5);
                post("/v1/workflows/" + wf + "/messages", "{\"source_agent\":\"planner\",\"target_agent\":\"worker-"
                        + r.nextInt(4) + "\",\"payload\":{\"step\":" + r.nextInt(100) + "}}");
                if (r.nextInt(3) == 0) {
                    get(api.resolve("/v1/workflows/" + wf + "/agents/worker-" + r.nextInt(4) + "/messages?timeout=0"));
                }
                Thread.sleep(50);
            } catch (Exception e) {
                return;
            }
        }
    }

    private void chat(String prompt, String workflow, String agent, int maxTokens) {
        String meta = workflow == null ? ""
                : ",\"workflow_metadata\":{\"workflow_id\":\"" + workflow + "\",\"agent_id\":\"" + agent + "\"}";
        try {
            post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"stream\":true,\"max_tokens\":" + maxTokens
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]" + meta + "}");
        } catch (Exception e) {
            // refused (429), failed (502) or interrupted at the end: what the dashboard is meant to show
        }
    }

    private String post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String words(String seed, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(seed).append(i % 89).append(' ');
        return sb.toString();
    }

    private static int countSeries(DashboardQuery query, JsonNode panel) {
        int n = 0;
        for (JsonNode target : panel.get("targets")) n += query.evaluate(target.get("expr").asText()).size();
        return n;
    }

    private static void draw(List<Scrape> scrapes, Path out) throws Exception {
        JsonNode dashboard = JSON.readTree(Files.readString(Path.of("docs", "grafana", "caravan.json")));
        DashboardQuery query = new DashboardQuery(scrapes, 6); // rate over 30 s
        double[] t = query.times();
        int w = 560, h = 300, cols = 3;
        List<JFreeChart> charts = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            XYSeriesCollection data = new XYSeriesCollection();
            boolean percent = "percentunit".equals(panel.at("/fieldConfig/defaults/unit").asText());
            for (JsonNode target : panel.get("targets")) {
                for (Map.Entry<Map<String, String>, double[]> s : query.evaluate(target.get("expr").asText()).entrySet()) {
                    String name = DashboardQuery.legend(target.get("legendFormat").asText(), s.getKey());
                    XYSeries xy = new XYSeries(name, false, true);
                    double[] v = s.getValue();
                    for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i])) xy.add(t[i], percent ? v[i] * 100 : v[i]);
                    // a panel of many series (errors per engine and kind) shows those that moved
                    boolean flat = xy.isEmpty() || (xy.getMaxY() == 0 && xy.getMinY() == 0);
                    if (!xy.isEmpty() && data.getSeriesIndex(name) < 0 && !(flat && s.getValue().length > 0
                            && panel.get("targets").size() * 4 < countSeries(query, panel))) data.addSeries(xy);
                }
            }
            String unit = switch (panel.at("/fieldConfig/defaults/unit").asText()) {
                case "reqps" -> "req/s";
                case "ops" -> "msg/s";
                case "s" -> "seconds";
                case "percentunit" -> "%";
                default -> "";
            };
            JFreeChart c = ChartFactory.createXYLineChart(panel.get("title").asText(), "seconds into the run", unit,
                    data, PlotOrientation.VERTICAL, true, false, false);
            c.getTitle().setFont(new Font("SansSerif", Font.BOLD, 13));
            XYPlot plot = c.getXYPlot();
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            for (int i = 0; i < data.getSeriesCount(); i++) plot.getRenderer().setSeriesStroke(i, new BasicStroke(1.6f));
            charts.add(c);
        }
        int rows = (charts.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * w, rows * h + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font("SansSerif", Font.BOLD, 18));
        g.drawString("docs/grafana/caravan.json on sample traffic: 4 simulated engines; from 1/3 to 1/2 of the run one"
                + " fails half its requests; at 2/3 a burst beyond capacity", 12, 27);
        for (int i = 0; i < charts.size(); i++) {
            g.drawImage(charts.get(i).createBufferedImage(w, h), (i % cols) * w, 40 + (i / cols) * h, null);
        }
        g.dispose();
        Files.createDirectories(out.toAbsolutePath().getParent());
        ImageIO.write(img, "png", out.toFile());
        System.out.println("wrote " + out + " from " + scrapes.size() + " scrapes");
    }
}
