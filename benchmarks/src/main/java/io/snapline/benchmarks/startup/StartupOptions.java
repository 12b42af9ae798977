package io.snapline.benchmarks.startup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@link StartupBenchmark}.
 *
 * @param ranks       the rank counts to measure
 * @param roots       the builds to measure (repository roots with {@code bin/snaprun} and built examples); the first
 *                    is the reference the others are compared with
 * @param repetitions timed runs per rank count and build; each figure is their median
 * @param timeout     seconds after which a run is stopped and reported as such
 * @param device      the device ({@code shm}, or {@code tcp} for small rank counts)
 * @param out         where to write the Markdown report as well as standard output, or null
 */
public record StartupOptions(List<Integer> ranks, List<Path> roots, int repetitions, int timeout, String device,
        Path out) {

    public static final String USAGE = String.join("\n",
            "usage: snapbench-startup [--ranks N,...] [--roots DIR,...] [--repetitions R] [--timeout SECONDS]",
            "                         [--device shm|tcp] [--out FILE.md]",
            "",
            "  --ranks N,...       rank counts (default 1,64,256,1024,2048,4096)",
            "  --roots DIR,...     builds to compare, each a repository root whose runtime and examples are built",
            "                      (default: this one); runs alternate between them, the first is the reference",
            "  --repetitions R     timed runs per rank count and build; figures are medians (default 3)",
            "  --timeout SECONDS   a run taking longer is stopped and reported as '> SECONDS s' (default 300)",
            "  --device D          shm (default) or tcp",
            "  --out FILE.md       also write the Markdown report to FILE.md",
            "  -h, --help          this text");

    public StartupOptions {
        ranks = List.copyOf(ranks);
        roots = List.copyOf(roots);
        if (ranks.isEmpty() || ranks.stream().anyMatch(r -> r < 1 || r > 4096)) {
            throw new IllegalArgumentException("--ranks takes rank counts from 1 to 4096, got " + ranks);
        }
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("--roots needs at least one build");
        }
        if (repetitions < 1 || timeout < 1) {
            throw new IllegalArgumentException("need --repetitions >= 1 and --timeout >= 1, got " + repetitions
                    + " and " + timeout);
        }
        if (!device.equals("shm") && !device.equals("tcp")) {
            throw new IllegalArgumentException("--device is shm or tcp, got '" + device + "'");
        }
    }

    /** Parses the arguments; {@code here} is the default build. Throws {@link IllegalArgumentException} saying why. */
    public static StartupOptions parse(Path here, String... args) {
        List<Integer> ranks = List.of(1, 64, 256, 1024, 2048, 4096);
        List<Path> roots = List.of(here);
        int repetitions = 3;
        int timeout = 300;
        String device = "shm";
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = args[++i];
            switch (flag) {
                case "--ranks" -> ranks = ints(flag, v);
                case "--roots" -> {
                    List<Path> r = new ArrayList<>();
                    for (String s : v.split(",")) {
                        r.add(Path.of(s));
                    }
                    roots = r;
                }
                case "--repetitions" -> repetitions = ints(flag, v).get(0);
                case "--timeout" -> timeout = ints(flag, v).get(0);
                case "--device" -> device = v;
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        return new StartupOptions(ranks, roots, repetitions, timeout, device, out);
    }

    private static List<Integer> ints(String flag, String v) {
        List<Integer> out = new ArrayList<>();
        try {
            for (String s : v.split(",")) {
                out.add(Integer.parseInt(s.trim()));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes whole numbers, got '" + v + "'");
        }
        return out;
    }
}
