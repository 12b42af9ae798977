package io.snapline.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The command line of {@link MessagingBenchmark}.
 *
 * @param trials how many timed trials each figure of a round is the median of
 * @param rounds how many times the whole suite runs; each figure is the median over the rounds, which evens out
 *               load that comes and goes on a shared machine (baseline and Snapline alternate between rounds)
 * @param scale  multiplies every iteration count (1 = the default run of a few tens of seconds; small values give a
 *               quick, meaningless run for smoke tests)
 * @param out    where to write the Markdown table as well as standard output, or null
 * @param groups which groups of figures to measure, a subset of {@link #GROUPS}
 * @param devices which devices to measure, a subset of {@link #DEVICES}
 */
public record BenchmarkOptions(int trials, int rounds, double scale, Path out, Set<String> groups, Set<String> devices) {
    /** The groups of figures, in the order they are measured. */
    public static final Set<String> GROUPS = Set.of("latency", "bandwidth", "collectives");
    /** The devices: {@code shm} (ranks as threads of this JVM) and {@code tcp} (a JVM per rank, loopback sockets). */
    public static final Set<String> DEVICES = Set.of("shm", "tcp");

    public static final String USAGE = String.join("\n",
            "usage: snapbench [--trials N] [--rounds R] [--scale F] [--only GROUP,...] [--devices DEV,...] [--out FILE.md]",
            "",
            "  --trials N     timed trials per figure and round; the median is taken (default 7)",
            "  --rounds R     run the whole suite R times and report the median of the rounds (default 3)",
            "  --scale F      multiply every iteration count by F (default 1.0; e.g. 0.1 for a rough quick run)",
            "  --only G,...   measure only these groups: latency, bandwidth, collectives (default all)",
            "  --devices D,.. measure only these devices: shm, tcp (default both)",
            "  --out FILE.md  also write the Markdown report to FILE.md",
            "  -h, --help     this text");

    public BenchmarkOptions {
        if (trials < 1) {
            throw new IllegalArgumentException("--trials must be at least 1, got " + trials);
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
        }
        if (!(scale > 0) || scale > 1000) {
            throw new IllegalArgumentException("--scale must be above 0 and at most 1000, got " + scale);
        }
        if (groups.isEmpty() || !GROUPS.containsAll(groups)) {
            throw new IllegalArgumentException("--only takes groups from latency, bandwidth, collectives; got " + groups);
        }
        if (devices.isEmpty() || !DEVICES.containsAll(devices)) {
            throw new IllegalArgumentException("--devices takes devices from shm, tcp; got " + devices);
        }
        groups = Set.copyOf(groups);
        devices = Set.copyOf(devices);
    }

    /** Options that measure both devices. */
    public BenchmarkOptions(int trials, int rounds, double scale, Path out, Set<String> groups) {
        this(trials, rounds, scale, out, groups, DEVICES);
    }

    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(7, 3, 1.0, null, GROUPS, DEVICES);
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} saying what is wrong. */
    public static BenchmarkOptions parse(String... args) {
        int trials = 7;
        int rounds = 3;
        double scale = 1.0;
        Path out = null;
        Set<String> groups = GROUPS;
        Set<String> devices = DEVICES;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--trials":
                    trials = parseInt(a, value(args, i++));
                    break;
                case "--rounds":
                    rounds = parseInt(a, value(args, i++));
                    break;
                case "--scale":
                    scale = parseDouble(a, value(args, i++));
                    break;
                case "--only":
                    groups = new LinkedHashSet<>(Arrays.asList(value(args, i++).split(",")));
                    break;
                case "--devices":
                    devices = new LinkedHashSet<>(Arrays.asList(value(args, i++).split(",")));
                    break;
                case "--out":
                    out = Path.of(value(args, i++));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        return new BenchmarkOptions(trials, rounds, scale, out, groups, devices);
    }

    public boolean measures(String group) {
        return groups.contains(group);
    }

    public boolean measuresDevice(String device) {
        return devices.contains(device);
    }

    /** {@code base} iterations scaled, at least 1. */
    public int scaled(int base) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(base * scale)));
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static int parseInt(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got '" + v + "'");
        }
    }

    private static double parseDouble(String flag, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'");
        }
    }
}
