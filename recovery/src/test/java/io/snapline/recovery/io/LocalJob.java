package io.snapline.recovery.io;

import io.snapline.runtime.checkpoint.DependencyRecord;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A scripted job that checkpoints independently, for tests: sends, receives and checkpoints in the order they
 * happen, with dependency records kept as a rank's dependency tracker does (interval stamps, per-channel sequence
 * numbers) and encoded by hand in its documented byte layout. Each checkpoint is written, as a real rank image, to
 * the store as the rank's next local checkpoint, and kept as an in-memory {@link LocalHistory.Entry}.
 */
public final class LocalJob {
    /** A message on its way: what the receiver's record notes. */
    public record Sent(int from, int to, long seq, int senderInterval) {
    }

    private final int ranks;
    private final LocalCheckpointStore store;
    private final int[] interval;
    private final long[][] sentSoFar;
    private final List<List<long[]>> sends = new ArrayList<>();
    private final List<List<long[]>> receives = new ArrayList<>();
    private final List<List<LocalHistory.Entry>> entries = new ArrayList<>();
    private long clockMillis = 1_700_000_000_000L;

    /** A job of {@code ranks} ranks writing to {@code store} (null: in memory only). */
    public LocalJob(int ranks, LocalCheckpointStore store) {
        this.ranks = ranks;
        this.store = store;
        this.interval = new int[ranks];
        this.sentSoFar = new long[ranks][ranks];
        for (int r = 0; r < ranks; r++) {
            sends.add(new ArrayList<>());
            receives.add(new ArrayList<>());
            entries.add(new ArrayList<>());
        }
    }

    public Sent send(int from, int to) {
        clockMillis++;
        long seq = ++sentSoFar[from][to];
        sends.get(from).add(new long[] {to, seq});
        return new Sent(from, to, seq, interval[from]);
    }

    public LocalJob receive(Sent m) {
        clockMillis++;
        receives.get(m.to()).add(new long[] {m.from(), m.seq(), m.senderInterval()});
        return this;
    }

    /** Sends and receives at once. */
    public Sent deliver(int from, int to) {
        Sent m = send(from, to);
        receive(m);
        return m;
    }

    /** Rank {@code r} takes its next local checkpoint; returns its number. */
    public long checkpoint(int r) {
        clockMillis += 10;
        byte[] record = record(interval[r], clockMillis, sentSoFar[r], sends.get(r), receives.get(r));
        interval[r]++;
        long index = interval[r];
        if (store != null) {
            store.writeLocal(r, index, ByteBuffer.wrap(image(r, ranks, index, record)));
        }
        entries.get(r).add(new LocalHistory.Entry(index, DependencyRecord.decode(record)));
        sends.get(r).clear();
        receives.get(r).clear();
        return index;
    }

    /** Every checkpoint's entry so far, per rank. */
    public List<List<LocalHistory.Entry>> entries() {
        List<List<LocalHistory.Entry>> copy = new ArrayList<>();
        for (List<LocalHistory.Entry> own : entries) {
            copy.add(List.copyOf(own));
        }
        return copy;
    }

    /**
     * A record in {@link DependencyRecord}'s layout: interval i32, closed-at i64, ranks i32, sent-so-far ranks x i64,
     * S i32, S x (to i32, seq i64), R i32, R x (from i32, seq i64, sender's interval i32).
     */
    public static byte[] record(int interval, long closedAtMillis, long[] sentSoFar, List<long[]> sends,
            List<long[]> receives) {
        ByteBuffer b = ByteBuffer.allocate(16 + 8 * sentSoFar.length + 4 + 12 * sends.size() + 4 + 16 * receives.size());
        b.putInt(interval).putLong(closedAtMillis).putInt(sentSoFar.length);
        for (long s : sentSoFar) {
            b.putLong(s);
        }
        b.putInt(sends.size());
        for (long[] s : sends) {
            b.putInt((int) s[0]).putLong(s[1]);
        }
        b.putInt(receives.size());
        for (long[] r : receives) {
            b.putInt((int) r[0]).putLong(r[1]).putInt((int) r[2]);
        }
        return b.array();
    }

    /** A real rank image of local checkpoint {@code index} carrying {@code record}. */
    public static byte[] image(int rank, int ranks, long index, byte[] record) {
        ByteBuffer state = ByteBuffer.wrap(("state of rank " + rank + " at " + index).getBytes(StandardCharsets.UTF_8));
        return new RankImage(rank, ranks, index, index * 7, 3, 0, List.of(), new byte[0], record, state).encode();
    }
}
