package io.snapline.benchmarks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code runs.csv}: one line per run, appended as soon as the run ends, so that a bench stopped half way keeps what
 * it measured. The figures are the run report's, unsummarised; {@code output} says whether the run printed what the
 * first completed run of its reference printed ({@code unknown} until that run has ended).
 */
final class RunLog {
    /** The columns, in order. */
    static final List<String> COLUMNS = List.of("cell", "program", "args", "policy", "options", "ranks", "device",
            "failure", "run", "completed", "output", "wall_s", "blocked_s", "checkpoints", "bytes_written",
            "log_peak_bytes", "restarts", "restart_s", "reason");

    private final Path file;
    private final List<Cell> cells;
    private final java.util.Map<Cell, List<String>> referenceOutput = new java.util.HashMap<>();

    /** Starts {@code file} afresh with the header line. */
    RunLog(Path file, List<Cell> cells) throws IOException {
        this.file = file;
        this.cells = List.copyOf(cells);
        Files.writeString(file, BenchReport.csvLine(COLUMNS), StandardCharsets.UTF_8);
    }

    void append(RunResult r) throws IOException {
        Cell c = r.cell();
        if (c.isBaseline() && r.completed()) {
            referenceOutput.putIfAbsent(c, r.stdout());
        }
        List<String> expected = referenceOutput.get(c.baseline());
        String output = !r.completed() || expected == null ? "unknown"
                : r.stdout().equals(expected) ? "matched" : "mismatch";
        List<String> fields = List.of(Integer.toString(cells.indexOf(c) + 1), c.program().name(),
                String.join(" ", c.program().args()), c.policy().name(), String.join(" ", c.options()),
                Integer.toString(c.ranks()), c.device(), c.failure() == null ? "" : c.failure(),
                Integer.toString(r.repetition()), Boolean.toString(r.completed()), output,
                r.completed() ? BenchReport.secondsCsv(r.wallNanos()) : "",
                r.completed() ? BenchReport.secondsCsv(r.blockedNanos()) : "",
                r.completed() ? Long.toString(r.checkpoints()) : "", r.completed() ? Long.toString(r.bytesWritten()) : "",
                r.logPeakBytes() < 0 ? "" : Long.toString(r.logPeakBytes()), Integer.toString(r.restarts()),
                r.restarts() == 0 ? "" : BenchReport.secondsCsv(r.restartNanos()),
                r.reason() == null ? "" : r.reason());
        Files.writeString(file, BenchReport.csvLine(fields), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
