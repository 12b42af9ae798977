package io.snapline.benchmarks.recovery;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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

    /** Parses the arguments; throws {@link IllegalArgumentException} saying what is wrong. */
    public static RecoveryOptions parse(String... args) {
        List<Integer> ranks = List.of(64, 256, 1024);
        List<Integer> messages = List.of(100_000, 1_000_000, 4_000_000);
        int fixedMessages = 1_000_000;
        int fixedRanks = 1024;
        int checkpoints = 100;
        long seed = 42;
        int warmup = 2;
        int repetitions = 5;
        String xmx = "1g";
        Path out = null;
        Path svg = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = value(args, i++);
            switch (a) {
                case "--ranks" -> ranks = ints(a, v);
                case "--messages" -> messages = ints(a, v);
                case "--fixed-messages" -> fixedMessages = parseInt(a, v);
                case "--fixed-ranks" -> fixedRanks = parseInt(a, v);
                case "--checkpoints" -> checkpoints = parseInt(a, v);
                case "--seed" -> seed = parseLong(a, v);
                case "--warmup" -> warmup = parseInt(a, v);
                case "--repetitions" -> repetitions = parseInt(a, v);
                case "--xmx" -> xmx = v;
                case "--out" -> out = Path.of(v);
                case "--svg" -> svg = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        return new RecoveryOptions(ranks, messages, fixedMessages, fixedRanks, checkpoints, seed, warmup, repetitions,
                xmx, out, svg);
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

    private static String value(String[] args, int i) {
        if (args[i].equals("-h") || args[i].equals("--help")) {
            throw new IllegalArgumentException("-h/--help goes alone");
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static List<Integer> ints(String flag, String v) {
        List<Integer> list = new ArrayList<>();
        for (String s : v.split(",")) {
            list.add(parseInt(flag, s.trim()));
        }
        return list;
    }

    private static int parseInt(String flag, String v) {
        try {
            return Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got '" + v + "'");
        }
    }

    private static long parseLong(String flag, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, got '" + v + "'");
        }
    }
}
