package io.snapline.recovery;

import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The recovery planner over one {@link History}: recovery lines after failures, the analysis of any line, useless
 * checkpoints, rollback distances and restart plans.
 *
 * <p>A failed rank must restore a checkpoint (its state after its last checkpoint is gone); a rank that did not fail
 * may keep running if that is consistent. The maximum consistent line is found by rolling back from "failed ranks at
 * their last checkpoint, the others running" until no orphan remains ({@link RollbackGraph#propagate}), in
 * O(ranks + checkpoints + messages) time after an equally linear graph build.
 *
 * <p>Immutable after construction and safe to share between threads; the useless checkpoints are computed on first
 * use.
 */
public final class RecoveryAnalyzer {
    private final History history;
    private final RollbackGraph graph;
    private volatile List<Checkpoint> useless;

    public RecoveryAnalyzer(History history) {
        this.history = history;
        this.graph = new RollbackGraph(history);
    }

    public History history() {
        return history;
    }

    public RollbackGraph graph() {
        return graph;
    }

    /**
     * The latest line of the requested kind after {@code failedRanks} failed: every consistent (or strongly
     * consistent) line in which the failed ranks restore a checkpoint is at or before it on every rank.
     *
     * @param target      {@link Consistency#CONSISTENT} (no orphans) or {@link Consistency#STRONGLY_CONSISTENT}
     *                    (no orphans and nothing in transit)
     * @param failedRanks the failed ranks; none means "which line could we stop at now"
     */
    public RecoveryLine recoveryLine(Consistency target, int... failedRanks) {
        if (target == Consistency.INCONSISTENT) {
            throw new RecoveryException("ask for a CONSISTENT or STRONGLY_CONSISTENT recovery line, not an inconsistent one");
        }
        BitSet failed = failedSet(failedRanks);
        int[] start = new int[history.rankCount()];
        for (int r = 0; r < start.length; r++) {
            start[r] = failed.get(r) ? history.checkpointCount(r) - 1 : history.checkpointCount(r);
        }
        return RecoveryLine.fromCut(history, graph.propagate(start, target == Consistency.STRONGLY_CONSISTENT));
    }

    /** The orphan and in-transit messages of {@code line}, and its consistency. One pass over the messages. */
    public LineAnalysis analyse(RecoveryLine line) {
        int[] cut = line.toCut(history);
        List<Message> orphans = new ArrayList<>();
        List<Message> inTransit = new ArrayList<>();
        for (Message m : history.messages()) {
            boolean sentBefore = m.senderInterval() < cut[m.sender()];
            boolean receivedBefore = m.received() && m.receiverInterval() < cut[m.receiver()];
            if (receivedBefore && !sentBefore) {
                orphans.add(m);
            } else if (sentBefore && !receivedBefore) {
                inTransit.add(m);
            }
        }
        Consistency consistency = !orphans.isEmpty() ? Consistency.INCONSISTENT
            : inTransit.isEmpty() ? Consistency.STRONGLY_CONSISTENT : Consistency.CONSISTENT;
        return new LineAnalysis(line, consistency, orphans, inTransit);
    }

    /** The checkpoints on a Z-cycle, which no consistent global checkpoint can contain (Netzer and Xu). */
    public List<Checkpoint> uselessCheckpoints() {
        List<Checkpoint> result = useless;
        if (result == null) {
            boolean[][] marks = graph.uselessIntervals();
            List<Checkpoint> list = new ArrayList<>();
            for (int r = 0; r < marks.length; r++) {
                for (int x = 0; x < marks[r].length; x++) {
                    if (marks[r][x]) {
                        list.add(history.rank(r).checkpoint(x));
                    }
                }
            }
            result = List.copyOf(list);
            useless = result;
        }
        return result;
    }

    /** How far each rank rolls back on {@code line}, given which ranks failed. */
    public List<RollbackDistance> rollbackDistances(RecoveryLine line, int... failedRanks) {
        int[] cut = line.toCut(history);
        BitSet failed = failedSet(failedRanks);
        checkFailedRestore(line, failed);
        List<RollbackDistance> distances = new ArrayList<>(cut.length);
        for (int r = 0; r < cut.length; r++) {
            RankHistory rank = history.rank(r);
            int count = rank.checkpointCount();
            boolean keeps = cut[r] == count;
            long lost = keeps ? 0 : rank.endTimeNanos() - rank.intervalStart(cut[r]);
            int required = failed.get(r) ? count - 1 : count;
            distances.add(new RollbackDistance(r, failed.get(r), line.checkpoint(r), count - cut[r], lost,
                required - cut[r]));
        }
        return distances;
    }

    /** The restart to {@code line}: which checkpoint each rank restores, what to replay and what to suppress. */
    public RestartPlan restartPlan(RecoveryLine line) {
        int[] cut = line.toCut(history);
        List<RestartPlan.RankAction> actions = new ArrayList<>(cut.length);
        for (int r = 0; r < cut.length; r++) {
            boolean keeps = line.keepsRunning(r);
            actions.add(new RestartPlan.RankAction(r, line.checkpoint(r), keeps ? -1 : history.rank(r).checkpoint(cut[r]).id()));
        }
        List<Message> replay = new ArrayList<>();
        List<Message> suppress = new ArrayList<>();
        for (Message m : history.messages()) {
            boolean sentBefore = m.senderInterval() < cut[m.sender()];
            boolean receivedBefore = m.received() && m.receiverInterval() < cut[m.receiver()];
            if (sentBefore && !receivedBefore) {
                replay.add(m);
            } else if (!sentBefore && (receivedBefore || !m.received() && line.keepsRunning(m.receiver()))) {
                suppress.add(m);
            }
        }
        return new RestartPlan(line, actions, replay, suppress);
    }

    /** The full report for the maximum line of kind {@code target} after {@code failedRanks} failed. */
    public RecoveryReport report(Consistency target, int... failedRanks) {
        return report(recoveryLine(target, failedRanks), failedRanks);
    }

    /** The full report for a proposed {@code line} after {@code failedRanks} failed. */
    public RecoveryReport report(RecoveryLine line, int... failedRanks) {
        List<Integer> failed = failedSet(failedRanks).stream().boxed().toList();
        return new RecoveryReport(failed, analyse(line), rollbackDistances(line, failedRanks), restartPlan(line),
            uselessCheckpoints());
    }

    private BitSet failedSet(int[] failedRanks) {
        BitSet failed = new BitSet(history.rankCount());
        for (int r : failedRanks) {
            if (r < 0 || r >= history.rankCount()) {
                throw new RecoveryException("failed rank " + r + " does not exist; ranks are 0.." + (history.rankCount() - 1));
            }
            failed.set(r);
        }
        return failed;
    }

    private void checkFailedRestore(RecoveryLine line, BitSet failed) {
        for (int r = failed.nextSetBit(0); r >= 0; r = failed.nextSetBit(r + 1)) {
            if (line.keepsRunning(r)) {
                throw new RecoveryException("rank " + r + " (" + history.rank(r).name() + ") failed, so the line must"
                    + " restore one of its checkpoints; it cannot keep running");
            }
        }
    }
}
