package io.snapline.benchmarks;

import io.snapline.benchmarks.rank.RankReport;
import io.snapline.runtime.launch.JobResult;
import io.snapline.runtime.launch.LaunchOptions;
import io.snapline.runtime.launch.ShmJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a rank program of {@link io.snapline.benchmarks.rank} as an {@code shm} job in this JVM (two ranks unless
 * told otherwise), through the launcher as {@code snaprun -np 2 -dev shm} would, and collects the figures rank 0
 * reports.
 */
final class RankJob {
    static final int RANKS = 2;

    private RankJob() {
    }

    /** Runs {@code program} on two ranks; see {@link #run(int, Class, List, Measurements, PrintStream)}. */
    static void run(Class<?> program, List<String> args, Measurements into, PrintStream log) {
        run(RANKS, program, args, into, log);
    }

    /**
     * Runs {@code program} with {@code args} and records its figures in {@code into}; fails if any rank fails. The
     * per-trial times the ranks report go to {@code log}.
     */
    static void run(int np, Class<?> program, List<String> args, Measurements into, PrintStream log) {
        List<String> argv = new ArrayList<>(List.of("-np", Integer.toString(np), "-dev", "shm", "-cp",
                classPathOf(program), program.getName()));
        argv.addAll(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        JobResult result = ShmJob.run(LaunchOptions.parse(argv.toArray(new String[0])),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        if (!result.succeeded()) {
            String why = result.failures().isEmpty() ? "exit code " + result.exitCode()
                    : ShmJob.describe(result.failures().get(0));
            throw new BenchmarkException(program.getSimpleName() + " " + String.join(" ", args) + " failed: " + why
                    + "\nstderr:\n" + err.toString(StandardCharsets.UTF_8));
        }
        String output = out.toString(StandardCharsets.UTF_8);
        parse(output, into);
        for (String line : output.split("\n")) {
            if (line.startsWith(RankReport.TRIALS + " ")) {
                log.println("    " + line.substring(RankReport.TRIALS.length() + 1) + " (ns per operation, by trial)");
            }
        }
    }

    /** Reads the {@code @result} and {@code @unavailable} lines of a rank program's output. */
    static void parse(String output, Measurements into) {
        for (String line : output.split("\n")) {
            String[] f = line.trim().split(" ", 3);
            if (f[0].equals(RankReport.RESULT) && f.length == 3) {
                try {
                    into.put("snapline." + f[1], Double.parseDouble(f[2]));
                } catch (NumberFormatException e) {
                    throw new BenchmarkException("malformed result line from a rank: '" + line + "'");
                }
            } else if (f[0].equals(RankReport.UNAVAILABLE) && f.length == 3) {
                into.unavailable("snapline." + f[1], f[2]);
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
