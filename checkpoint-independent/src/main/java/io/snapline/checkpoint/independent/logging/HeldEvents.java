package io.snapline.checkpoint.independent.logging;

import io.snapline.checkpoint.CheckpointException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The event records a rank holds under {@code --logging causal}: its own records until the event logger has them,
 * and the records of other ranks that its state may depend on, until it learns that the event logger has them.
 *
 * <p>Each rank numbers its records ({@code incarnation << 40 | k}, so that a restarted rank's numbers follow its dead
 * incarnation's). Before a message leaves for rank D, everything held that D may not have is sent ahead of it on the
 * same channel ({@link #toGive}): D then holds the records of every non-deterministic event its state comes to depend
 * on, and a rank that fails can get back, from the ranks that depend on it, every event it must replay. Records of
 * origin D itself are never sent to D, and a record D was given once is not given again (until D restarts:
 * {@link #resetGiven}). The event logger acknowledges each rank's records, and says every so often how far each
 * rank's records are stable ({@link #stable}): those are dropped, so a rank whose records reach the logger quickly
 * piggybacks little.
 *
 * <p>Thread-safe: every method holds this object's monitor. Never call into the messaging while holding it.
 */
public final class HeldEvents {
    /** A record of rank {@code origin}'s event stream ({@link EventRecord}, encoded), numbered {@code number}. */
    public record Held(int origin, long number, byte[] record) {
    }

    private final int me;
    /** Per origin: held records by number. */
    private final List<TreeMap<Long, byte[]>> byOrigin = new ArrayList<>();
    /** Per origin: records numbered up to this are at the event logger. */
    private final long[] stable;
    /** Per destination, per origin: the highest number given to it. */
    private final long[][] given;
    /** How many records are held, for the send path's check without the monitor. */
    private volatile int count;
    private long bytes;
    private long peakBytes;

    public HeldEvents(int ranks, int me) {
        this.me = me;
        this.stable = new long[ranks];
        this.given = new long[ranks][ranks];
        for (int r = 0; r < ranks; r++) {
            byOrigin.add(new TreeMap<>());
        }
    }

    /** Whether nothing is held: a send then gives nothing. No lock. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** This rank's own record {@code number}, just sent to the event logger. */
    public synchronized void own(long number, byte[] record) {
        put(me, number, record);
    }

    /** Records that arrived with a message; ones already held or known to be stable are ignored. */
    public synchronized void add(List<Held> records) {
        add(records, origin -> 0);
    }

    /**
     * As {@link #add}, and returns the records not held here that are numbered below {@code fencedBelow} of their
     * origin: records of an incarnation of it that had failed when this rank said what it held of it (whether or not
     * the logger has records of a later incarnation, which says nothing of these).
     */
    public synchronized List<Held> add(List<Held> records, java.util.function.IntToLongFunction fencedBelow) {
        List<Held> late = List.of();
        for (Held h : records) {
            if (h.origin() == me || h.origin() < 0 || h.origin() >= stable.length) {
                continue;
            }
            boolean had = byOrigin.get(h.origin()).containsKey(h.number());
            put(h.origin(), h.number(), h.record());
            if (!had && h.number() < fencedBelow.applyAsLong(h.origin())) {
                if (late.isEmpty()) {
                    late = new ArrayList<>();
                }
                late.add(h);
            }
        }
        return late;
    }

    /** Whether the record was new here (not held, not known to be stable). */
    private boolean put(int origin, long number, byte[] record) {
        if (number <= stable[origin]) {
            return false;
        }
        if (byOrigin.get(origin).putIfAbsent(number, record) == null) {
            count++;
            bytes += record.length;
            peakBytes = Math.max(peakBytes, bytes);
            return true;
        }
        return false;
    }

    /** The event logger has rank {@code origin}'s records up to {@code number}: they are dropped. */
    public synchronized void stable(int origin, long number) {
        if (number <= stable[origin]) {
            return;
        }
        stable[origin] = number;
        Map<Long, byte[]> dropped = byOrigin.get(origin).headMap(number, true);
        for (byte[] r : dropped.values()) {
            bytes -= r.length;
        }
        count -= dropped.size();
        dropped.clear();
    }

    /** {@link #stable} for every origin at once. */
    public synchronized void stableAll(long[] numbers) {
        for (int o = 0; o < numbers.length && o < stable.length; o++) {
            stable(o, numbers[o]);
        }
    }

    /** The records {@code dest} may not have (none of its own), oldest first per origin; they count as given. */
    public synchronized List<Held> toGive(int dest) {
        List<Held> give = new ArrayList<>();
        for (int o = 0; o < byOrigin.size(); o++) {
            TreeMap<Long, byte[]> held = byOrigin.get(o);
            if (o == dest || held.isEmpty()) {
                continue;
            }
            long from = Math.max(given[dest][o], stable[o]);
            for (Map.Entry<Long, byte[]> e : held.tailMap(from, false).entrySet()) {
                give.add(new Held(o, e.getKey(), e.getValue()));
            }
            given[dest][o] = Math.max(given[dest][o], held.lastKey());
        }
        return give;
    }

    /** {@code dest} restarted: what it was given is gone with its dead incarnation. */
    public synchronized void resetGiven(int dest) {
        java.util.Arrays.fill(given[dest], 0);
    }

    /** The records of {@code origin} held (for its restart: it replays them). */
    public synchronized List<Held> of(int origin) {
        List<Held> of = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : byOrigin.get(origin).entrySet()) {
            of.add(new Held(origin, e.getKey(), e.getValue()));
        }
        return of;
    }

    /** Every record held of another rank (what a checkpoint keeps: the state it captures may depend on them). */
    public synchronized List<Held> others() {
        List<Held> all = new ArrayList<>();
        for (int o = 0; o < byOrigin.size(); o++) {
            if (o != me) {
                for (Map.Entry<Long, byte[]> e : byOrigin.get(o).entrySet()) {
                    all.add(new Held(o, e.getKey(), e.getValue()));
                }
            }
        }
        return all;
    }

    /** Bytes of records held now, and at most so far. */
    public synchronized long[] size() {
        return new long[] {bytes, peakBytes};
    }

    // ------------------------------------------------------------------ encoding

    /** Encoded as: count i32, then each as origin i32, number i64, length i32 and the record. */
    public static byte[] encode(List<Held> records) {
        int length = 4;
        for (Held h : records) {
            length += 16 + h.record().length;
        }
        ByteBuffer b = ByteBuffer.allocate(length).putInt(records.size());
        for (Held h : records) {
            b.putInt(h.origin()).putLong(h.number()).putInt(h.record().length).put(h.record());
        }
        return b.array();
    }

    /** @throws CheckpointException naming {@code where} when the bytes are not such records */
    public static List<Held> decode(byte[] bytes, String where) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int n = b.getInt();
            if (n < 0 || n > b.remaining() / 16) {
                throw new CheckpointException(where + " is damaged: " + n + " held event records");
            }
            List<Held> records = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                int origin = b.getInt();
                long number = b.getLong();
                byte[] r = new byte[b.getInt()];
                b.get(r);
                records.add(new Held(origin, number, r));
            }
            return records;
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new CheckpointException(where + " holds damaged event records: " + e, e);
        }
    }

    // ------------------------------------------------------------------ datums

    /** The most bytes of records one datum carries (a datum is at most 16 KiB with its header). */
    static final int CHUNK = 16 * 1024 - 16;
    private static final byte FIRST = 1;
    private static final byte LAST = 2;

    /**
     * {@code records} as the datums that carry them, each headed by {@code stamp} (the epoch of the message they go
     * ahead of) and whether it is the first and the last of the sequence.
     */
    public static List<byte[]> datums(List<Held> records, int stamp) {
        byte[] all = encode(records);
        List<byte[]> datums = new ArrayList<>(all.length / CHUNK + 1);
        int at = 0;
        do {
            int len = Math.min(CHUNK, all.length - at);
            byte flags = (byte) ((at == 0 ? FIRST : 0) | (at + len == all.length ? LAST : 0));
            datums.add(ByteBuffer.allocate(5 + len).putInt(stamp).put(flags).put(all, at, len).array());
            at += len;
        } while (at < all.length);
        return datums;
    }

    /** The stamp a datum carries ({@link #datums}). */
    public static int stampOf(byte[] datum) {
        return ByteBuffer.wrap(datum).getInt();
    }

    /**
     * Puts the datums of one channel back together ({@link #datums}): {@link #take} returns the records once the last
     * datum of a sequence has come. A sequence a dead sender left unfinished is dropped when the next one begins.
     */
    public static final class Assembler {
        private ByteArrayOutputStream partial;

        /** The records, once {@code datum} ends its sequence; else null. */
        public List<Held> take(byte[] datum, String where) {
            byte flags = datum[4];
            if ((flags & FIRST) != 0) {
                partial = new ByteArrayOutputStream();
            } else if (partial == null) {
                return null; // the rest of a sequence whose beginning was dropped
            }
            partial.write(datum, 5, datum.length - 5);
            if ((flags & LAST) == 0) {
                return null;
            }
            byte[] all = partial.toByteArray();
            partial = null;
            return decode(all, where);
        }

        /** Drops a sequence under way (its sender died). */
        public void reset() {
            partial = null;
        }
    }
}
