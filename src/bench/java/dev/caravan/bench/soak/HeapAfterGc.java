package dev.caravan.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap a JVM keeps after each collection, read from its unified GC log ({@code -Xlog:gc:file=F:uptime}),
 * e.g. {@code [12.345s] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 412M->118M(1024M) 9.876ms}.
 * Used heap sampled from outside mixes live data with garbage not yet collected; the lowest after-GC
 * heap of each minute is the live floor, and a floor that keeps rising is a leak.
 */
final class HeapAfterGc {

    private static final Pattern PAUSE = Pattern.compile("^\\[([0-9.]+)s].*GC\\(\\d+\\) Pause .*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    /** Per minute of the gateway's uptime: the lowest and highest after-GC heap, MiB, and how many GCs. */
    record Minute(int minute, long floorMiB, long peakMiB, int collections) { }

    private final List<Minute> minutes;

    private HeapAfterGc(List<Minute> minutes) { this.minutes = minutes; }

    static HeapAfterGc read(Path log) throws IOException {
        return parse(Files.exists(log) ? Files.readAllLines(log) : List.of());
    }

    static HeapAfterGc parse(List<String> lines) {
        TreeMap<Integer, long[]> byMinute = new TreeMap<>();
        for (String line : lines) {
            Matcher m = PAUSE.matcher(line);
            if (!m.find()) continue;
            int minute = (int) (Double.parseDouble(m.group(1)) / 60);
            long after = Long.parseLong(m.group(3));
            long[] v = byMinute.computeIfAbsent(minute, k -> new long[] {Long.MAX_VALUE, 0, 0});
            v[0] = Math.min(v[0], after);
            v[1] = Math.max(v[1], after);
            v[2]++;
        }
        List<Minute> out = new ArrayList<>();
        byMinute.forEach((minute, v) -> out.add(new Minute(minute, v[0], v[1], (int) v[2])));
        return new HeapAfterGc(out);
    }

    List<Minute> minutes() { return minutes; }

    /**
     * Least-squares slope of the per-minute floors, MiB per minute, leaving out the first fifth of the
     * minutes (at least the first one: start-up and warm-up); NaN with fewer than three left.
     */
    double floorSlopeMiBPerMinute() {
        int skip = Math.max(1, minutes.size() / 5);
        List<Minute> m = minutes.subList(Math.min(skip, minutes.size()), minutes.size());
        if (m.size() < 3) return Double.NaN;
        double n = m.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (Minute x : m) {
            sx += x.minute();
            sy += x.floorMiB();
            sxx += (double) x.minute() * x.minute();
            sxy += (double) x.minute() * x.floorMiB();
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    String markdown(long wallSeconds) {
        if (minutes.isEmpty()) return "Heap after GC: no GC log lines found.\n";
        StringBuilder b = new StringBuilder("Gateway heap after GC (its GC log), per minute of its uptime"
                + " (start-up included; the run itself lasted " + wallSeconds + " s):\n\n| minute | floor MiB | peak MiB | GCs |\n|---:|---:|---:|---:|\n");
        for (Minute m : minutes) {
            b.append("| ").append(m.minute()).append(" | ").append(m.floorMiB()).append(" | ").append(m.peakMiB())
                    .append(" | ").append(m.collections()).append(" |\n");
        }
        double slope = floorSlopeMiBPerMinute();
        b.append("\nTrend of the floor after warm-up: ")
                .append(Double.isNaN(slope) ? "too few minutes to tell" : String.format("%+.1f MiB per minute", slope)).append('\n');
        return b.toString();
    }
}
