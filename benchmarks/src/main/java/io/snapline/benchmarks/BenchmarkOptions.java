package io.snapline.benchmarks;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
 * @param compareFlags the launcher flags the {@code piggyback} group runs ping-pong and stream under, next to the
 *               same jobs under {@code --checkpoint none}; a {@code --store} in a fresh temporary directory is added
 *               when they hold none
 */
public record BenchmarkOptions(int trials, int rounds, double scale, Path out, Set<String> groups, Set<String> devices,
        List<String> compareFlags) {
    /** The groups of figures measured by default, in the order they are measured. */
    public static final Set<String> GROUPS = Set.of("latency", "bandwidth", "collectives");
    /**
     * The groups measured only when {@code --only} names them: {@code piggyback}, 8-byte ping-pong and 1 MiB stream
     * under {@code --checkpoint none} and under {@link #compareFlags()} side by side.
     */
    public static final Set<String> EXTRA_GROUPS = Set.of("piggyback");
    /** The default {@link #compareFlags()}: the non-blocking coordinated policy, with no checkpoint during the run. */
    public static final List<String> DEFAULT_COMPARE_FLAGS = List.of("--checkpoint", "coordinated-nb", "--interval", "1h");
    /** The devices: {@code shm} (ranks as threads of this JVM) and {@code tcp} (a JVM per rank, loopback sockets). */
    public static final Set<String> DEVICES = Set.of("shm", "tcp");

    public static final String USAGE = String.join("\n",
            "usage: snapbench [--trials N] [--rounds R] [--scale F] [--only GROUP,...] [--devices DEV,...]",
            "                 [--compare-flags 'FLAGS'] [--out FILE.md]",
            "",
            "  --trials N     timed trials per figure and round; the median is taken (default 7)",
            "  --rounds R     run the whole suite R times and report the median of the rounds (default 3)",
            "  --scale F      multiply every iteration count by F (default 1.0; e.g. 0.1 for a rough quick run)",
            "  --only G,...   measure only these groups: latency, bandwidth, collectives (default all three), and",
            "                 piggyback (only when named: ping-pong and stream under --checkpoint none and under",
            "                 the --compare-flags, side by side)",
            "  --compare-flags 'FLAGS'  launcher flags of the piggyback group's second column",
            "                 (default '--checkpoint coordinated-nb --interval 1h'; a temporary --store is added)",
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
        if (groups.isEmpty() || !groups.stream().allMatch(g -> GROUPS.contains(g) || EXTRA_GROUPS.contains(g))) {
            throw new IllegalArgumentException("--only takes groups from latency, bandwidth, collectives, piggyback; got "
                    + groups);
        }
        if (compareFlags.isEmpty() || !compareFlags.contains("--checkpoint")) {
            throw new IllegalArgumentException("--compare-flags must name a policy with --checkpoint (e.g. '--checkpoint"
                    + " coordinated-nb --interval 1h'), got '" + String.join(" ", compareFlags) + "'");
        }
        compareFlags = List.copyOf(compareFlags);
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

    /** Options with the default {@link #compareFlags()}. */
    public BenchmarkOptions(int trials, int rounds, double scale, Path out, Set<String> groups, Set<String> devices) {
        this(trials, rounds, scale, out, groups, devices, DEFAULT_COMPARE_FLAGS);
    }

    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(7, 3, 1.0, null, GROUPS, DEVICES);
    }

    /** The flags, as picocli reads them ({@link DriverCommandLine}). */
    @Command(name = "snapbench")
    static final class Flags {
        @Option(names = "--trials", converter = DriverCommandLine.IntValue.class)
        int trials = 7;
        @Option(names = "--rounds", converter = DriverCommandLine.IntValue.class)
        int rounds = 3;
        @Option(names = "--scale", converter = DriverCommandLine.DoubleValue.class)
        double scale = 1.0;
        @Option(names = "--only", split = ",")
        List<String> only;
        @Option(names = "--devices", split = ",")
        List<String> devices;
        @Option(names = "--compare-flags")
        String compareFlags;
        @Option(names = "--out")
        Path out;
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} saying what is wrong. */
    public static BenchmarkOptions parse(String... args) {
        Flags f = DriverCommandLine.parse(new Flags(), args);
        return new BenchmarkOptions(f.trials, f.rounds, f.scale, f.out, f.only == null ? GROUPS
                : new LinkedHashSet<>(f.only), f.devices == null ? DEVICES : new LinkedHashSet<>(f.devices),
                f.compareFlags == null ? DEFAULT_COMPARE_FLAGS
                        : DriverCommandLine.words(f.compareFlags));
    }

    public boolean measures(String group) {
        return groups.contains(group);
    }

    /** Whether any group of {@link #GROUPS} (the ones compared with raw baselines) is measured. */
    public boolean measuresBaselineGroups() {
        return groups.stream().anyMatch(GROUPS::contains);
    }

    public boolean measuresDevice(String device) {
        return devices.contains(device);
    }

    /** {@code base} iterations scaled, at least 1. */
    public int scaled(int base) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(base * scale)));
    }
}
