package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The restart tests of the examples: run an example once without checkpoints and once under the coordinated policy
 * with injected failures, and require the same output, line for line. The examples print only from rank 0 and only
 * results, so the order of the lines is part of what must match.
 */
final class Restarts {
    private Restarts() {
    }

    /**
     * Runs {@code main} failure-free, then with {@code --checkpoint coordinated --every every} and each of
     * {@code failures} as an {@code --inject-failure}, checkpoints in {@code store}; asserts that the second run
     * succeeded, restarted once per failure and printed exactly what the first printed. Returns the second run.
     */
    static MpiRun.Outcome assertSameOutputDespiteFailures(Path store, int np, int every, List<String> failures,
            Class<?> main, String... args) {
        MpiRun.Outcome clean = MpiRun.ok(np, main, args);
        assertFalse(clean.lines().isEmpty(), clean.err());

        List<String> flags = new ArrayList<>(List.of("--checkpoint", "coordinated", "--every", Integer.toString(every),
                "--store", store.toString(), "--max-restarts", Integer.toString(failures.size())));
        for (String f : failures) {
            flags.add("--inject-failure");
            flags.add(f);
        }
        MpiRun.Outcome o = MpiRun.run(np, flags, main, args);
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(clean.lines(), o.lines(), o.err());
        assertTrue(o.err().contains("restarts: " + failures.size() + "\n"), o.err());
        return o;
    }

    /**
     * Runs {@code main} failure-free, then under {@code --checkpoint coordinated-nb --interval intervalMillis ms} with
     * {@code failures} injected; see {@link #assertSameOutputDespiteUntimedFailures}.
     */
    static MpiRun.Outcome assertSameOutputDespiteFailuresNonBlocking(Path store, int np, int intervalMillis,
            List<String> failures, Class<?> main, String... args) {
        return assertSameOutputDespiteUntimedFailures(store, np, List.of("--checkpoint", "coordinated-nb",
                "--interval", intervalMillis + "ms"), failures, main, args);
    }

    /**
     * Runs {@code main} failure-free, then under {@code --checkpoint independent --logging none} with
     * {@code schedule} (e.g. {@code --every 10}) and {@code failures} injected; see
     * {@link #assertSameOutputDespiteUntimedFailures}.
     */
    static MpiRun.Outcome assertSameOutputDespiteFailuresIndependent(Path store, int np, List<String> schedule,
            List<String> failures, Class<?> main, String... args) {
        List<String> policy = new ArrayList<>(List.of("--checkpoint", "independent", "--logging", "none"));
        policy.addAll(schedule);
        return assertSameOutputDespiteUntimedFailures(store, np, policy, failures, main, args);
    }

    /**
     * Runs {@code main} failure-free, then under {@code --checkpoint independent --logging LOGGING} with
     * {@code schedule} and {@code failures} injected; see {@link #assertSameOutputDespiteUntimedFailures}.
     */
    static MpiRun.Outcome assertSameOutputDespiteFailuresLogged(String logging, Path store, int np,
            List<String> schedule, List<String> failures, Class<?> main, String... args) {
        List<String> policy = new ArrayList<>(List.of("--checkpoint", "independent", "--logging", logging));
        policy.addAll(schedule);
        return assertSameOutputDespiteUntimedFailures(store, np, policy, failures, main, args);
    }

    /**
     * Runs {@code main} failure-free, then with {@code policy} flags and {@code failures} injected; asserts that the
     * second run succeeded, restarted at least once and at most once per failure, and printed exactly what the first
     * printed. Where the checkpoints fall depends on timing, and two kills may strike in the same attempt (one restart
     * then cures both), so neither which checkpoint each restart uses nor the exact number of restarts is asserted.
     */
    private static MpiRun.Outcome assertSameOutputDespiteUntimedFailures(Path store, int np, List<String> policy,
            List<String> failures, Class<?> main, String... args) {
        MpiRun.Outcome clean = MpiRun.ok(np, main, args);
        List<String> flags = new ArrayList<>(policy);
        flags.addAll(List.of("--store", store.toString(), "--max-restarts", Integer.toString(failures.size())));
        for (String f : failures) {
            flags.add("--inject-failure");
            flags.add(f);
        }
        MpiRun.Outcome o = MpiRun.run(np, flags, main, args);
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean.lines(), o.lines(), o.err());
        java.util.regex.Matcher restarts = java.util.regex.Pattern.compile("restarts: (\\d+)\n").matcher(o.err());
        assertTrue(restarts.find(), o.err());
        int n = Integer.parseInt(restarts.group(1));
        assertTrue(n >= 1 && n <= failures.size(), "1.." + failures.size() + " restarts expected:\n" + o.err());
        return o;
    }

    /** The recovery lines the restarts used, in order (all zeros: from the beginning), from the launcher's log. */
    static List<long[]> recoveryLines(MpiRun.Outcome o) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "restarting all (\\d+) ranks from (recovery line \\[([0-9, ]+)\\]|the beginning)").matcher(o.err());
        List<long[]> result = new ArrayList<>();
        while (m.find()) {
            result.add(m.group(3) == null ? new long[Integer.parseInt(m.group(1))]
                    : java.util.Arrays.stream(m.group(3).split(", ")).mapToLong(Long::parseLong).toArray());
        }
        return result;
    }

    /** Asserts that the job restarted, in this order, from each of {@code checkpoints} (0: from the beginning). */
    static void assertRestartedFrom(MpiRun.Outcome o, int np, long... checkpoints) {
        int from = 0;
        for (long k : checkpoints) {
            String line = "restarting all " + np + " ranks from "
                    + (k == 0 ? "the beginning" : "checkpoint " + k + " ");
            int at = o.err().indexOf(line, from);
            assertTrue(at >= 0, "no '" + line + "' after offset " + from + " in:\n" + o.err());
            from = at + line.length();
        }
    }
}
