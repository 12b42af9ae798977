package io.snapline.benchmarks.recovery;

import io.snapline.recovery.Consistency;
import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.model.History;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;

/**
 * Measures the recovery planner on one synthetic history size; {@link RecoveryBenchmark} runs it in a child JVM
 * with a bounded heap, so that finishing at all proves the size fits in that heap, and one size's garbage and JIT
 * state stay out of the next.
 *
 * <p>Per repetition, in this order and each timed on its own: validate and build the {@link History} from the lists,
 * build the {@link RecoveryAnalyzer} (the rollback graph), the consistent line after rank 0 failed, the consistent
 * line after every rank failed, the strongly consistent line after rank 0 failed, and the useless checkpoints. Every
 * repetition builds a new history and analyzer (the analyzer caches the useless checkpoints). The warm-up
 * repetitions are discarded; the result holds the median of the timed ones. Prints one {@link ScaleResult} line.
 *
 * <p>Arguments: {@code RANKS CHECKPOINTS MESSAGES SEED WARMUP REPETITIONS}.
 */
public final class RecoveryScaleRun {
    private static final int FAILED_RANK = 0;

    private RecoveryScaleRun() {
    }

    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: RecoveryScaleRun RANKS CHECKPOINTS MESSAGES SEED WARMUP REPETITIONS");
            System.exit(2);
        }
        SyntheticHistory.Spec spec = new SyntheticHistory.Spec(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), Long.parseLong(args[3]));
        System.out.println(measure(spec, Integer.parseInt(args[4]), Integer.parseInt(args[5])).toLine());
    }

    /** Generates {@code spec}, runs {@code warmup} discarded and {@code repetitions} timed repetitions. */
    public static ScaleResult measure(SyntheticHistory.Spec spec, int warmup, int repetitions) {
        if (warmup < 0 || repetitions < 1) {
            throw new IllegalArgumentException("need warmup >= 0 and repetitions >= 1, got " + warmup + " and "
                    + repetitions);
        }
        long before = usedAfterGc();
        SyntheticHistory input = SyntheticHistory.generate(spec);
        int[] everyRank = new int[spec.ranks()];
        Arrays.setAll(everyRank, r -> r);
        long[][] nanos = new long[6][repetitions];
        RecoveryAnalyzer analyzer = null;
        RecoveryLine one = null;
        RecoveryLine all = null;
        int useless = 0;
        usedAfterGc();
        resetPeaks();
        for (int rep = -warmup; rep < repetitions; rep++) {
            analyzer = null; // the previous repetition's history and graph are garbage from here on
            long t0 = System.nanoTime();
            History history = input.build();
            long t1 = System.nanoTime();
            analyzer = new RecoveryAnalyzer(history);
            long t2 = System.nanoTime();
            one = analyzer.recoveryLine(Consistency.CONSISTENT, FAILED_RANK);
            long t3 = System.nanoTime();
            all = analyzer.recoveryLine(Consistency.CONSISTENT, everyRank);
            long t4 = System.nanoTime();
            RecoveryLine strong = analyzer.recoveryLine(Consistency.STRONGLY_CONSISTENT, FAILED_RANK);
            long t5 = System.nanoTime();
            useless = analyzer.uselessCheckpoints().size();
            long t6 = System.nanoTime();
            if (strong.rankCount() != spec.ranks()) {
                throw new IllegalStateException("the strongly consistent line has " + strong.rankCount() + " ranks");
            }
            if (rep >= 0) {
                long[] t = {t0, t1, t2, t3, t4, t5, t6};
                for (int p = 0; p < 6; p++) {
                    nanos[p][rep] = t[p + 1] - t[p];
                }
            }
        }
        long peak = peakHeap();
        long live = usedAfterGc() - before;
        long maxHeap = Runtime.getRuntime().maxMemory();
        int rolledBack = 0;
        for (int r = 0; r < spec.ranks(); r++) {
            rolledBack += one.keepsRunning(r) ? 0 : 1;
        }
        ScaleResult result = new ScaleResult(spec, median(nanos[0]), median(nanos[1]), median(nanos[2]),
                median(nanos[3]), median(nanos[4]), median(nanos[5]), live, peak, maxHeap, rolledBack,
                depth(analyzer.history(), one), depth(analyzer.history(), all), useless, repetitions);
        reachable(input, analyzer);
        return result;
    }

    /** Checkpoints rolled back on {@code line}, summed over the ranks; a rank that keeps running rolls back none. */
    static long depth(History history, RecoveryLine line) {
        long total = 0;
        for (int r = 0; r < line.rankCount(); r++) {
            if (!line.keepsRunning(r)) {
                total += history.checkpointCount(r) - line.checkpoint(r);
            }
        }
        return total;
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    private static void resetPeaks() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** Keeps the input and the analyzer reachable until after the live-heap measurement. */
    private static void reachable(Object... objects) {
        java.lang.ref.Reference.reachabilityFence(objects);
    }
}
