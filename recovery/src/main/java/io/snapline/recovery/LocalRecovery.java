package io.snapline.recovery;

import io.snapline.recovery.io.LocalHistory;
import io.snapline.recovery.model.History;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;

/**
 * The restart line of a job that checkpoints independently (each rank on its own, see {@link LocalHistory}): the
 * latest global state every rank can restart from after all of them failed, as local checkpoint numbers.
 *
 * <p><b>Why strongly consistent.</b> The line must leave no orphan (a message received before the line but sent
 * after it: the receiver would keep a message its sender, re-executing, sends again or never sends) and, because
 * independent checkpointing logs no messages, nothing in transit either (a message sent before the line but received
 * after it, or never: its sender will not send it again, having restored a state after the send, and nobody kept a
 * copy, so the receiver would wait for it forever). So the answer is the maximum strongly consistent line with every
 * rank restoring a checkpoint ({@link RecoveryAnalyzer#recoveryLine} with {@link Consistency#STRONGLY_CONSISTENT} and
 * all ranks failed). The domino effect can push it back to the start.
 *
 * <p><b>Garbage collection.</b> The same line bounds what is ever needed again. Fewer failures only allow later
 * lines (the rollback starts higher), so any restart restores, on every rank, a checkpoint at or after this one; and
 * as the job runs on, new checkpoints and messages only add later options and constraints on what lies after the
 * line, so the line never moves back — as long as the checkpoints it names stay readable. Every local checkpoint of
 * rank r numbered below {@code restartLine(read)[r]} may therefore be deleted once the checkpoints of the line are
 * verified and the line is recorded in the store as its floor ({@link LocalHistory#read} starts each rank's history
 * there). A damaged checkpoint counts as absent, which can move the line back: below a damaged floor checkpoint lies
 * only the rank's start.
 *
 * <p>Stateless and thread-safe.
 */
public final class LocalRecovery {
    private LocalRecovery() {
    }

    /**
     * The maximum strongly consistent line when every rank restarts: {@code line[r]} is the local checkpoint rank r
     * restores, 0 for its start. A rank whose history begins at a base k > 0 gets at least k.
     */
    public static long[] restartLine(LocalHistory.Read read) {
        History history = read.history();
        int[] all = new int[history.rankCount()];
        for (int r = 0; r < all.length; r++) {
            all[r] = r;
        }
        RecoveryLine line = new RecoveryAnalyzer(history).recoveryLine(Consistency.STRONGLY_CONSISTENT, all);
        long[] local = new long[all.length];
        for (int r = 0; r < all.length; r++) {
            local[r] = read.localIndex(r, line.checkpoint(r));
        }
        return local;
    }

    /**
     * Why {@link #restartLine(LocalHistory.Read)} is every rank's start although the store holds local checkpoints (one
     * sentence), or null when there is nothing to explain (no rank has a usable checkpoint and none is damaged).
     * Call it only for a line that is all zeros.
     */
    public static String whyTheBeginning(LocalHistory.Read read) {
        int ranks = read.history().rankCount();
        boolean any = false;
        boolean floors = false;
        for (int r = 0; r < ranks; r++) {
            any |= read.last(r) > 0;
            floors |= read.floor(r) > 0;
        }
        if (!read.damaged().isEmpty()) {
            return "it is the only consistent recovery line over the verified local checkpoints, since "
                    + read.damaged().size() + " of them cannot be used ("
                    + String.join("; ", read.damaged().stream().map(LocalHistory.Damage::toString).toList()) + ")"
                    + (floors ? "; the checkpoints below " + read.floors() + " were deleted earlier, when no restart "
                            + "needed them, so a rank that cannot restart from a checkpoint of its own sends every "
                            + "rank back to its start" : "");
        }
        if (any) {
            return "it is the only strongly consistent recovery line: the ranks' local checkpoints are linked by "
                    + "messages sent between them (the domino effect); with --every N the ranks checkpoint at the "
                    + "same steps, or use a coordinated policy";
        }
        return null;
    }

    /** {@link #restartLine(LocalHistory.Read)} of the local checkpoints of ranks {@code 0..ranks-1} in {@code store}. */
    public static long[] restartLine(LocalCheckpointStore store, int ranks) {
        return restartLine(LocalHistory.read(store, ranks));
    }
}
