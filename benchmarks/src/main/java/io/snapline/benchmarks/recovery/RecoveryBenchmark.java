package io.snapline.benchmarks.recovery;

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
import java.util.concurrent.TimeUnit;

/**
 * Measures the recovery planner ({@code io.snapline.recovery.RecoveryAnalyzer}) on synthetic histories of several
 * sizes and prints a Markdown report; optionally writes a plot of time against messages as SVG.
 *
 * <p>Each size runs in a child JVM ({@link RecoveryScaleRun}) with {@code -Xmx} from the options and the parallel
 * collector: a size that finishes fits in that heap. Run it with {@code bin/snapbench-recovery}. Progress goes to
 * standard error, the report to standard output (and to {@code --out}).
 */
public final class RecoveryBenchmark {
    private static final long CHILD_LIMIT_SECONDS = 900;

    private RecoveryBenchmark() {
    }

    public static void main(String[] args) {
        RecoveryOptions options;
        try {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                System.out.println(RecoveryOptions.USAGE);
                return;
            }
            options = RecoveryOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("snapbench-recovery: " + e.getMessage());
            System.err.println(RecoveryOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            System.out.print(run(options, System.err));
        } catch (BenchmarkException | IOException e) {
            System.err.println("snapbench-recovery: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    /** Measures every size and returns the report; writes it (and the plot) to files when the options say so. */
    public static String run(RecoveryOptions o, PrintStream progress) throws IOException, InterruptedException {
        double loadBefore = loadAverage();
        long started = System.nanoTime();
        List<ScaleResult> results = new ArrayList<>();
        for (SyntheticHistory.Spec spec : o.sizes()) {
            progress.println("measuring " + RecoveryTable.size(spec) + " in a child JVM with -Xmx" + o.xmx() + " ...");
            ScaleResult r = runChild(o, spec, progress);
            progress.printf(Locale.ROOT, "  history -> line %s, live heap %s, peak %s%n",
                    RecoveryTable.ms(r.historyToLineNanos()), RecoveryTable.mib(r.liveBytes()),
                    RecoveryTable.mib(r.peakBytes()));
            results.add(r);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String report = header(o, loadBefore, loadAverage(), seconds) + RecoveryTable.times(results) + "\n"
                + RecoveryTable.lines(results);
        write(o.out(), report, progress);
        String svg = RecoveryTable.plot(results, o.fixedRanks());
        if (o.svg() != null && svg != null) {
            write(o.svg(), svg, progress);
        }
        return report;
    }

    static List<String> command(RecoveryOptions o, SyntheticHistory.Spec spec) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(childJvmOptions(o));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RecoveryScaleRun.class.getName(),
                Integer.toString(spec.ranks()), Integer.toString(spec.checkpoints()), Integer.toString(spec.messages()),
                Long.toString(spec.seed()), Integer.toString(o.warmup()), Integer.toString(o.repetitions())));
        return cmd;
    }

    static List<String> childJvmOptions(RecoveryOptions o) {
        return List.of("-Xmx" + o.xmx(), "-XX:+UseParallelGC");
    }

    private static ScaleResult runChild(RecoveryOptions o, SyntheticHistory.Spec spec, PrintStream progress)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("snapbench-recovery-", ".out");
        Path err = Files.createTempFile("snapbench-recovery-", ".err");
        try {
            List<String> cmd = command(o, spec);
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(CHILD_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new BenchmarkException(RecoveryTable.size(spec) + " did not finish within " + CHILD_LIMIT_SECONDS
                        + " s; stopped it");
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String hint = stderr.contains("OutOfMemoryError") ? " (out of heap: the size does not fit in -Xmx"
                        + o.xmx() + ")" : "";
                throw new BenchmarkException(RecoveryTable.size(spec) + " failed with exit status " + p.exitValue()
                        + hint + "; command: " + String.join(" ", cmd) + "\nstderr:\n" + stderr);
            }
            for (String line : stdout.split("\n")) {
                if (line.startsWith(ScaleResult.TAG + " ")) {
                    return ScaleResult.parse(line);
                }
            }
            throw new BenchmarkException(RecoveryTable.size(spec) + " printed no result line; stdout:\n" + stdout);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String header(RecoveryOptions o, double loadBefore, double loadAfter, double seconds) {
        return "Snapline recovery planning: synthetic histories, " + o.checkpoints() + " checkpoints per rank, seed "
                + o.seed() + "\n\n"
                + "- when: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
                + "- machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.vm.version") + "; each size"
                + " in a child JVM with " + String.join(" ", childJvmOptions(o)) + "\n"
                + String.format(Locale.ROOT, "- load average (1 min): %.2f before, %.2f after; all sizes took %.0f s%n",
                        loadBefore, loadAfter, seconds)
                + "- times are the median of " + o.repetitions() + " repetitions after " + o.warmup() + " discarded "
                + "ones; history → line = validate + build + graph + line after 1 failure (rank 0)\n"
                + "- live heap: in use after a full GC with input lists, history and analyzer alive; peak heap: sum of "
                + "the heap pools' peaks during the repetitions (garbage included, an upper bound)\n\n";
    }

    private static void write(Path file, String text, PrintStream progress) throws IOException {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        progress.println("written to " + file);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
