package io.snapline.benchmarks.checkpoint;

import io.snapline.benchmarks.BenchmarkException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the overhead of the coordinated checkpoint policies on a 2-rank heat stencil with a large state
 * ({@link io.snapline.benchmarks.rank.HeatStencil}) and prints a Markdown report.
 *
 * <p>One invocation: a short {@code none} run calibrates the step count so that a {@code none} run takes about
 * {@code --duration}; then, with that fixed step count, {@code none}, every policy at every interval, and {@code none}
 * again (the two {@code none} runs show how much the machine drifted), each in a fresh JVM with its own store in a
 * new temporary directory under {@code --dir}. After every checkpointing run, one piece's bytes are written with a
 * plain {@code FileChannel} write and {@code force(true)} to the same directory, and encoded with Kryo, timed. The
 * temporary directory is deleted at the end.
 *
 * <p>Run it with {@code bin/snapbench-checkpoint}. Progress goes to standard error, the report to standard output
 * (and to {@code --out}).
 */
public final class CheckpointBenchmark {
    private static final long CALIBRATION_STEPS = 40;

    private CheckpointBenchmark() {
    }

    public static void main(String[] args) {
        CheckpointOptions options;
        try {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                System.out.println(CheckpointOptions.USAGE);
                return;
            }
            options = CheckpointOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("snapbench-checkpoint: " + e.getMessage());
            System.err.println(CheckpointOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            System.out.print(run(options, System.err));
        } catch (BenchmarkException | IOException e) {
            System.err.println("snapbench-checkpoint: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    /** Runs everything and returns the report; writes it to {@code options.out()} too when set. */
    public static String run(CheckpointOptions o, PrintStream progress) throws IOException, InterruptedException {
        double loadBefore = loadAverage();
        long started = System.nanoTime();
        Files.createDirectories(o.dir());
        Path work = Files.createTempDirectory(o.dir(), "snapbench-checkpoint-");
        List<JobOutcome> runs = new ArrayList<>();
        List<WriteBaseline.Sample> baselines = new ArrayList<>();
        long steps;
        try {
            steps = o.steps() > 0 ? o.steps() : calibrate(o, work, progress);
            runs.add(timed(o, "none", null, steps, work, progress));
            for (String policy : o.policies()) {
                for (String interval : o.intervals()) {
                    JobOutcome r = timed(o, policy, interval, steps, work, progress);
                    runs.add(r);
                    if (!r.checkpoints().isEmpty()) {
                        WriteBaseline.Sample s = WriteBaseline.measure(work, r.meanBytes() / HeatJob.RANKS);
                        progress.printf(Locale.ROOT, "  baseline: write+fsync of %d bytes %.0f ms, Kryo encode %.0f ms%n",
                                s.bytes(), s.writeNanos() / 1e6, s.encodeNanos() / 1e6);
                        baselines.add(s);
                    }
                }
            }
            runs.add(timed(o, "none", null, steps, work, progress));
        } finally {
            HeatJob.deleteTree(work);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String report = header(o, steps, runs.get(0), loadBefore, loadAverage(), seconds)
                + CheckpointTable.runs(runs, baselines) + "\n"
                + CheckpointTable.baselines(baselines) + "\n"
                + CheckpointTable.checksums(runs) + "\n";
        if (o.out() != null) {
            Path parent = o.out().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(o.out(), report, StandardCharsets.UTF_8);
            progress.println("report written to " + o.out());
        }
        return report;
    }

    /**
     * Steps that make a {@code none} run's step loop last about {@code --duration}, from the time per step of the
     * second half of a short run (the first steps run in the interpreter and would make the estimate too low).
     */
    private static long calibrate(CheckpointOptions o, Path work, PrintStream progress)
            throws IOException, InterruptedException {
        progress.println("calibrating: " + CALIBRATION_STEPS + " steps under --checkpoint none");
        JobOutcome c = HeatJob.run(o, "none", null, CALIBRATION_STEPS, work, progress);
        double perStep = c.tailNanosPerStep();
        long steps = Math.max(CALIBRATION_STEPS, Math.round(o.duration().toNanos() / perStep));
        progress.printf(Locale.ROOT, "  %.1f ms per step: %d steps for about %d s%n", perStep / 1e6, steps,
                o.duration().toSeconds());
        return steps;
    }

    private static JobOutcome timed(CheckpointOptions o, String policy, String interval, long steps, Path work,
            PrintStream progress) throws IOException, InterruptedException {
        progress.println("running " + policy + (interval == null ? "" : " --interval " + interval) + ", " + steps
                + " steps");
        JobOutcome r = HeatJob.run(o, policy, interval, steps, work, progress);
        progress.printf(Locale.ROOT, "  wall %.1f s, %d checkpoints, checksum %s%n", r.wallNanos() / 1e9,
                r.checkpoints().size(), r.checksum());
        return r;
    }

    private static String header(CheckpointOptions o, long steps, JobOutcome first, double loadBefore,
            double loadAfter, double seconds) {
        return "Snapline checkpoint overhead: heat stencil, " + HeatJob.RANKS + " ranks on shm, "
                + CheckpointTable.size(first.stateBytes()) + " of state per rank\n\n"
                + "- when: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
                + "- machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.vm.version") + "; job JVM "
                + "options " + String.join(" ", o.jvmOpts()) + "; stores under " + o.dir().toAbsolutePath() + "\n"
                + String.format(Locale.ROOT, "- load average (1 min): %.2f before, %.2f after; all runs took %.0f s%n",
                        loadBefore, loadAfter, seconds)
                + "- " + steps + " steps per run; runs in the order of the table, one each, in a fresh JVM each\n"
                + "- overhead is against the mean wall time of the two none runs; blocking per checkpoint is the "
                + "longest any rank was held back, averaged over the run's checkpoints (max: the longest); blocked share is "
                + "the sum of it over the run ÷ wall time\n\n";
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
