package io.snapline.benchmarks.checkpoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@link CheckpointBenchmark}.
 *
 * @param stateMib  total state of the heat program over both ranks, in MiB
 * @param duration  wall time the {@code none} run should take; the step count is calibrated from a short run to
 *                  reach it (ignored when {@code steps} is set)
 * @param steps     fixed number of steps, or 0 to calibrate from {@code duration}
 * @param intervals checkpoint intervals, as the launcher spells them ({@code 10s}); each runs with every policy
 * @param policies  checkpoint policies measured against {@code none}
 * @param dir       directory under which the temporary stores and the baseline file go (one disk for all)
 * @param jvmOpts   options of every job JVM (the ranks are threads of it)
 * @param out       file the Markdown report is also written to, or null
 */
public record CheckpointOptions(long stateMib, Duration duration, long steps, List<String> intervals,
        List<String> policies, Path dir, List<String> jvmOpts, Path out) {
    public static final List<String> DEFAULT_JVM_OPTS = List.of("-Xms6g", "-Xmx6g");

    public static final String USAGE = String.join("\n",
            "usage: snapbench-checkpoint [--state-mib M] [--duration T | --steps S] [--intervals T,...] [--policies P,...]",
            "                            [--dir DIR] [--jvm-opts \"...\"] [--out FILE.md]",
            "",
            "  --state-mib M     total state of the 2-rank heat program in MiB (default 256: 128 MiB per rank)",
            "  --duration T      target wall time of the --checkpoint none run, e.g. 180s or 3m; the step count is",
            "                    calibrated from a short run (default 180s)",
            "  --steps S         run exactly S steps instead of calibrating",
            "  --intervals T,..  checkpoint intervals (default 10s,60s)",
            "  --policies P,..   policies measured against none (default coordinated,coordinated-nb,",
            "                    independent/none); independent/MODE runs independent with --logging MODE (e.g.",
            "                    independent/pessimistic); independent alone takes the policy's default logging",
            "  --dir DIR         parent of the temporary stores and baseline file (default java.io.tmpdir)",
            "  --jvm-opts \"...\"  options of each job JVM (default \"" + String.join(" ", DEFAULT_JVM_OPTS) + "\")",
            "  --out FILE.md     also write the Markdown report to FILE.md",
            "  -h, --help        this text",
            "",
            "Smoke test: snapbench-checkpoint --state-mib 16 --duration 10s --intervals 1s,3s");

    public CheckpointOptions {
        if (stateMib < 1) {
            throw new IllegalArgumentException("--state-mib must be at least 1, got " + stateMib);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("--steps must be positive, got " + steps);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive, got " + duration);
        }
        if (intervals.isEmpty() || policies.isEmpty()) {
            throw new IllegalArgumentException("--intervals and --policies need at least one value each");
        }
        for (String i : intervals) {
            parseDuration("--intervals", i);
        }
        intervals = List.copyOf(intervals);
        policies = List.copyOf(policies);
        jvmOpts = List.copyOf(jvmOpts);
    }

    public static CheckpointOptions parse(String... args) {
        long stateMib = 256;
        Duration duration = Duration.ofSeconds(180);
        long steps = 0;
        List<String> intervals = List.of("10s", "60s");
        List<String> policies = List.of("coordinated", "coordinated-nb", "independent/none");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        List<String> jvmOpts = DEFAULT_JVM_OPTS;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--state-mib" -> stateMib = parseLong(a, value(args, i++));
                case "--duration" -> duration = parseDuration(a, value(args, i++));
                case "--steps" -> steps = parseLong(a, value(args, i++));
                case "--intervals" -> intervals = list(value(args, i++));
                case "--policies" -> policies = list(value(args, i++));
                case "--dir" -> dir = Path.of(value(args, i++));
                case "--jvm-opts" -> jvmOpts = List.of(value(args, i++).trim().split("\\s+"));
                case "--out" -> out = Path.of(value(args, i++));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        return new CheckpointOptions(stateMib, duration, steps, intervals, policies, dir, jvmOpts, out);
    }

    /** {@code 500ms}, {@code 10s}, {@code 3m}: the launcher's spelling of a duration. */
    static Duration parseDuration(String flag, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return positive(flag, v, Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2))));
            }
            if (s.endsWith("s")) {
                return positive(flag, v, Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1))));
            }
            if (s.endsWith("m")) {
                return positive(flag, v, Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1))));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(flag + " needs a duration such as 500ms, 10s or 3m, got '" + v + "'");
    }

    private static Duration positive(String flag, String v, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(flag + " needs a positive duration, got '" + v + "'");
        }
        return d;
    }

    private static List<String> list(String v) {
        List<String> l = new ArrayList<>();
        for (String s : Arrays.asList(v.split(","))) {
            if (!s.isBlank()) {
                l.add(s.trim());
            }
        }
        return l;
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static long parseLong(String flag, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got '" + v + "'");
        }
    }
}
