package io.snapline.benchmarks;

import io.snapline.benchmarks.rank.RankReport;
import io.snapline.runtime.launch.JobResult;
import io.snapline.runtime.launch.LaunchOptions;
import io.snapline.runtime.launch.ShmJob;
import io.snapline.runtime.launch.TcpJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a rank program of {@link io.snapline.benchmarks.rank} as a job (two ranks unless told otherwise) through the
 * launcher, as {@code snaprun -np 2 -dev DEVICE} would, and collects the figures rank 0 reports. On {@code shm} the
 * ranks are threads of this JVM; on {@code tcp} each rank is a child JVM started with {@link #TCP_JVM_OPTIONS} and
 * this JVM's class path. Figures are recorded as {@code snapline.KEY} on {@code shm} and {@code snapline.tcp.KEY} on
 * {@code tcp}.
 */
final class RankJob {
    static final int RANKS = 2;
    /**
     * JVM options of every child JVM the tcp figures come from (rank processes and the raw NIO peers alike): a fixed
     * heap keeps GC out of the 16 MiB runs; the launcher's default serial collector (one GC thread per process).
     */
    static final List<String> TCP_JVM_OPTIONS = List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC");

    private RankJob() {
    }

    /** Runs {@code program} on two ranks; see {@link #run(int, Class, List, Measurements, PrintStream)}. */
    static void run(Class<?> program, List<String> args, Measurements into, PrintStream log) {
        run("shm", RANKS, program, args, into, log);
    }

    /** Runs {@code program} on {@code np} ranks of the {@code shm} device. */
    static void run(int np, Class<?> program, List<String> args, Measurements into, PrintStream log) {
        run("shm", np, program, args, into, log);
    }

    /**
     * Runs {@code program} with {@code args} and records its figures in {@code into}; fails if any rank fails. The
     * per-trial times the ranks report go to {@code log}.
     */
    static void run(String device, int np, Class<?> program, List<String> args, Measurements into, PrintStream log) {
        run(device, np, List.of(), device.equals("tcp") ? "snapline.tcp." : "snapline.", program, args, into, log);
    }

    /**
     * Runs {@code program} with extra {@code launcherFlags} (e.g. {@code --checkpoint coordinated-nb --interval 1h
     * --store DIR}) and records its figures as {@code prefix + KEY}.
     */
    static void run(String device, int np, List<String> launcherFlags, String prefix, Class<?> program,
            List<String> args, Measurements into, PrintStream log) {
        boolean tcp = device.equals("tcp");
        List<String> argv = new ArrayList<>(List.of("-np", Integer.toString(np), "-dev", device, "-cp",
                classPathOf(program)));
        if (tcp) {
            argv.addAll(List.of("--jvm-opts", String.join(" ", TCP_JVM_OPTIONS)));
        }
        argv.addAll(launcherFlags);
        argv.add(program.getName());
        argv.addAll(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LaunchOptions options = LaunchOptions.parse(argv.toArray(new String[0]));
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        JobResult result = tcp ? TcpJob.run(options, o, e) : ShmJob.run(options, o, e);
        if (!result.succeeded()) {
            String why = result.failures().isEmpty() ? "exit code " + result.exitCode()
                    : ShmJob.describe(result.failures().get(0));
            throw new BenchmarkException(program.getSimpleName() + " " + String.join(" ", args) + " on " + device
                    + (launcherFlags.isEmpty() ? "" : " with " + String.join(" ", launcherFlags)) + " failed: " + why
                    + "\nstderr:\n" + err.toString(StandardCharsets.UTF_8));
        }
        collect(out.toString(StandardCharsets.UTF_8), prefix, into, log);
    }

    /** Records the figures of {@code output} under {@code prefix} and logs the per-trial times. */
    static void collect(String output, String prefix, Measurements into, PrintStream log) {
        parse(output, prefix, into);
        for (String line : output.split("\n")) {
            if (line.startsWith(RankReport.TRIALS + " ")) {
                String shown = prefix.startsWith("snapline.") ? prefix.substring("snapline.".length()) : prefix;
                log.println("    " + shown + line.substring(RankReport.TRIALS.length() + 1)
                        + " (ns per operation, by trial)");
            }
        }
    }

    /** Reads the {@code @result} and {@code @unavailable} lines of a rank program's output (shm keys). */
    static void parse(String output, Measurements into) {
        parse(output, "snapline.", into);
    }

    /** Reads the {@code @result} and {@code @unavailable} lines of output, recording them as {@code prefix + KEY}. */
    static void parse(String output, String prefix, Measurements into) {
        for (String line : output.split("\n")) {
            String[] f = line.trim().split(" ", 3);
            if (f[0].equals(RankReport.RESULT) && f.length == 3) {
                try {
                    into.put(prefix + f[1], Double.parseDouble(f[2]));
                } catch (NumberFormatException e) {
                    throw new BenchmarkException("malformed result line from a rank: '" + line + "'");
                }
            } else if (f[0].equals(RankReport.UNAVAILABLE) && f.length == 3) {
                into.unavailable(prefix + f[1], f[2]);
            }
        }
    }

    private static String classPathOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new BenchmarkException("cannot locate the class path entry of " + c.getName() + ": " + e.getMessage());
        }
    }
}
