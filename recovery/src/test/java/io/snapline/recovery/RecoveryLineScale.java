package io.snapline.recovery;

import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A manual scale check (not a unit test): the target of 1,024 ranks x 100 checkpoints x 1,000,000 messages.
 * Messages go between random ranks at random times, so every rank is linked to every other and a failure cascades.
 * Run with {@code java -Xmx1g -cp recovery/target/classes:recovery/target/test-classes
 * io.snapline.recovery.RecoveryLineScale [ranks checkpoints messages]}.
 */
public final class RecoveryLineScale {
    private RecoveryLineScale() {
    }

    public static void main(String[] args) {
        int ranks = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int checkpoints = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int messageCount = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        SplittableRandom random = new SplittableRandom(42);
        long step = 1_000_000L;
        List<RankHistory> rankList = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            List<Checkpoint> own = new ArrayList<>(checkpoints);
            for (int i = 0; i < checkpoints; i++) {
                own.add(new Checkpoint(r, i, i, i * step + random.nextLong(step / 2)));
            }
            rankList.add(new RankHistory(r, "r" + r, own, checkpoints * step));
        }
        List<Message> messages = new ArrayList<>(messageCount);
        for (int m = 0; m < messageCount; m++) {
            int s = random.nextInt(ranks);
            int t = random.nextInt(ranks);
            int si = random.nextInt(checkpoints);
            int ri = Math.min(checkpoints - 1, si + random.nextInt(2)); // received in the same or the next interval
            messages.add(Message.of(s, si, t, ri, m));
        }
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            History history = new History(rankList, messages);
            long t1 = System.nanoTime();
            RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
            long t2 = System.nanoTime();
            RecoveryLine line = analyzer.recoveryLine(Consistency.CONSISTENT, 7, 500);
            long t3 = System.nanoTime();
            RecoveryLine strong = analyzer.recoveryLine(Consistency.STRONGLY_CONSISTENT, 7, 500);
            long t4 = System.nanoTime();
            int useless = analyzer.uselessCheckpoints().size();
            long t5 = System.nanoTime();
            LineAnalysis analysis = analyzer.analyse(line);
            long t6 = System.nanoTime();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("round %d: validate %d ms, graph %d ms, line %d ms, strong line %d ms, useless %d ms"
                    + " (%d), analyse %d ms (%s, %d in transit); line rank 0 -> %d, strong rank 0 -> %d; heap used %d MiB"
                    + " of max %d MiB%n", round, ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), ms(t5 - t4),
                useless, ms(t6 - t5), analysis.consistency(), analysis.inTransit().size(), line.checkpoint(0),
                strong.checkpoint(0), (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
