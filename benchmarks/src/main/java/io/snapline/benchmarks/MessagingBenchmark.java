package io.snapline.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Measures the messaging layer on the {@code shm} device (ranks as threads) and the {@code tcp} device (a JVM per
 * rank) with two ranks and prints a Markdown report: every figure next to a raw-Java baseline measured in the same
 * run, their ratio, and the targets of the project.
 *
 * <p>Run it with {@code bin/snapbench [--trials N] [--scale F] [--devices shm,tcp] [--out FILE.md]}. Progress goes to standard error,
 * the report to standard output (and to {@code --out}). Figures are medians of the trials; the machine's load
 * average before and after the run is printed with them because on a shared machine it matters more than anything.
 */
public final class MessagingBenchmark {
    private MessagingBenchmark() {
    }

    public static void main(String[] args) {
        BenchmarkOptions options;
        try {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                System.out.println(BenchmarkOptions.USAGE);
                return;
            }
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("snapbench: " + e.getMessage());
            System.err.println(BenchmarkOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            System.out.print(run(options, System.err));
        } catch (BenchmarkException | IOException e) {
            System.err.println("snapbench: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Runs every measurement and returns the report; writes it to {@code options.out()} too when set. */
    public static String run(BenchmarkOptions options, PrintStream progress) throws IOException {
        if (Runtime.getRuntime().availableProcessors() < RankJob.RANKS) {
            progress.println("warning: fewer CPUs than ranks; spinning ranks and baselines will take turns and "
                    + "the figures will mean little");
        }
        double loadBefore = loadAverage();
        long start = System.nanoTime();
        Measurements m = Suite.measure(options, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder report = new StringBuilder(header(options, loadBefore, loadAverage(), seconds));
        boolean baselines = options.measuresBaselineGroups();
        if (baselines && options.measuresDevice("shm")) {
            report.append("### shm device (ranks are threads of one JVM)\n\n")
                    .append(Report.baselineTable(m)).append("\n")
                    .append("Against published figures of other implementations (measured elsewhere, on this machine "
                            + "class):\n\n")
                    .append(Report.referenceTable(m)).append("\n")
                    .append("Where the time of a small message goes (diagnostics, 8 B):\n\n")
                    .append(Report.diagnosticsTable(m));
        }
        if (baselines && options.measuresDevice("tcp")) {
            if (options.measuresDevice("shm")) {
                report.append("\n");
            }
            report.append("### tcp device (a JVM per rank, loopback sockets)\n\n")
                    .append(Report.baselineTable(m, Report.TCP_ROWS)).append("\n")
                    .append("Where the time of a small message goes over tcp (diagnostics, 8 B):\n\n")
                    .append(Report.tcpDiagnosticsTable(m));
        }
        if (options.measures("piggyback")) {
            if (baselines) {
                report.append("\n");
            }
            report.append("### Piggyback overhead (--checkpoint none vs ").append(String.join(" ", options.compareFlags()))
                    .append(", same round)\n\n")
                    .append(PiggybackSuite.table(m, options));
        }
        if (options.out() != null) {
            Path parent = options.out().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(options.out(), report, StandardCharsets.UTF_8);
            progress.println("report written to " + options.out());
        }
        return report.toString();
    }

    private static String header(BenchmarkOptions o, double loadBefore, double loadAfter, double seconds) {
        return "Snapline messaging benchmark: " + String.join(" and ", o.devices().stream().sorted().toList())
                + " device, " + RankJob.RANKS + " ranks\n\n"
                + "- when: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
                + "- machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.vm.version") + " ("
                + System.getProperty("java.vm.name") + ")\n"
                + String.format(Locale.ROOT, "- load average (1 min): %.2f before, %.2f after; run took %.1f s%n",
                        loadBefore, loadAfter, seconds)
                + "- each figure is the median over " + o.rounds() + " rounds of the median of " + o.trials()
                + " timed trials (after a warm-up); iteration counts scaled by " + o.scale() + "\n"
                + "- Ratio = Snapline ÷ baseline: for times, how many times slower; for bandwidth, the fraction of the "
                + "baseline reached\n\n";
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
