package io.snapline.benchmarks.bench;

import io.snapline.benchmarks.MarkdownTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of a bench: one {@link CellSummary} per cell, as Markdown ({@code report.md}), CSV ({@code report.csv})
 * and SVG plots ({@code overhead.svg}, {@code time.svg}, {@code storage.svg}, and {@code recovery.svg} when failures
 * were injected).
 */
public final class BenchReport {
    /** The CSV columns, in order. */
    static final List<String> CSV_COLUMNS = List.of("program", "args", "policy", "options", "ranks", "device",
            "failure", "runs", "completed", "mismatched", "unverified", "output", "wall_median_s", "wall_min_s",
            "wall_max_s", "overhead_ratio", "blocked_median_s", "checkpoints", "bytes_written", "bytes_per_rank_checkpoint",
            "log_peak_bytes", "restarts", "restart_s_per_failure", "lost_s_per_failure", "status");

    private final List<CellSummary> rows;
    private final List<String> setup;

    BenchReport(List<CellSummary> rows, List<String> setup) {
        this.rows = List.copyOf(rows);
        this.setup = List.copyOf(setup);
    }

    /** Summarises {@code results} cell by cell, in the matrix's order. */
    static BenchReport of(Matrix matrix, List<RunResult> results, List<String> setup) {
        Map<Cell, List<RunResult>> byCell = new LinkedHashMap<>();
        for (Cell c : matrix.cells()) {
            byCell.put(c, new ArrayList<>());
        }
        for (RunResult r : results) {
            byCell.computeIfAbsent(r.cell(), c -> new ArrayList<>()).add(r);
        }
        List<CellSummary> rows = new ArrayList<>();
        for (var e : byCell.entrySet()) {
            Cell c = e.getKey();
            List<RunResult> reference = byCell.getOrDefault(c.baseline(), List.of());
            List<RunResult> noFailure = c.failure() == null ? null : byCell.get(c.withoutFailure());
            rows.add(CellSummary.of(c, e.getValue(), reference, noFailure));
        }
        return new BenchReport(rows, setup);
    }

    public List<CellSummary> rows() {
        return rows;
    }

    /** Whether every run completed with the reference's output, checked against it. */
    boolean allGood() {
        return rows.stream().allMatch(r -> r.status().equals("ok"));
    }

    String markdown() {
        StringBuilder s = new StringBuilder("# Snapline bench\n\n");
        for (String line : setup) {
            s.append("- ").append(line).append('\n');
        }
        s.append("- wall time: median of the runs that completed with the reference's output (min–max); overhead: "
                + "that median over the median of `none` on the same program, ranks and device, in this bench; "
                + "blocked: time the ranks were held back by checkpoints; written: bytes the checkpoints put in the "
                + "store; log peak: the message logs' peak, summed over the ranks; restart: detection of a failure "
                + "to the restarted ranks running (launcher's report); lost: the wall time a failure added, against "
                + "the same cell without it; output: stdout compared line by line with `none`'s; a run is "
                + "unverified, and left out, when `none`'s runs disagree or none of them completed\n\n");
        MarkdownTable t = new MarkdownTable("Program", "Policy", "Options", "Ranks", "Device", "Failure", "Runs ok",
                "Wall (min–max)", "Overhead", "Blocked", "Checkpoints", "Written", "Per rank checkpoint", "Log peak",
                "Restart", "Lost", "Output", "Status");
        for (CellSummary r : rows) {
            Cell c = r.cell();
            long[] w = r.wall();
            t.row(c.program().label(), c.policy().name(), c.optionsLabel(), Integer.toString(c.ranks()), c.device(),
                    c.failure() == null ? "-" : c.failure(),
                    (r.completed() - r.mismatched() - r.unverified()) + "/" + r.runs(),
                    w.length == 0 ? "-" : seconds(r.wallMedian()) + " (" + seconds(w[0]) + "–"
                            + seconds(w[w.length - 1]) + ")",
                    Double.isNaN(r.overhead()) ? "-" : String.format(Locale.ROOT, "%.2f×", r.overhead()),
                    r.blockedNanos() < 0 ? "-" : millis(r.blockedNanos()),
                    r.checkpoints() < 0 ? "-" : Long.toString(r.checkpoints()),
                    r.bytesWritten() < 0 ? "-" : size(r.bytesWritten()),
                    r.perRankCheckpoint() < 0 ? "-" : size(r.perRankCheckpoint()),
                    r.logPeakBytes() < 0 ? "-" : size(r.logPeakBytes()),
                    r.restartNanos() < 0 ? "-" : millis(r.restartNanos()),
                    r.lostNanos() == CellSummary.NONE ? "-" : millis(r.lostNanos()),
                    r.output().toString(), r.status());
        }
        s.append(t.render());
        List<String> problems = new ArrayList<>();
        for (CellSummary r : rows) {
            if (r.firstDiff() != null) {
                problems.add(r.cell().label() + ": output differs from none's, " + r.firstDiff());
            }
            if (r.failure() != null) {
                problems.add(r.cell().label() + ": " + r.failure());
            }
            if (r.unverified() > 0) {
                problems.add(r.cell().label() + ": " + r.unverified() + " completed run(s) unverified, "
                        + (r.output() == CellSummary.Output.VARIES ? "none's runs printed different outputs"
                                : "no none run completed") + ", so there was nothing to check their output against");
            }
        }
        if (!problems.isEmpty()) {
            s.append("\n## Runs that failed, printed something else or could not be checked (not in the figures)\n\n");
            for (String p : problems) {
                s.append("- ").append(p).append('\n');
            }
        }
        return s.toString();
    }

    String csv() {
        StringBuilder s = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (CellSummary r : rows) {
            Cell c = r.cell();
            long[] w = r.wall();
            List<String> v = List.of(c.program().name(), String.join(" ", c.program().args()), c.policy().name(),
                    String.join(" ", c.options()), Integer.toString(c.ranks()), c.device(),
                    c.failure() == null ? "" : c.failure(), Integer.toString(r.runs()),
                    Integer.toString(r.completed()), Integer.toString(r.mismatched()),
                    Integer.toString(r.unverified()), r.output().name().toLowerCase(
                            Locale.ROOT), w.length == 0 ? "" : secondsCsv(r.wallMedian()),
                    w.length == 0 ? "" : secondsCsv(w[0]), w.length == 0 ? "" : secondsCsv(w[w.length - 1]),
                    Double.isNaN(r.overhead()) ? "" : String.format(Locale.ROOT, "%.4f", r.overhead()),
                    r.blockedNanos() < 0 ? "" : secondsCsv(r.blockedNanos()), number(r.checkpoints()),
                    number(r.bytesWritten()), number(r.perRankCheckpoint()),
                    number(r.logPeakBytes()), Integer.toString(r.restarts()),
                    r.restartNanos() < 0 ? "" : secondsCsv(r.restartNanos()),
                    r.lostNanos() == CellSummary.NONE ? "" : secondsCsv(r.lostNanos()), r.status());
            s.append(csvLine(v));
        }
        return s.toString();
    }

    /** {@code fields} as a CSV line: a field with a comma, quote or line break in double quotes. */
    static String csvLine(List<String> fields) {
        List<String> quoted = new ArrayList<>();
        for (String x : fields) {
            quoted.add(x.contains(",") || x.contains("\"") || x.contains("\n")
                    ? "\"" + x.replace("\"", "\"\"") + "\"" : x);
        }
        return String.join(",", quoted) + "\n";
    }

    /** Overhead of each failure-free cell against {@code none}, in percent, grouped by program, ranks and device. */
    String overheadPlot() {
        BarChart chart = new BarChart("Overhead against --checkpoint none (failure-free runs)",
                "median wall time over none's, minus 1, in percent; same program, ranks and device");
        plotByGroup(chart, r -> r.cell().failure() == null && !r.cell().policy().isNone() && !Double.isNaN(r.overhead()),
                r -> 100 * (r.overhead() - 1), r -> String.format(Locale.ROOT, "%+.1f %%", 100 * (r.overhead() - 1)));
        return chart.isEmpty() ? null : chart.render();
    }

    /** Where the wall time of each failure-free cell went: held back by checkpoints, and the rest, in seconds. */
    String timePlot() {
        BarChart chart = new BarChart("Where the wall time went (failure-free runs)", "median run, seconds: the ranks "
                + "held back by checkpoints, and the rest (computing, messaging, logging, start and end)",
                List.of("running", "held back by checkpoints"));
        Map<String, List<CellSummary>> groups = groups(r -> r.cell().failure() == null && r.wall().length > 0);
        for (var g : groups.entrySet()) {
            chart.group(g.getKey());
            for (CellSummary r : g.getValue()) {
                double wall = r.wallMedian() / 1e9;
                double blocked = Math.min(wall, Math.max(0, r.blockedNanos()) / 1e9);
                chart.stacked(barLabel(r.cell()), new double[] {wall - blocked, blocked},
                        String.format(Locale.ROOT, "%.2f s (%.2f s held back)", wall, blocked));
            }
        }
        return chart.isEmpty() ? null : chart.render();
    }

    /** Bytes written per rank and checkpoint of each failure-free cell that checkpointed, in MiB. */
    String storagePlot() {
        BarChart chart = new BarChart("Storage per rank and checkpoint", "bytes written ÷ ranks' states committed "
                + "(median run), MiB; a global checkpoint holds one per rank, a local checkpoint of independent one");
        plotByGroup(chart, r -> r.cell().failure() == null && r.perRankCheckpoint() > 0,
                r -> r.perRankCheckpoint() / (double) (1 << 20), r -> size(r.perRankCheckpoint()));
        return chart.isEmpty() ? null : chart.render();
    }

    /** Wall time a failure added, per failure, for each cell with an injected failure that recovered. */
    String recoveryPlot() {
        BarChart chart = new BarChart("Time a failure cost", "wall time over the same cell without the failure, per "
                + "failure, in ms (median runs)");
        plotByGroup(chart, r -> r.lostNanos() != CellSummary.NONE, r -> r.lostNanos() / 1e6, r -> millis(r.lostNanos()));
        return chart.isEmpty() ? null : chart.render();
    }

    private void plotByGroup(BarChart chart, java.util.function.Predicate<CellSummary> which,
            java.util.function.ToDoubleFunction<CellSummary> value,
            java.util.function.Function<CellSummary, String> shown) {
        for (var g : groups(which).entrySet()) {
            chart.group(g.getKey());
            for (CellSummary r : g.getValue()) {
                chart.bar(barLabel(r.cell()), value.applyAsDouble(r), shown.apply(r), r.cell().policy().name());
            }
        }
    }

    /** The rows {@code which} takes, by program, ranks and device. */
    private Map<String, List<CellSummary>> groups(java.util.function.Predicate<CellSummary> which) {
        Map<String, List<CellSummary>> groups = new LinkedHashMap<>();
        for (CellSummary r : rows) {
            if (which.test(r)) {
                Cell c = r.cell();
                groups.computeIfAbsent(c.program().label() + ", " + c.ranks() + " ranks, " + c.device(),
                        k -> new ArrayList<>()).add(r);
            }
        }
        return groups;
    }

    /** {@code coordinated --async · rank=1,point=5}: the policy, its options and the failure. */
    private static String barLabel(Cell c) {
        return c.policy().name() + (c.options().isEmpty() ? "" : " " + String.join(" ", c.options()))
                + (c.failure() == null ? "" : " · " + c.failure());
    }

    /** Writes {@code report.md}, {@code report.csv} and the plots to {@code dir}; returns the files written. */
    List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        written.add(write(dir.resolve("report.md"), markdown()));
        written.add(write(dir.resolve("report.csv"), csv()));
        for (var plot : List.of(Map.entry("overhead.svg", nullable(overheadPlot())),
                Map.entry("time.svg", nullable(timePlot())), Map.entry("storage.svg", nullable(storagePlot())),
                Map.entry("recovery.svg", nullable(recoveryPlot())))) {
            if (!plot.getValue().isEmpty()) {
                written.add(write(dir.resolve(plot.getKey()), plot.getValue()));
            }
        }
        return written;
    }

    private static String nullable(String s) {
        return s == null ? "" : s;
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String number(long v) {
        return v < 0 ? "" : Long.toString(v);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    static String secondsCsv(long nanos) {
        return String.format(Locale.ROOT, "%.4f", nanos / 1e9);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    static String size(long bytes) {
        return io.snapline.runtime.checkpoint.RunReport.size(bytes);
    }
}
