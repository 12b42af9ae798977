package io.snapline.recovery;

import io.snapline.recovery.io.LocalHistory;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The restart of failed ranks under sender-based pessimistic message logging ({@code --logging pessimistic}): each
 * failed rank restores a checkpoint of its own (its newest, {@link #newest}) and the other ranks keep running, never
 * rolling back. There is no recovery line to search for; what this class works out is what the restart moves.
 *
 * <p><b>What a failed rank gets again.</b> Every message sent to it that the checkpoint it restores had not received:
 * received after that checkpoint, or not received at all. Normally the sender's log sends it again: a sender that
 * keeps running has logged everything it sent, and a failed sender restores, with its checkpoint, its log of
 * everything it had sent up to there (a log drops a message only once a checkpoint of its receiver holds it). Only
 * when the sender failed too and restores a checkpoint taken before the send does no log hold the message: the
 * sender's re-execution sends it again, and it is delivered, since the receiver's restored state lacks it. Both are
 * counted as received again, apart ({@link Restart#fromLogs()}, {@link Restart#resent()}).
 *
 * <p><b>What a failed rank's re-execution repeats.</b> The sends it made after the checkpoint it restores. Those
 * that their receiver already holds — received by a rank that keeps running (or still in its channel), or received
 * before the checkpoint a failed receiver restores — are suppressed by their number on the channel
 * ({@link Restart#suppressed()}); the others are the re-sent ones above.
 *
 * <p><b>What the counts cover.</b> The messages of the history. A history read from a store of local checkpoints
 * holds the messages the ranks' dependency records list: a rank's sends between its oldest and newest checkpoint in
 * the store, and a send after its newest one that a receiver's later checkpoint recorded receiving. Any other send
 * before its oldest kept checkpoint, or after its newest, is logged all the same but is in no record the store keeps,
 * so it is not counted. The ring of {@link LocalHistory#UNRECORDED} links that stands
 * in for unknown messages below damaged floors is not a message and is left out.
 *
 * <p>Pure functions of their arguments; thread-safe.
 */
public final class LoggedRecovery {
    private LoggedRecovery() {
    }

    /**
     * The restart of one failed rank.
     *
     * @param rank         the failed rank
     * @param checkpoint   the index of the checkpoint it restores in the history (0: its first)
     * @param checkpointId the store's number of that checkpoint (0 for the start of a rank of a local store)
     * @param fromLogs     the messages it gets again from their senders' logs, in history order
     * @param resent       the messages it gets again because their sender, failed too and restoring a checkpoint
     *                     before the send, sends them again as it re-executes; in history order
     * @param suppressed   its own sends after the checkpoint that their receivers already hold, which its
     *                     re-execution repeats and the runtime suppresses; in history order
     */
    public record Restart(int rank, int checkpoint, long checkpointId, List<Message> fromLogs, List<Message> resent,
                          List<Message> suppressed) {
        public Restart {
            fromLogs = List.copyOf(fromLogs);
            resent = List.copyOf(resent);
            suppressed = List.copyOf(suppressed);
        }

        /** How many messages it gets again in all: from the logs and re-sent. */
        public int replays() {
            return fromLogs.size() + resent.size();
        }

        /** True when it restores the start of the job (it has no checkpoint of its own to restore). */
        public boolean fromTheStart() {
            return checkpoint == 0 && checkpointId == 0;
        }
    }

    /**
     * The restart in which every rank of {@code failed} restores its newest checkpoint in {@code history} and every
     * other rank keeps running.
     *
     * @throws RecoveryException if a failed rank does not exist
     */
    public static RecoveryLine newest(History history, int... failed) {
        int[] line = new int[history.rankCount()];
        Arrays.fill(line, RecoveryLine.KEEP_RUNNING);
        for (int r : failed) {
            if (r < 0 || r >= line.length) {
                throw new RecoveryException("failed rank " + r + " does not exist; ranks are 0.." + (line.length - 1));
            }
            line[r] = history.checkpointCount(r) - 1;
        }
        return RecoveryLine.of(line);
    }

    /**
     * What the restart {@code restart} moves: one {@link Restart} per rank that restores a checkpoint in it (a failed
     * rank), in rank order; ranks that keep running have none.
     *
     * @param restart per rank, the checkpoint it restores, or {@link RecoveryLine#KEEP_RUNNING} for a rank that did
     *                not fail
     * @throws RecoveryException if the line does not fit the history
     */
    public static List<Restart> plan(History history, RecoveryLine restart) {
        restart.toCut(history);
        int ranks = history.rankCount();
        List<List<Message>> fromLogs = lists(ranks);
        List<List<Message>> resent = lists(ranks);
        List<List<Message>> suppressed = lists(ranks);
        for (Message m : history.messages()) {
            if (LocalHistory.UNRECORDED.equals(m.name())) {
                continue;
            }
            int to = m.receiver();
            int from = m.sender();
            boolean reexecuted = !restart.keepsRunning(from) && m.senderInterval() >= restart.checkpoint(from);
            boolean needed = !restart.keepsRunning(to)
                && !(m.received() && m.receiverInterval() < restart.checkpoint(to));
            if (needed) {
                (reexecuted ? resent : fromLogs).get(to).add(m);
            } else if (reexecuted) {
                suppressed.get(from).add(m);
            }
        }
        List<Restart> restarts = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            if (!restart.keepsRunning(r)) {
                RankHistory rank = history.rank(r);
                int c = restart.checkpoint(r);
                restarts.add(new Restart(r, c, rank.checkpoint(c).id(), fromLogs.get(r), resent.get(r),
                    suppressed.get(r)));
            }
        }
        return restarts;
    }

    private static List<List<Message>> lists(int ranks) {
        List<List<Message>> lists = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            lists.add(new ArrayList<>());
        }
        return lists;
    }
}
