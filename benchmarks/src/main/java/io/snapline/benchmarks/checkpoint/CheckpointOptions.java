package io.snapline.benchmarks.checkpoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import io.snapline.benchmarks.DriverCommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

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

    /** The flags, as picocli reads them ({@link DriverCommandLine}). */
    @Command(name = "snapbench-checkpoint")
    static final class Flags {
        @Option(names = "--state-mib", converter = DriverCommandLine.LongValue.class)
        long stateMib = 256;
        @Option(names = "--duration", converter = DurationValue.class)
        Duration duration = Duration.ofSeconds(180);
        @Option(names = "--steps", converter = DriverCommandLine.LongValue.class)
        long steps;
        @Option(names = "--intervals", split = ",")
        List<String> intervals;
        @Option(names = "--policies", split = ",")
        List<String> policies;
        @Option(names = "--dir")
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        @Option(names = "--jvm-opts")
        String jvmOpts;
        @Option(names = "--out")
        Path out;
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} saying what is wrong. */
    public static CheckpointOptions parse(String... args) {
        Flags f = DriverCommandLine.parse(new Flags(), args);
        return new CheckpointOptions(f.stateMib, f.duration, f.steps,
                f.intervals == null ? List.of("10s", "60s") : nonBlank(f.intervals),
                f.policies == null ? List.of("coordinated", "coordinated-nb", "independent/none") : nonBlank(f.policies),
                f.dir, f.jvmOpts == null ? DEFAULT_JVM_OPTS : DriverCommandLine.words(f.jvmOpts), f.out);
    }

    /** A duration as {@link #parseDuration} reads it, for picocli. */
    static final class DurationValue implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            return duration(v);
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 3m}: the launcher's spelling of a duration. */
    static Duration parseDuration(String flag, String v) {
        try {
            return duration(v);
        } catch (DriverCommandLine.BadValue e) {
            throw new IllegalArgumentException(flag + " " + e.getMessage());
        }
    }

    private static Duration duration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return positive(v, Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2))));
            }
            if (s.endsWith("s")) {
                return positive(v, Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1))));
            }
            if (s.endsWith("m")) {
                return positive(v, Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1))));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new DriverCommandLine.BadValue("needs a duration such as 500ms, 10s or 3m, got '" + v + "'");
    }

    private static Duration positive(String v, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new DriverCommandLine.BadValue("needs a positive duration, got '" + v + "'");
        }
        return d;
    }

    /** The values, trimmed, blank ones left out ({@code --intervals 1s,,3s}). */
    private static List<String> nonBlank(List<String> values) {
        return values.stream().filter(v -> !v.isBlank()).map(String::trim).toList();
    }
}
