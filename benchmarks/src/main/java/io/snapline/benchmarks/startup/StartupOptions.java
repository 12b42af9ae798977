package io.snapline.benchmarks.startup;

import java.nio.file.Path;
import java.util.List;
import io.snapline.benchmarks.DriverCommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

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

    /** The flags, as picocli reads them ({@link DriverCommandLine}), with their defaults. */
    @Command(name = "snapbench-startup")
    static final class Flags {
        @Option(names = "--ranks", split = ",", converter = WholeNumber.class)
        List<Integer> ranks;
        @Option(names = "--roots", split = ",")
        List<Path> roots;
        @Option(names = "--repetitions", converter = WholeNumber.class)
        int repetitions = 3;
        @Option(names = "--timeout", converter = WholeNumber.class)
        int timeout = 300;
        @Option(names = "--device")
        String device = "shm";
        @Option(names = "--out")
        Path out;
    }

    /** Parses the arguments; {@code here} is the default build. Throws {@link IllegalArgumentException} saying why. */
    public static StartupOptions parse(Path here, String... args) {
        Flags f = DriverCommandLine.parse(new Flags(), args);
        return new StartupOptions(f.ranks == null ? List.of(1, 64, 256, 1024, 2048, 4096) : f.ranks,
                f.roots == null ? List.of(here) : f.roots, f.repetitions, f.timeout, f.device, f.out);
    }

    /** A whole number. */
    static final class WholeNumber implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new DriverCommandLine.BadValue("takes whole numbers, got '" + v + "'");
            }
        }
    }
}
