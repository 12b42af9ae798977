package io.snapline.runtime.testing;

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
 * Runs a rank program (a class with {@code public static void main(String[])}) as a job and captures what the ranks
 * print: on {@code shm} (the default) the ranks are threads of this JVM; with {@code -Dsnapline.test.device=tcp} each
 * rank is a child JVM, so the same suites run on both devices. Rank programs assert inside the ranks; a failed assertion fails the job, and {@link #ok}
 * rethrows it with the rank's own stack trace.
 */
public final class MpiRun {
    /** The outcome of a job: its result and everything the ranks printed. */
    public record Outcome(JobResult result, String out, String err) {
        /** Output lines, in the order they were printed. */
        public List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        /**
         * The restarts of one rank alone, in order, from the launcher's lines: {rank, local checkpoint}, 0 for the
         * beginning.
         */
        public List<long[]> aloneRestarts() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "restarting rank (\\d+) alone from (?:its local checkpoint (\\d+)|the beginning)").matcher(err);
            List<long[]> result = new ArrayList<>();
            while (m.find()) {
                result.add(new long[] {Long.parseLong(m.group(1)),
                        m.group(2) == null ? 0 : Long.parseLong(m.group(2))});
            }
            return result;
        }
    }

    private MpiRun() {
    }

    /** The device tests run on: {@code -Dsnapline.test.device=...}, default {@code shm}. */
    public static String device() {
        return System.getProperty("snapline.test.device", "shm");
    }

    /**
     * The rank counts a test of the message path or the collectives runs at: 1, 2, 3, 4 and 8 on {@code shm}; on
     * {@code tcp}, where every rank is a JVM that starts (the suite's cost there), 1, 3 and 8: one rank alone, an odd
     * count and the most ranks. The algorithms are the same on both devices, and every count runs on {@code shm}; what
     * {@code tcp} adds is the device, which these three reach as the others would.
     */
    public static java.util.stream.IntStream rankCounts() {
        return device().equals("tcp") ? java.util.stream.IntStream.of(1, 3, 8)
                : java.util.stream.IntStream.of(1, 2, 3, 4, 8);
    }

    /** Runs {@code main} on {@code np} ranks with extra launcher flags before the class name. */
    public static Outcome run(int np, List<String> flags, Class<?> main, String... args) {
        List<String> argv = new ArrayList<>(List.of("-np", Integer.toString(np), "-dev", device(), "-cp", classPathOf(main)));
        argv.addAll(flags);
        argv.add(main.getName());
        argv.addAll(List.of(args));
        LaunchOptions options = LaunchOptions.parse(argv.toArray(new String[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        JobResult r = options.device().equals("tcp") ? TcpJob.run(options, o, e) : ShmJob.run(options, o, e);
        return new Outcome(r, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public static Outcome run(int np, Class<?> main, String... args) {
        return run(np, List.of(), main, args);
    }

    /** Runs the job and fails the test, with the failing rank's exception as the cause, unless every rank finished. */
    public static Outcome ok(int np, Class<?> main, String... args) {
        Outcome o = run(np, main, args);
        if (!o.result().succeeded()) {
            JobResult.RankFailure f = o.result().failures().isEmpty() ? null : o.result().failures().get(0);
            AssertionError e = new AssertionError(main.getSimpleName() + " on " + np + " rank(s) failed: "
                    + (f == null ? "exit " + o.result().exitCode() : f.description()) + "\nstderr:\n" + o.err());
            if (f != null && f.error() != null) {
                e.initCause(f.error());
            }
            throw e;
        }
        return o;
    }

    /**
     * The names of the ranks' checkpoint writers still alive in this JVM; after a job on {@code shm} there must be
     * none, as none would outlive the ranks' processes on {@code tcp}.
     */
    public static List<String> liveWriters() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("snapline-writer-")).sorted().toList();
    }

    /** The class path entry (directory or jar) that holds {@code c}. */
    public static String classPathOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
