package io.snapline.benchmarks.startup;

import io.snapline.benchmarks.BenchmarkException;
import io.snapline.benchmarks.MarkdownTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Times {@code bin/snaprun -np N io.snapline.examples.Hello} from launch to exit (a fresh launcher JVM each run, so
 * class loading and compilation count as a user sees them), checks that every rank said hello, and prints a
 * Markdown table: per rank count, the median wall time and CPU time of each build and each build's ratio to the
 * first. Runs of the builds alternate, so a change in the machine's load hits them alike. Run it with
 * {@code bin/snapbench-startup}; progress goes to standard error, the report to standard output.
 */
public final class StartupBenchmark {
    private static final String MAIN = "io.snapline.examples.Hello";

    private StartupBenchmark() {
    }

    /** One timed run: wall and CPU seconds, or a failure saying what went wrong. */
    record Run(double wallSeconds, double cpuSeconds, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    public static void main(String[] args) {
        Path here = Path.of(System.getProperty("snapline.root", "."));
        StartupOptions options;
        try {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                System.out.println(StartupOptions.USAGE);
                return;
            }
            options = StartupOptions.parse(here, args);
        } catch (IllegalArgumentException e) {
            System.err.println("snapbench-startup: " + e.getMessage());
            System.err.println(StartupOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            System.out.print(run(options, System.err));
        } catch (BenchmarkException | IOException e) {
            System.err.println("snapbench-startup: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    /** Measures every rank count on every build and returns the report (also written to {@code --out}). */
    public static String run(StartupOptions o, PrintStream progress) throws IOException, InterruptedException {
        for (Path root : o.roots()) {
            check(root);
        }
        double loadBefore = loadAverage();
        List<List<List<Run>>> runs = new ArrayList<>(); // [rank count][build][repetition]
        for (int np : o.ranks()) {
            List<List<Run>> perBuild = new ArrayList<>();
            for (int b = 0; b < o.roots().size(); b++) {
                perBuild.add(new ArrayList<>());
            }
            for (int rep = 0; rep < o.repetitions(); rep++) {
                for (int b = 0; b < o.roots().size(); b++) {
                    Run r = once(o.roots().get(b), np, o);
                    progress.printf(Locale.ROOT, "-np %d, build %s, run %d: %s%n", np, o.roots().get(b), rep + 1,
                            r.ok() ? String.format(Locale.ROOT, "%.2f s (CPU %.1f s)", r.wallSeconds(), r.cpuSeconds())
                                    : r.failure());
                    perBuild.get(b).add(r);
                }
            }
            runs.add(perBuild);
        }
        String report = header(o, loadBefore, loadAverage()) + table(o, runs);
        if (o.out() != null) {
            Files.writeString(o.out(), report, StandardCharsets.UTF_8);
            progress.println("wrote " + o.out());
        }
        return report;
    }

    private static void check(Path root) {
        if (!Files.isExecutable(root.resolve("bin/snaprun"))
                || !Files.isRegularFile(root.resolve("examples/target/classes/io/snapline/examples/Hello.class"))) {
            throw new BenchmarkException(root + " has no bin/snaprun or no built examples; run: mvn -B -o -q package"
                    + " -pl examples -am -DskipTests in " + root);
        }
    }

    /** One run of Hello on {@code np} ranks with the build at {@code root}. */
    static Run once(Path root, int np, StartupOptions o) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/snaprun").toString(), "-np", Integer.toString(np),
                "-dev", o.device(), "-cp", root.resolve("examples/target/classes").toString(), MAIN);
        pb.redirectErrorStream(true);
        long start = System.nanoTime();
        Process p = pb.start();
        AtomicInteger hellos = new AtomicInteger();
        StringBuilder other = new StringBuilder();
        Thread reader = new Thread(() -> read(p, hellos, other), "snapbench-startup-output");
        reader.setDaemon(true);
        reader.start();
        double cpu = 0;
        long deadline = start + TimeUnit.SECONDS.toNanos(o.timeout());
        while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
            cpu = Math.max(cpu, cpuSeconds(p)); // the last reading before the exit: short by at most 50 ms
            if (System.nanoTime() > deadline) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return new Run(0, 0, "> " + o.timeout() + " s");
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        reader.join(TimeUnit.SECONDS.toMillis(5));
        if (p.exitValue() != 0 || hellos.get() != np) {
            String first = other.toString().lines().findFirst().orElse("");
            return new Run(wall, cpu, "exit " + p.exitValue() + ", " + hellos.get() + " of " + np + " ranks said hello"
                    + (first.isEmpty() ? "" : ": " + first));
        }
        return new Run(wall, cpu, null);
    }

    private static void read(Process p, AtomicInteger hellos, StringBuilder other) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("Hello from rank ")) {
                    hellos.incrementAndGet();
                } else if (other.length() < 4096) {
                    other.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process was stopped; the caller reports the run as failed
        }
    }

    private static double cpuSeconds(Process p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    static String table(StartupOptions o, List<List<List<Run>>> runs) {
        List<String> header = new ArrayList<>(List.of("ranks"));
        for (int b = 0; b < o.roots().size(); b++) {
            header.add(label(b) + " wall s");
            header.add(label(b) + " CPU s");
            if (b > 0) {
                header.add(label(b) + "/" + label(0) + " wall");
            }
        }
        MarkdownTable t = new MarkdownTable(header.toArray(new String[0]));
        for (int i = 0; i < o.ranks().size(); i++) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(o.ranks().get(i))));
            double reference = median(runs.get(i).get(0), true);
            for (int b = 0; b < o.roots().size(); b++) {
                List<Run> rs = runs.get(i).get(b);
                row.add(cell(rs, true));
                row.add(cell(rs, false));
                if (b > 0) {
                    double m = median(rs, true);
                    row.add(Double.isNaN(m) || Double.isNaN(reference) ? "-"
                            : String.format(Locale.ROOT, "%.2f", m / reference));
                }
            }
            t.row(row.toArray(new String[0]));
        }
        StringBuilder legend = new StringBuilder();
        for (int b = 0; b < o.roots().size(); b++) {
            legend.append(label(b)).append(" = ").append(o.roots().get(b).toAbsolutePath().normalize()).append('\n');
        }
        return t.render() + "\n" + legend + "\nMedians of " + o.repetitions() + " runs (min-max in brackets); CPU is"
                + " the launcher JVM's user + system time.\n";
    }

    private static String label(int b) {
        return String.valueOf((char) ('A' + b));
    }

    /** The median (min-max) of the runs, or what went wrong when a run failed. */
    private static String cell(List<Run> rs, boolean wall) {
        for (Run r : rs) {
            if (!r.ok()) {
                return r.failure();
            }
        }
        double[] v = values(rs, wall);
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", median(rs, wall), v[0], v[v.length - 1]);
    }

    private static double median(List<Run> rs, boolean wall) {
        if (rs.stream().anyMatch(r -> !r.ok())) {
            return Double.NaN;
        }
        double[] v = values(rs, wall);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double[] values(List<Run> rs, boolean wall) {
        double[] v = rs.stream().mapToDouble(r -> wall ? r.wallSeconds() : r.cpuSeconds()).toArray();
        Arrays.sort(v);
        return v;
    }

    private static String header(StartupOptions o, double loadBefore, double loadAfter) {
        return String.format(Locale.ROOT, "# Snapline startup: Hello on -dev %s%n%n%s, %d CPUs, Java %s, load average"
                + " %.1f before and %.1f after.%n%n", o.device(),
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadBefore, loadAfter);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
