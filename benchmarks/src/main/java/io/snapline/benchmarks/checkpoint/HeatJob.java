package io.snapline.benchmarks.checkpoint;

import io.snapline.benchmarks.BenchmarkException;
import io.snapline.benchmarks.JobJvm;
import io.snapline.benchmarks.rank.HeatStencil;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link HeatStencil} on two ranks of the {@code shm} device (or the device the caller's flags name) in a fresh
 * JVM, as
 * {@code SNAPLINE_JAVA_OPTS=... bin/snaprun -np 2 --checkpoint P --interval T --store DIR --report FILE.json} would:
 * the launcher's main class with this JVM's class path (which holds the runtime and the coordinated policies), the
 * JVM options of {@link CheckpointOptions#jvmOpts()} and the {@code --add-opens} Kryo needs. A fresh JVM per run keeps
 * one run's garbage and JIT state out of the next. The store and report live in {@code work}, which the caller
 * deletes.
 */
final class HeatJob {
    static final int RANKS = 2;
    private HeatJob() {
    }

    /**
     * Runs {@code steps} steps under {@code policy} ({@code interval} null for {@code none}) and returns what it gave;
     * the launcher's own lines (checkpoint commits, the run report summary) go to {@code log}.
     */
    static JobOutcome run(CheckpointOptions o, String policy, String interval, long steps, Path work, PrintStream log)
            throws IOException, InterruptedException {
        return run(o, policy, interval, steps, work, log, List.of(), List.of()).outcome();
    }

    /** One run's outcome, its launcher's and ranks' standard error, and its JSON run report. */
    record Run(JobOutcome outcome, String stderr, String report) {
    }

    /** As {@link #run(CheckpointOptions, String, String, long, Path, PrintStream)}, with more flags and arguments. */
    static Run run(CheckpointOptions o, String policy, String interval, long steps, Path work, PrintStream log,
            List<String> flags, List<String> programArgs) throws IOException, InterruptedException {
        Path store = work.resolve("store-" + policy.replace('/', '-') + (interval == null ? "" : "-" + interval));
        Path report = work.resolve("report-" + policy.replace('/', '-') + (interval == null ? "" : "-" + interval)
                + ".json");
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        List<String> cmd = command(o, policy, interval, steps, store, report);
        if (flags.contains("-dev")) { // another device than the default
            int d = cmd.indexOf("-dev");
            cmd.subList(d, d + 2).clear();
        }
        cmd.addAll(cmd.lastIndexOf("-cp"), flags); // launcher flags go before the program's class path
        cmd.addAll(programArgs);
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long limitSeconds = 600 + 4 * Math.max(o.duration().toSeconds(), 60);
        if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new BenchmarkException(policy + " run did not end within " + limitSeconds + " s; stopped it");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        for (String line : stderr.split("\n")) {
            if (!line.isBlank()) {
                log.println("    " + line);
            }
        }
        if (p.exitValue() != 0) {
            throw new BenchmarkException(policy + " run failed with exit status " + p.exitValue() + "; command: "
                    + String.join(" ", cmd) + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
        }
        String json = Files.readString(report, StandardCharsets.UTF_8);
        JobOutcome outcome = JobOutcome.of(policy, interval, json, stdout);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        Files.deleteIfExists(report);
        deleteTree(store);
        return new Run(outcome, stderr, json);
    }

    static List<String> command(CheckpointOptions o, String policy, String interval, long steps, Path store,
            Path report) {
        List<String> cmd = new ArrayList<>(JobJvm.launcherCommand(o.jvmOpts()));
        int slash = policy.indexOf('/');
        cmd.addAll(List.of("-np", Integer.toString(RANKS), "-dev", "shm", "--checkpoint",
                slash < 0 ? policy : policy.substring(0, slash)));
        if (slash >= 0) {
            cmd.addAll(List.of("--logging", policy.substring(slash + 1))); // independent/pessimistic
        }
        if (interval != null) {
            cmd.addAll(List.of("--interval", interval, "--store", store.toString()));
        }
        cmd.addAll(List.of("--report", report.toString(), "-cp", classPathOf(HeatStencil.class),
                HeatStencil.class.getName(), "--state-mib", Long.toString(o.stateMib()), "--steps",
                Long.toString(steps)));
        return cmd;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
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
