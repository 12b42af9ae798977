package io.snapline.checkpoint.coordinated.nb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How every rank restarts from one committed checkpoint, computed from all ranks' {@link NbCheckpointRecord}s of
 * that checkpoint. For rank {@code r}:
 * <ul>
 *   <li>{@code sentUpTo[j]}: r's send counter to j resumes here (re-executed sends get the same seqs);</li>
 *   <li>{@code suppressUpTo[j]} = j's {@code acceptedUpTo[r]}: re-executed sends to j with seq at or below it were
 *       early messages j already has, and complete locally without being sent;</li>
 *   <li>{@code reinject}: the late messages r logged, to put back into r's mailbox after the messages saved with
 *       its state, per channel in seq order (payloads come from r's piece);</li>
 *   <li>{@code acceptedUpTo[i]}: r's accept counter from i once the late messages are back, i.e.
 *       {@code max(recorded acceptedUpTo[i], i's sentUpTo[r])};</li>
 *   <li>{@code reproducibleUpTo[i]} = i's {@code sentWhenAllTook[r]}: i's re-execution repeats its messages to r up
 *       to this number exactly (its own recorded events are replayed up to there); r's replay of its recorded events
 *       ends, freely, at the first event that observed a message from i numbered above it.</li>
 * </ul>
 * {@link #of(List)} rejects records that do not form one complete checkpoint of one job.
 */
public final class RestartPlan {

    /** The restart of one rank; see {@link RestartPlan}. Arrays are indexed by rank; accessors return copies. */
    public record RankPlan(int rank, int epoch, long[] sentUpTo, long[] acceptedUpTo, long[] suppressUpTo,
                           long[] reproducibleUpTo, List<NbCheckpointRecord.Late> reinject) {

        public RankPlan {
            sentUpTo = sentUpTo.clone();
            acceptedUpTo = acceptedUpTo.clone();
            suppressUpTo = suppressUpTo.clone();
            reproducibleUpTo = reproducibleUpTo.clone();
            reinject = List.copyOf(reinject);
            if (acceptedUpTo.length != sentUpTo.length || suppressUpTo.length != sentUpTo.length
                    || reproducibleUpTo.length != sentUpTo.length) {
                throw new IllegalArgumentException("plan of rank " + rank + " has counters of different lengths");
            }
        }

        /** The number of ranks in the job. */
        public int ranks() {
            return sentUpTo.length;
        }

        @Override
        public long[] sentUpTo() {
            return sentUpTo.clone();
        }

        @Override
        public long[] acceptedUpTo() {
            return acceptedUpTo.clone();
        }

        @Override
        public long[] suppressUpTo() {
            return suppressUpTo.clone();
        }

        @Override
        public long[] reproducibleUpTo() {
            return reproducibleUpTo.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RankPlan p && p.rank == rank && p.epoch == epoch && Arrays.equals(p.sentUpTo, sentUpTo)
                    && Arrays.equals(p.acceptedUpTo, acceptedUpTo) && Arrays.equals(p.suppressUpTo, suppressUpTo)
                    && Arrays.equals(p.reproducibleUpTo, reproducibleUpTo) && p.reinject.equals(reinject);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(new int[] {rank, epoch, Arrays.hashCode(sentUpTo), Arrays.hashCode(acceptedUpTo),
                    Arrays.hashCode(suppressUpTo), Arrays.hashCode(reproducibleUpTo), reinject.hashCode()});
        }

        @Override
        public String toString() {
            return "RankPlan[rank=" + rank + ", epoch=" + epoch + ", sentUpTo=" + Arrays.toString(sentUpTo)
                    + ", acceptedUpTo=" + Arrays.toString(acceptedUpTo) + ", suppressUpTo="
                    + Arrays.toString(suppressUpTo) + ", reproducibleUpTo=" + Arrays.toString(reproducibleUpTo)
                    + ", reinject=" + reinject + "]";
        }
    }

    private final int epoch;
    private final List<RankPlan> ranks;

    private RestartPlan(int epoch, List<RankPlan> ranks) {
        this.epoch = epoch;
        this.ranks = List.copyOf(ranks);
    }

    /**
     * Computes the plan from the records of one committed checkpoint, one per rank, in any order.
     *
     * @throws IllegalArgumentException if the records are empty, of different jobs (rank counts) or checkpoints
     *     (epochs), miss or repeat a rank, or if a rank's late messages are not exactly the messages its peer sent
     *     before the checkpoint and it had not accepted before its own (an incomplete checkpoint)
     */
    public static RestartPlan of(List<NbCheckpointRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint records: a restart needs the record of every rank");
        }
        int n = records.size();
        NbCheckpointRecord[] byRank = new NbCheckpointRecord[n];
        NbCheckpointRecord first = records.get(0);
        for (NbCheckpointRecord r : records) {
            if (r.ranks() != n) {
                throw new IllegalArgumentException("record of rank " + r.rank() + " is for a job of " + r.ranks()
                        + " ranks, but " + n + " records were given; pass exactly one record per rank of one job");
            }
            if (r.epoch() != first.epoch()) {
                throw new IllegalArgumentException("record of rank " + r.rank() + " is for checkpoint " + r.epoch()
                        + " but the record of rank " + first.rank() + " is for checkpoint " + first.epoch()
                        + "; a restart uses the pieces of one committed checkpoint");
            }
            if (byRank[r.rank()] != null) {
                throw new IllegalArgumentException("two records for rank " + r.rank() + " of checkpoint "
                        + r.epoch() + "; pass exactly one record per rank");
            }
            byRank[r.rank()] = r;
        }
        List<RankPlan> plans = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            plans.add(planFor(byRank, r));
        }
        return new RestartPlan(first.epoch(), plans);
    }

    private static RankPlan planFor(NbCheckpointRecord[] byRank, int r) {
        int n = byRank.length;
        NbCheckpointRecord me = byRank[r];
        long[] accepted = new long[n];
        long[] suppress = new long[n];
        long[] reproducible = new long[n];
        for (int i = 0; i < n; i++) {
            long peerSent = byRank[i].sentUpTo(r);
            long acceptedAt = me.acceptedUpTo(i);
            checkLate(me, i, acceptedAt, peerSent);
            accepted[i] = Math.max(acceptedAt, peerSent);
            suppress[i] = byRank[i].acceptedUpTo(r);
            reproducible[i] = byRank[i].sentWhenAllTook(r);
        }
        return new RankPlan(r, me.epoch(), me.sentUpTo(), accepted, suppress, reproducible, me.late());
    }

    private static void checkLate(NbCheckpointRecord me, int from, long acceptedAt, long peerSent) {
        List<Long> logged = new ArrayList<>();
        for (NbCheckpointRecord.Late l : me.late()) {
            if (l.from() == from) {
                logged.add(l.seq());
            }
        }
        long expectedCount = Math.max(0, peerSent - acceptedAt);
        boolean ok = logged.size() == expectedCount;
        for (int k = 0; ok && k < logged.size(); k++) {
            ok = logged.get(k) == acceptedAt + 1 + k;
        }
        if (!ok) {
            String expected = expectedCount == 0 ? "none" : "seqs " + (acceptedAt + 1) + ".." + peerSent;
            throw new IllegalArgumentException("record of rank " + me.rank() + " for checkpoint " + me.epoch()
                    + " is incomplete: from rank " + from + " it logged late seqs " + logged + " but expected "
                    + expected + " (rank " + from + " sent up to " + peerSent + ", rank " + me.rank()
                    + " had accepted up to " + acceptedAt + "); use a committed checkpoint");
        }
    }

    /** The checkpoint the job restarts from. */
    public int epoch() {
        return epoch;
    }

    /** The number of ranks. */
    public int ranks() {
        return ranks.size();
    }

    /** The plan of rank {@code rank}. */
    public RankPlan rank(int rank) {
        return ranks.get(rank);
    }

    @Override
    public String toString() {
        return "RestartPlan[epoch=" + epoch + ", ranks=" + ranks + "]";
    }
}
