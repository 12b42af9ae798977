package io.snapline.benchmarks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapline.benchmarks.JobJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one trial as {@code bin/snaprun} would: the launcher in a fresh JVM (this JVM's class path, which holds the
 * runtime and the policies), the cell's flags, a store and a run report in a directory of its own under
 * {@code work}. Keeps the run report as {@code runs/CELL-REP.json} in the report directory; the store is deleted.
 */
final class JobRunner implements Bench.Runner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work;
    private final Path runs;
    private final String interval;
    private final Duration timeout;
    private final List<String> jvmOptions;
    private final List<Cell> cells;
    private final CurrentJob job;

    JobRunner(Path work, Path runs, String interval, Duration timeout, List<String> jvmOptions,
            List<Cell> cells, CurrentJob job) {
        this.job = job;
        this.work = work;
        this.runs = runs;
        this.interval = interval;
        this.timeout = timeout;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.cells = List.copyOf(cells);
    }

    /** The launcher's command for {@code cell}: its JVM, then {@link Cell#launcherArgs} for {@code dir}. */
    List<String> command(Cell cell, Path dir) {
        List<String> cmd = new ArrayList<>(JobJvm.launcherCommand(jvmOptions));
        cmd.addAll(cell.launcherArgs(interval, dir));
        return cmd;
    }

    @Override
    public RunResult run(Matrix.Trial trial) throws IOException, InterruptedException {
        Cell cell = trial.cell();
        String id = "cell" + (cells.indexOf(cell) + 1) + "-run" + trial.repetition();
        Path dir = Files.createDirectories(work.resolve(id));
        Path report = Cell.reportIn(dir);
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        List<String> cmd = command(cell, dir);
        Process p = job.start(new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()));
        boolean ended;
        try {
            ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            job.stop(p); // whatever of it is left, waited for: the next run starts on a quiet machine
        }
        if (!ended) {
            return RunResult.failed(cell, trial.repetition(), "did not end within --run-timeout ("
                    + timeout.toMillis() + " ms); stopped", lines(out));
        }
        List<String> stdout = lines(out);
        if (Files.exists(report)) {
            Files.copy(report, runs.resolve(id + ".json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (p.exitValue() != 0) {
            Files.copy(err, runs.resolve(id + ".stderr.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return RunResult.failed(cell, trial.repetition(), "exit status " + p.exitValue() + ": "
                    + lastLine(err) + " (stderr in runs/" + id + ".stderr.txt)", stdout);
        }
        if (!Files.exists(report)) {
            return RunResult.failed(cell, trial.repetition(), "the launcher wrote no run report", stdout);
        }
        RunResult r;
        try {
            r = RunResult.of(cell, trial.repetition(), JSON.readTree(report.toFile()), stdout);
        } catch (IOException | IllegalArgumentException e) {
            return RunResult.failed(cell, trial.repetition(), "unreadable run report runs/" + id + ".json: "
                    + e.getMessage(), stdout);
        }
        Files.writeString(runs.resolve(id + ".stdout.txt"), String.join("\n", stdout) + "\n", StandardCharsets.UTF_8);
        Bench.deleteTree(dir);
        return r;
    }

    private static List<String> lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readString(file, StandardCharsets.UTF_8).lines().toList();
    }

    private static String lastLine(Path file) throws IOException {
        List<String> l = lines(file);
        for (int i = l.size() - 1; i >= 0; i--) {
            if (!l.get(i).isBlank()) {
                return l.get(i).trim();
            }
        }
        return "(no output on stderr)";
    }
}
