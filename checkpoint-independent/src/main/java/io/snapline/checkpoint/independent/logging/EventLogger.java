package io.snapline.checkpoint.independent.logging;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The event logger of pessimistic message logging (Bouteiller et al., MPICH-V2, SC 2003): the supervisor's stable
 * copy of every rank's determinants (which message each wildcard receive matched, what each test and probe found),
 * outside the rank, so that they survive its failure. A rank numbers its determinants from 0 and sends them in
 * batches ({@link #append}); the answer says how many of its determinants are now stable, and the rank lets no
 * message leave while one it recorded is not: no other rank can then depend on an event the failed rank cannot
 * replay, so no orphan can arise. A checkpoint of the rank makes its older determinants useless
 * ({@link #truncate}); a restart of the rank from a checkpoint replays the ones recorded after it ({@link #from}).
 *
 * <p>Batches are opaque here (the encoded determinants). They must arrive in order on each rank's channel to the
 * supervisor, which is FIFO; a batch the logger already holds (sent again) is acknowledged again, and a gap or a
 * batch that straddles the stable end is refused loudly, since it means a batch was lost or numbered wrongly.
 *
 * <p>Thread safety: every method is synchronized.
 */
public final class EventLogger {
    /** Determinants {@code first .. first + count - 1} of a rank, encoded. */
    public record Batch(long first, int count, byte[] events) {
        public Batch {
            if (first < 0 || count < 1) {
                throw new IllegalArgumentException("a batch holds determinants first.. first+count-1 with first >= 0 "
                        + "and count >= 1, got first " + first + ", count " + count);
            }
        }

        /** The number of the determinant after the batch's last. */
        public long end() {
            return first + count;
        }
    }

    private final ArrayDeque<Batch>[] byRank;
    /** By rank: determinants below this number are stable. */
    private final long[] stable;
    /** By rank: determinants below this number were dropped because a checkpoint of the rank covers them. */
    private final long[] truncated;
    private long bytes;
    private long peak;

    @SuppressWarnings("unchecked")
    public EventLogger(int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("a job has at least one rank, got " + ranks);
        }
        byRank = new ArrayDeque[ranks];
        for (int r = 0; r < ranks; r++) {
            byRank[r] = new ArrayDeque<>();
        }
        stable = new long[ranks];
        truncated = new long[ranks];
    }

    /**
     * Stores a batch of {@code rank}'s determinants and returns how many of them are stable now (every determinant
     * numbered below the result). A batch already held is acknowledged again and not stored twice.
     *
     * @throws IllegalStateException when the batch does not start where the stable determinants end (a batch was
     *     lost, or the rank numbers its determinants wrongly): what a restart would replay would then be wrong
     */
    public synchronized long append(int rank, Batch batch) {
        check(rank);
        if (batch.end() <= stable[rank]) {
            return stable[rank];
        }
        if (batch.first() != stable[rank]) {
            throw new IllegalStateException("rank " + rank + " sent determinants " + batch.first() + ".."
                    + (batch.end() - 1) + " but " + stable[rank] + " is the next the event logger expects: "
                    + (batch.first() > stable[rank] ? "determinants were lost" : "determinants overlap"));
        }
        byRank[rank].addLast(batch);
        stable[rank] = batch.end();
        bytes += batch.events().length;
        peak = Math.max(peak, bytes);
        return stable[rank];
    }

    /** How many of {@code rank}'s determinants are stable: every one numbered below this. */
    public synchronized long stable(int rank) {
        check(rank);
        return stable[rank];
    }

    /**
     * {@code rank} committed a checkpoint whose state is the outcome of its determinants below {@code upTo}: the
     * batches that end at or before it are dropped (a batch that straddles it is kept whole). Returns the bytes freed.
     */
    public synchronized long truncate(int rank, long upTo) {
        check(rank);
        if (upTo > stable[rank]) {
            throw new IllegalStateException("rank " + rank + " checkpointed after determinant " + (upTo - 1) + " but "
                    + "only determinants below " + stable[rank] + " are stable: it sent a message before its "
                    + "determinants were stable");
        }
        truncated[rank] = Math.max(truncated[rank], upTo);
        long freed = 0;
        ArrayDeque<Batch> q = byRank[rank];
        while (!q.isEmpty() && q.peekFirst().end() <= upTo) {
            freed += q.removeFirst().events().length;
        }
        bytes -= freed;
        return freed;
    }

    /**
     * The batches holding {@code rank}'s determinants from number {@code index} on, in order: what a restart of the
     * rank from a checkpoint taken after its determinant {@code index - 1} replays. The first batch may begin before
     * {@code index} (the rank skips what its checkpoint already covers).
     *
     * @throws IllegalStateException when determinants from {@code index} on were dropped (a later checkpoint of the
     *     rank covered them: restarting it from an older one must not be planned)
     */
    public synchronized List<Batch> from(int rank, long index) {
        check(rank);
        if (index < truncated[rank]) {
            throw new IllegalStateException("determinants " + index + ".." + (truncated[rank] - 1) + " of rank " + rank
                    + " were dropped when a checkpoint of the rank covered them; a restart from an older checkpoint "
                    + "cannot replay them");
        }
        List<Batch> out = new ArrayList<>();
        for (Batch b : byRank[rank]) {
            if (b.end() > index) {
                out.add(b);
            }
        }
        return out;
    }

    /** Bytes of determinants held now, over all ranks. */
    public synchronized long bytes() {
        return bytes;
    }

    /** The most bytes held at once. */
    public synchronized long peakBytes() {
        return peak;
    }

    private void check(int rank) {
        if (rank < 0 || rank >= byRank.length) {
            throw new IllegalArgumentException("rank " + rank + " is not a rank of the job (0.." + (byRank.length - 1)
                    + ")");
        }
    }
}
