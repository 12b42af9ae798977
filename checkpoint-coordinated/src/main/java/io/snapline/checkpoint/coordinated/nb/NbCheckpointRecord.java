package io.snapline.checkpoint.coordinated.nb;

import java.util.Arrays;
import java.util.List;

/**
 * What rank {@code rank} recorded at checkpoint {@code epoch} about its channels: how many messages it had sent to
 * each rank ({@code sentUpTo}), the highest sequence number it had accepted from each rank ({@code acceptedUpTo}),
 * how many it had sent to each when every rank had taken the checkpoint and its recording of non-deterministic
 * events ended ({@code sentWhenAllTook}, at least {@code sentUpTo}), and the late messages it logged afterwards, as
 * (from, seq) in ascending order of rank, then seq. Payloads of late messages and the recorded events live in the
 * runtime's piece, not here. Immutable; accessors return copies of the arrays.
 */
public record NbCheckpointRecord(int rank, int epoch, long[] sentUpTo, long[] acceptedUpTo, long[] sentWhenAllTook,
        List<Late> late) {

    /** One late message logged into the checkpoint: the {@code seq}-th message from rank {@code from}. */
    public record Late(int from, long seq) {
    }

    public NbCheckpointRecord {
        if (sentUpTo.length != acceptedUpTo.length || sentWhenAllTook.length != sentUpTo.length) {
            throw new IllegalArgumentException("record of rank " + rank + " has " + sentUpTo.length
                    + " sent counters but " + acceptedUpTo.length + " accepted counters and " + sentWhenAllTook.length
                    + " counters when all took the checkpoint; all are indexed by rank");
        }
        for (int j = 0; j < sentUpTo.length; j++) {
            if (sentWhenAllTook[j] < sentUpTo[j]) {
                throw new IllegalArgumentException("record of rank " + rank + " sent " + sentUpTo[j] + " messages to"
                        + " rank " + j + " before its checkpoint but only " + sentWhenAllTook[j] + " when all had"
                        + " taken it; counters only grow");
            }
        }
        if (rank < 0 || rank >= sentUpTo.length) {
            throw new IllegalArgumentException("rank " + rank + " is outside 0.." + (sentUpTo.length - 1));
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("checkpoint epoch must be at least 1, got " + epoch);
        }
        sentUpTo = sentUpTo.clone();
        acceptedUpTo = acceptedUpTo.clone();
        sentWhenAllTook = sentWhenAllTook.clone();
        late = List.copyOf(late);
        Late previous = null;
        for (Late l : late) {
            if (l.from() < 0 || l.from() >= sentUpTo.length || l.seq() < 1) {
                throw new IllegalArgumentException("record of rank " + rank + " logs " + l
                        + ", which names no message of a rank in 0.." + (sentUpTo.length - 1));
            }
            if (previous != null && (l.from() < previous.from()
                    || (l.from() == previous.from() && l.seq() <= previous.seq()))) {
                throw new IllegalArgumentException("record of rank " + rank + " lists late messages out of order: "
                        + previous + " before " + l + "; sort by rank, then seq, without repeats");
            }
            previous = l;
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
    public long[] sentWhenAllTook() {
        return sentWhenAllTook.clone();
    }

    /** {@code sentWhenAllTook()[to]} without copying. */
    public long sentWhenAllTook(int to) {
        return sentWhenAllTook[to];
    }

    /** {@code sentUpTo()[to]} without copying. */
    public long sentUpTo(int to) {
        return sentUpTo[to];
    }

    /** {@code acceptedUpTo()[from]} without copying. */
    public long acceptedUpTo(int from) {
        return acceptedUpTo[from];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NbCheckpointRecord r && r.rank == rank && r.epoch == epoch
                && Arrays.equals(r.sentUpTo, sentUpTo) && Arrays.equals(r.acceptedUpTo, acceptedUpTo)
                && Arrays.equals(r.sentWhenAllTook, sentWhenAllTook) && r.late.equals(late);
    }

    @Override
    public int hashCode() {
        return (((rank * 31 + epoch) * 31 + Arrays.hashCode(sentUpTo)) * 31 + Arrays.hashCode(acceptedUpTo)) * 31
                + Arrays.hashCode(sentWhenAllTook) + late.hashCode();
    }

    @Override
    public String toString() {
        return "NbCheckpointRecord[rank=" + rank + ", epoch=" + epoch + ", sentUpTo=" + Arrays.toString(sentUpTo)
                + ", acceptedUpTo=" + Arrays.toString(acceptedUpTo) + ", sentWhenAllTook="
                + Arrays.toString(sentWhenAllTook) + ", late=" + late + "]";
    }
}
