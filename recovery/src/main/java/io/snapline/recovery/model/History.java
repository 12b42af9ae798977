package io.snapline.recovery.model;

import io.snapline.recovery.RecoveryException;

import java.util.List;

/**
 * The execution history of a job: per rank its checkpoints, and the messages between ranks. Immutable and validated
 * on construction, so every analysis can trust it.
 *
 * <p>Rules checked: at least one rank; rank {@code i} sits at position {@code i}; every rank has checkpoint 0;
 * checkpoint indices are their positions and their times never go backwards; a rank ends no earlier than its last
 * checkpoint; a message names ranks that exist and intervals that exist (interval {@code i} lies between
 * checkpoints {@code i} and {@code i + 1}, so a rank with {@code c} checkpoints has intervals {@code 0..c-1}); a
 * message to oneself is not received before it is sent; known times lie inside their intervals and a receive does
 * not precede its send. A violation throws {@link RecoveryException} naming the rank or message.
 *
 * @param ranks    one entry per rank, rank {@code i} at position {@code i}
 * @param messages every message, in any order (reports keep this order)
 */
public record History(List<RankHistory> ranks, List<Message> messages) {

    public History {
        ranks = List.copyOf(ranks);
        messages = List.copyOf(messages);
        if (ranks.isEmpty()) {
            throw new RecoveryException("a history needs at least one rank");
        }
        for (int r = 0; r < ranks.size(); r++) {
            checkRank(r, ranks.get(r));
        }
        for (int m = 0; m < messages.size(); m++) {
            checkMessage(m, messages.get(m), ranks);
        }
    }

    public int rankCount() {
        return ranks.size();
    }

    public RankHistory rank(int rank) {
        return ranks.get(rank);
    }

    /** The number of checkpoints of {@code rank} (at least 1). */
    public int checkpointCount(int rank) {
        return ranks.get(rank).checkpointCount();
    }

    /** The number of checkpoints over all ranks. */
    public int totalCheckpoints() {
        int total = 0;
        for (RankHistory rank : ranks) {
            total += rank.checkpointCount();
        }
        return total;
    }

    /** The rank named {@code name}, or -1. */
    public int rankNamed(String name) {
        for (RankHistory rank : ranks) {
            if (rank.name().equals(name)) {
                return rank.rank();
            }
        }
        return -1;
    }

    private static void checkRank(int r, RankHistory rank) {
        if (rank.rank() != r) {
            throw new RecoveryException("rank " + rank.rank() + " (" + rank.name() + ") is at position " + r
                + " of the rank list; list ranks in order 0, 1, 2, ...");
        }
        List<Checkpoint> checkpoints = rank.checkpoints();
        if (checkpoints.isEmpty()) {
            throw new RecoveryException("rank " + r + " has no checkpoints; every rank needs checkpoint 0, the initial"
                + " state at job start");
        }
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint c = checkpoints.get(i);
            if (c.rank() != r || c.index() != i) {
                throw new RecoveryException("checkpoint " + c.index() + " of rank " + c.rank() + " is listed as checkpoint "
                    + i + " of rank " + r + "; list each rank's own checkpoints in order, starting at index 0");
            }
            if (c.timeNanos() < previous) {
                throw new RecoveryException("checkpoint " + i + " of rank " + r + " is taken at " + c.timeNanos()
                    + " ns, before checkpoint " + (i - 1) + " at " + previous + " ns; checkpoint times must not go back");
            }
            previous = c.timeNanos();
        }
        if (rank.endTimeNanos() < previous) {
            throw new RecoveryException("rank " + r + " ends at " + rank.endTimeNanos() + " ns, before its last checkpoint at "
                + previous + " ns; the end of a rank's history is its failure or the present, after every checkpoint");
        }
    }

    private static void checkMessage(int m, Message message, List<RankHistory> ranks) {
        String what = "message " + m + " (" + message.label() + ")";
        int n = ranks.size();
        if (message.sender() < 0 || message.sender() >= n) {
            throw new RecoveryException(what + ": sender " + message.sender() + " is not a rank; ranks are 0.." + (n - 1));
        }
        if (message.receiver() < 0 || message.receiver() >= n) {
            throw new RecoveryException(what + ": receiver " + message.receiver() + " is not a rank; ranks are 0.." + (n - 1));
        }
        RankHistory sender = ranks.get(message.sender());
        RankHistory receiver = ranks.get(message.receiver());
        checkInterval(what + ": send", message.senderInterval(), sender);
        if (message.received()) {
            checkInterval(what + ": receive", message.receiverInterval(), receiver);
            if (message.sender() == message.receiver() && message.receiverInterval() < message.senderInterval()) {
                throw new RecoveryException(what + ": rank " + message.sender() + " receives it in interval "
                    + message.receiverInterval() + ", before sending it in interval " + message.senderInterval());
            }
        } else if (message.hasReceiveTime()) {
            throw new RecoveryException(what + ": has a receive time but no receive interval; give both or neither");
        }
        if (message.hasSendTime()) {
            checkTime(what + ": send time", message.sendTime(), message.senderInterval(), sender);
        }
        if (message.hasReceiveTime()) {
            checkTime(what + ": receive time", message.receiveTime(), message.receiverInterval(), receiver);
            if (message.hasSendTime() && message.receiveTime() < message.sendTime()) {
                throw new RecoveryException(what + ": received at " + message.receiveTime() + " ns, before it was sent at "
                    + message.sendTime() + " ns");
            }
        }
    }

    private static void checkInterval(String what, int interval, RankHistory rank) {
        int last = rank.checkpointCount() - 1;
        if (interval < 0 || interval > last) {
            throw new RecoveryException(what + " interval " + interval + " does not exist on rank " + rank.rank() + " ("
                + rank.name() + "), which has " + rank.checkpointCount() + " checkpoint(s) and so intervals 0.." + last
                + " (interval i lies between checkpoints i and i+1; the last one is open)");
        }
    }

    private static void checkTime(String what, long time, int interval, RankHistory rank) {
        long start = rank.intervalStart(interval);
        long end = rank.intervalEnd(interval);
        if (time < start || time > end) {
            throw new RecoveryException(what + " " + time + " ns lies outside interval " + interval + " of rank "
                + rank.rank() + " (" + rank.name() + "), which runs from " + start + " to " + end + " ns");
        }
    }
}
