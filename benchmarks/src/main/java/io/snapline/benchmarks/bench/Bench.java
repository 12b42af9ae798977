package io.snapline.benchmarks.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Runs a matrix's trials in their interleaved order, with progress on a stream, and collects the results. */
final class Bench {
    /** Runs one trial. */
    interface Runner {
        RunResult run(Matrix.Trial trial) throws IOException, InterruptedException;
    }

    private Bench() {
    }

    /** Hears of each run as it ends. */
    interface Listener {
        void ended(RunResult result) throws IOException;
    }

    /**
     * Runs every trial of {@link Matrix#schedule()} with {@code runner}; before each, prints the cell, n of m and the
     * time left (estimated from the mean time of the trials so far) to {@code progress}, after it the outcome, and
     * tells {@code listener}.
     */
    static List<RunResult> run(Matrix matrix, Runner runner, PrintStream progress, Listener listener)
            throws IOException, InterruptedException {
        List<Matrix.Trial> order = matrix.schedule();
        List<RunResult> results = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < order.size(); i++) {
            Matrix.Trial t = order.get(i);
            String left = i == 0 ? "time left unknown"
                    : "about " + duration((System.nanoTime() - start) / i * (order.size() - i)) + " left";
            progress.printf(Locale.ROOT, "[%d/%d] %s · run %d of %d · %s%n", i + 1, order.size(), t.cell().label(),
                    t.repetition(), matrix.repeat(), left);
            RunResult r = runner.run(t);
            progress.println(r.completed() ? String.format(Locale.ROOT, "        wall %.2f s, %d checkpoint(s)%s",
                    r.wallNanos() / 1e9, r.checkpoints(), r.restarts() == 0 ? "" : ", " + r.restarts() + " restart(s)")
                    : "        FAILED: " + r.reason());
            results.add(r);
            listener.ended(r);
        }
        progress.printf(Locale.ROOT, "%d runs in %s%n", order.size(), duration(System.nanoTime() - start));
        return results;
    }

    static String duration(long nanos) {
        long s = Math.round(nanos / 1e9);
        return s < 60 ? s + " s" : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
