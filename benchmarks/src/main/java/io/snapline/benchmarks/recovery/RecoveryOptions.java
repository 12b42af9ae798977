package io.snapline.benchmarks.recovery;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import io.snapline.benchmarks.DriverCommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@link RecoveryBenchmark}: two series of synthetic history sizes, one scaling the ranks at a
 * fixed message count and one scaling the messages at a fixed rank count, all with the same checkpoints per rank.
 *
 * @param ranks         the rank counts of the first series
 * @param messages      the message counts of the second series
 * @param fixedMessages the message count of the first series
 * @param fixedRanks    the rank count of the second series
 * @param checkpoints   checkpoints per rank, checkpoint 0 included
 * @param seed          the generator's seed
 * @param warmup        discarded repetitions per size
 * @param repetitions   timed repetitions per size; each figure is their median
 * @param xmx           the child JVMs' {@code -Xmx} value ({@code 1g})
 * @param out           where to write the Markdown report as well as standard output, or null
 * @param svg           where to write the plot (time against messages at {@code fixedRanks}), or null
 */
public record RecoveryOptions(List<Integer> ranks, List<Integer> messages, int fixedMessages, int fixedRanks,
        int checkpoints, long seed, int warmup, int repetitions, String xmx, Path out, Path svg) {

    public static final String USAGE = String.join("\n",
            "usage: snapbench-recovery [--ranks N,...] [--messages M,...] [--fixed-messages M] [--fixed-ranks N]",
            "                          [--checkpoints C] [--seed S] [--warmup W] [--repetitions R] [--xmx SIZE]",
            "                          [--out FILE.md] [--svg FILE.svg]",
            "",
            "  --ranks N,...        rank counts at --fixed-messages messages (default 64,256,1024)",
            "  --messages M,...     message counts at --fixed-ranks ranks (default 100000,1000000,4000000)",
            "  --fixed-messages M   messages of the rank series (default 1000000)",
            "  --fixed-ranks N      ranks of the message series (default 1024)",
            "  --checkpoints C      checkpoints per rank, checkpoint 0 included (default 100)",
            "  --seed S             the generator's seed (default 42)",
            "  --warmup W           discarded repetitions per size (default 2)",
            "  --repetitions R      timed repetitions per size; figures are medians (default 5)",
            "  --xmx SIZE           heap limit of the child JVM that measures each size (default 1g)",
            "  --out FILE.md        also write the Markdown report to FILE.md",
            "  --svg FILE.svg       write the plot of time against messages to FILE.svg",
            "  -h, --help           this text");

    public RecoveryOptions {
        ranks = List.copyOf(ranks);
        messages = List.copyOf(messages);
        if (ranks.stream().anyMatch(r -> r < 2) || fixedRanks < 2) {
            throw new IllegalArgumentException("rank counts must be at least 2, got " + ranks + " and " + fixedRanks);
        }
        if (messages.stream().anyMatch(m -> m < 0) || fixedMessages < 0) {
            throw new IllegalArgumentException("message counts cannot be negative, got " + messages + " and "
                    + fixedMessages);
        }
        if (checkpoints < 1 || warmup < 0 || repetitions < 1) {
            throw new IllegalArgumentException("need --checkpoints >= 1, --warmup >= 0 and --repetitions >= 1, got "
                    + checkpoints + ", " + warmup + " and " + repetitions);
        }
        if (!xmx.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("--xmx takes a heap size as java -Xmx does (e.g. 1g, 768m), got '" + xmx
                    + "'");
        }
    }

    public static RecoveryOptions defaults() {
        return parse();
    }

    /** The flags, as picocli reads them ({@link DriverCommandLine}), with their defaults. */
    @Command(name = "snapbench-recovery")
    static final class Flags {
        @Option(names = "--ranks", split = ",", converter = DriverCommandLine.GroupedIntValue.class)
        List<Integer> ranks;
        @Option(names = "--messages", split = ",", converter = DriverCommandLine.GroupedIntValue.class)
        List<Integer> messages;
        @Option(names = "--fixed-messages", converter = DriverCommandLine.GroupedIntValue.class)
        int fixedMessages = 1_000_000;
        @Option(names = "--fixed-ranks", converter = DriverCommandLine.GroupedIntValue.class)
        int fixedRanks = 1024;
        @Option(names = "--checkpoints", converter = DriverCommandLine.GroupedIntValue.class)
        int checkpoints = 100;
        @Option(names = "--seed", converter = DriverCommandLine.LongValue.class)
        long seed = 42;
        @Option(names = "--warmup", converter = DriverCommandLine.GroupedIntValue.class)
        int warmup = 2;
        @Option(names = "--repetitions", converter = DriverCommandLine.GroupedIntValue.class)
        int repetitions = 5;
        @Option(names = "--xmx")
        String xmx = "1g";
        @Option(names = "--out")
        Path out;
        @Option(names = "--svg")
        Path svg;
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} saying what is wrong. */
    public static RecoveryOptions parse(String... args) {
        Flags f = DriverCommandLine.parse(new Flags(), args);
        return new RecoveryOptions(f.ranks == null ? List.of(64, 256, 1024) : f.ranks,
                f.messages == null ? List.of(100_000, 1_000_000, 4_000_000) : f.messages, f.fixedMessages,
                f.fixedRanks, f.checkpoints, f.seed, f.warmup, f.repetitions, f.xmx, f.out, f.svg);
    }

    /** Every size to measure, once each: the rank series, then the message series. */
    public List<SyntheticHistory.Spec> sizes() {
        Set<SyntheticHistory.Spec> sizes = new LinkedHashSet<>();
        for (int r : ranks) {
            sizes.add(new SyntheticHistory.Spec(r, checkpoints, fixedMessages, seed));
        }
        for (int m : messages) {
            sizes.add(new SyntheticHistory.Spec(fixedRanks, checkpoints, m, seed));
        }
        return List.copyOf(sizes);
    }
}
