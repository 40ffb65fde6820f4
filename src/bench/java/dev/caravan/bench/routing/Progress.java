package dev.caravan.bench.routing;

import java.io.PrintStream;

/** Prints a progress line every few seconds while a workload runs under one policy. */
final class Progress implements AutoCloseable {

    private final Thread thread;
    private volatile boolean stop;

    Progress(PrintStream out, String label, HttpDriver driver, int expected, long everyMs) {
        long t0 = System.nanoTime();
        thread = new Thread(() -> {
            while (!stop) {
                try {
                    Thread.sleep(everyMs);
                } catch (InterruptedException e) {
                    return;
                }
                out.printf("  %-40s %5d/%d done, %4d in flight, %d failed, %.0fs%n", label, driver.done.get(),
                        expected, driver.inFlight(), driver.failed.get(), (System.nanoTime() - t0) / 1e9);
            }
        }, "bench-progress");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
