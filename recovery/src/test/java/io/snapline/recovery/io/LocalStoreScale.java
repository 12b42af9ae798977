package io.snapline.recovery.io;

import io.snapline.recovery.LocalRecovery;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A manual scale check (not a unit test): how long reading and verifying a store of local checkpoints takes, and how
 * much heap it needs, when the pieces are large. Writes (once) {@code ranks x checkpoints} local checkpoints of
 * {@code megabytes} MiB of program state each, with lockstep dependency records (every rank sends to its right
 * neighbour in every interval), into {@code DIR}, then reads the history and computes the restart line
 * {@code rounds} times. Run with {@code java -Xmx256m -cp recovery/target/classes:recovery/target/test-classes:...
 * io.snapline.recovery.io.LocalStoreScale DIR [ranks checkpoints megabytes rounds]}.
 */
public final class LocalStoreScale {
    private LocalStoreScale() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int ranks = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int checkpoints = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int megabytes = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        try (FileCheckpointStore store = new FileCheckpointStore(dir)) {
            if (store.localRanks().isEmpty()) {
                write(store, ranks, checkpoints, megabytes);
            }
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                LocalHistory.Read read = LocalHistory.read(store, ranks);
                long readNanos = System.nanoTime() - start;
                long[] line = LocalRecovery.restartLine(read);
                long lineNanos = System.nanoTime() - start - readNanos;
                Runtime rt = Runtime.getRuntime();
                System.out.printf("round %d: read and verified %d pieces of %d MiB in %.1f ms (%.0f MiB/s), line %s "
                        + "in %.2f ms; heap used %d MiB of max %d MiB; %d warning(s)%n", round, ranks * checkpoints,
                        megabytes, readNanos / 1e6, ranks * checkpoints * (double) megabytes / (readNanos / 1e9),
                        Arrays.toString(line), lineNanos / 1e6, (rt.totalMemory() - rt.freeMemory()) >> 20,
                        rt.maxMemory() >> 20, read.warnings().size());
            }
        }
    }

    private static void write(FileCheckpointStore store, int ranks, int checkpoints, int megabytes) {
        byte[] state = new byte[megabytes << 20];
        new SplittableRandom(7).nextBytes(state);
        long[][] sent = new long[ranks][ranks];
        for (int k = 1; k <= checkpoints; k++) {
            for (int r = 0; r < ranks; r++) {
                int right = (r + 1) % ranks;
                int left = (r + ranks - 1) % ranks;
                long seq = ++sent[r][right];
                List<long[]> sends = new ArrayList<>();
                sends.add(new long[] {right, seq});
                List<long[]> receives = new ArrayList<>();
                receives.add(new long[] {left, seq, k - 1});
                byte[] record = LocalJob.record(k - 1, 1_700_000_000_000L + k * 1000L, sent[r], sends, receives);
                RankImage image = new RankImage(r, ranks, k, k * 10L, 3, 0, List.of(), new byte[0], record,
                        ByteBuffer.wrap(state));
                store.writeLocal(r, k, image.encodeParts());
            }
        }
        System.out.printf("wrote %d local checkpoints of %d MiB to %s%n", ranks * checkpoints, megabytes,
                store.root());
    }
}
