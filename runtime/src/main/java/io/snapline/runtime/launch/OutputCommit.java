package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RestoreFrom;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Holds what the ranks print to stdout until no restart can take it back, so that a job that survives failures
 * prints exactly what a failure-free run prints: no line twice, none from a run that was rolled back. This is the
 * output-commit problem of rollback recovery; the answer here is the classic one, releasing output only once the
 * state that produced it is recoverable.
 *
 * <p>Each rank's stdout is a byte stream with absolute offsets that continue across attempts. A rank reports, at each
 * capture, how many bytes it had printed in the attempt ({@link #mark}); the offset goes with the checkpoint. When a
 * checkpoint commits ({@link #committed}), or — for local checkpoints — when the recovery line reaches one
 * ({@link #localLine}), every rank's output before its mark can no longer be re-executed and is written out, in the
 * order it was printed. When an attempt restarts ranks ({@link #startAttempt}), each rank's held output after the
 * checkpoint it restores is dropped: the restarted rank prints it again, or prints what it now computes instead. A
 * restored program runs its setup code again before it takes its state back; what it prints until then
 * ({@link #resumed}) repeats what the checkpointed run printed and is dropped too. At the end of the job everything
 * still held is written ({@link #releaseAll}).
 *
 * <p>Output is held in memory up to {@link #HOLD_LIMIT} bytes; beyond that the oldest lines are shown before they
 * are committed, with a warning. A restart that goes back past output already shown (that, or a fallback past a
 * damaged checkpoint) does not show the re-executed bytes up to what was shown; the restart says so.
 *
 * <p>Lines reach this object whole ({@link RankOutput}); an attempt number on every call keeps late lines of an
 * ended attempt out. Thread-safe: every method is synchronized and none blocks on anything but the sink.
 */
final class OutputCommit {
    /** Bytes held before the oldest lines are written out uncommitted. */
    static final long HOLD_LIMIT = 64L << 20;

    private final PrintStream sink;
    private final int np;
    private final long holdLimit;
    private final Consumer<String> warn;
    /** Absolute offset at which the current attempt's output (after its prologue) continues, by rank. */
    private final long[] base;
    /** Bytes the current attempt printed before its program took its state back; -1 until known. */
    private final long[] prologue;
    /** Bytes the current attempt has printed so far, by rank. */
    private final long[] printed;
    /** Output before this offset can never be taken back, by rank. */
    private final long[] committedTo;
    /** Output before this offset has been written to the sink, by rank. */
    private final long[] released;
    /** Re-executed output before this offset was shown before a restart went back past it, by rank. */
    private final long[] shownTo;
    /** Per rank: checkpoint id (global id or local number) to the absolute offset of its capture. */
    private final List<TreeMap<Long, Long>> marks = new ArrayList<>();
    /** Per rank: the highest id known to be committed (its mark, when it comes, is committed output). */
    private final long[] committedId;
    /** Per rank: lines of the current attempt printed before the prologue length was known. */
    private final List<List<Line>> early = new ArrayList<>();
    private final ArrayDeque<Chunk> held = new ArrayDeque<>();
    private long heldBytes;
    private int attempt = -1;
    private boolean overflowWarned;
    private boolean closed;

    /** Output printed by one rank, {@code [start, end)} in its absolute stream; {@code data} may be cut later. */
    private static final class Chunk {
        final int rank;
        final byte[] prefix;
        byte[] data;
        long start;
        long end;

        Chunk(int rank, byte[] prefix, byte[] data, long start, long end) {
            this.rank = rank;
            this.prefix = prefix;
            this.data = data;
            this.start = start;
            this.end = end;
        }
    }

    private record Line(byte[] prefix, byte[] data, long start, long end) {
    }

    OutputCommit(PrintStream sink, int np, Consumer<String> warn) {
        this(sink, np, HOLD_LIMIT, warn);
    }

    OutputCommit(PrintStream sink, int np, long holdLimit, Consumer<String> warn) {
        this.sink = sink;
        this.np = np;
        this.holdLimit = holdLimit;
        this.warn = warn;
        this.base = new long[np];
        this.prologue = new long[np];
        this.printed = new long[np];
        this.committedTo = new long[np];
        this.released = new long[np];
        this.shownTo = new long[np];
        this.committedId = new long[np];
        Arrays.fill(committedId, Long.MIN_VALUE);
        for (int r = 0; r < np; r++) {
            marks.add(new TreeMap<>());
            early.add(new ArrayList<>());
        }
    }

    /**
     * Attempt {@code number} starts, each rank from what {@code restore} says: held output of each rank after the
     * checkpoint it restores is dropped, and its output in the new attempt continues from there.
     */
    synchronized void startAttempt(int number, RestartPoint restore) {
        attempt = number;
        for (int r = 0; r < np; r++) {
            RestoreFrom from = restore.rank(r);
            long back = 0;
            if (from != null) {
                Long m = marks.get(r).get(from.id().value());
                back = m != null ? m : 0; // unknown: a checkpoint of an earlier run, resumed (nothing shown yet)
                marks.get(r).tailMap(from.id().value(), false).clear();
            } else {
                marks.get(r).clear();
            }
            dropHeldAfter(r, back);
            if (released[r] > back) {
                shownTo[r] = Math.max(shownTo[r], released[r]);
                warn.accept("rank " + r + " goes back to " + (from == null ? "the beginning" : from) + ", before "
                        + "output it had already shown (" + (released[r] - back) + " bytes); what it prints again "
                        + "up to there is not shown twice");
            }
            committedTo[r] = back; // what it restores is committed
            committedId[r] = Long.MIN_VALUE;
            base[r] = back;
            printed[r] = 0;
            prologue[r] = from == null ? 0 : -1;
            early.get(r).clear();
        }
        drain();
    }

    private void dropHeldAfter(int rank, long offset) {
        for (Iterator<Chunk> it = held.iterator(); it.hasNext(); ) {
            Chunk c = it.next();
            if (c.rank != rank || c.end <= offset) {
                continue;
            }
            if (c.start >= offset) {
                heldBytes -= c.data.length;
                it.remove();
            } else { // printed across the checkpoint: the part before it stays
                int keep = (int) (offset - c.start);
                heldBytes -= c.data.length - keep;
                c.data = Arrays.copyOf(c.data, keep);
                c.end = offset;
            }
        }
    }

    /**
     * Rank {@code rank} printed a line in attempt {@code number}: {@code data}, of which the first {@code counted}
     * bytes are what the rank printed (a newline added to an unfinished last line is not counted).
     */
    synchronized void line(int number, int rank, byte[] prefix, byte[] data, int counted) {
        if (closed) {
            write(prefix, data);
            return;
        }
        if (number != attempt) {
            return; // a late line of an attempt that has ended; its rank is back at a checkpoint
        }
        long start = printed[rank];
        printed[rank] += counted;
        if (prologue[rank] < 0) {
            early.get(rank).add(new Line(prefix, data, start, start + counted));
            return;
        }
        place(rank, prefix, data, start, start + counted);
    }

    /** Places a line printed at {@code [start, end)} of the current attempt into the rank's absolute stream. */
    private void place(int rank, byte[] prefix, byte[] data, long start, long end) {
        long p = prologue[rank];
        if (end <= p && end > start) {
            return; // the restored program's setup code, printing again what the checkpointed run printed
        }
        long cut = Math.max(0, p - start);
        long absStart = base[rank] + Math.max(0, start - p);
        long absEnd = base[rank] + Math.max(0, end - p);
        if (absEnd <= shownTo[rank] && absEnd > absStart) {
            return; // re-executed output that was shown before the restart went back past it
        }
        cut += Math.max(0, shownTo[rank] - absStart);
        absStart = Math.max(absStart, shownTo[rank]);
        byte[] bytes = cut == 0 ? data : Arrays.copyOfRange(data, (int) Math.min(cut, data.length), data.length);
        held.add(new Chunk(rank, prefix, bytes, absStart, Math.max(absStart, absEnd)));
        heldBytes += bytes.length;
        drain();
        while (heldBytes > holdLimit && !held.isEmpty()) {
            if (!overflowWarned) {
                overflowWarned = true;
                warn.accept("more than " + (holdLimit >> 20) + " MiB of output is waiting for a checkpoint to "
                        + "commit; it is shown now, and a restart does not show it again");
            }
            release(held.poll());
        }
    }

    /**
     * The program of rank {@code rank}, restarted in attempt {@code number}, took back its saved state after printing
     * {@code bytes} bytes in this attempt: those repeat the checkpointed run; what follows is new.
     */
    synchronized void resumed(int number, int rank, long bytes) {
        if (number != attempt || closed || prologue[rank] >= 0) {
            return;
        }
        prologue[rank] = bytes;
        for (Line l : early.get(rank)) {
            place(rank, l.prefix(), l.data(), l.start(), l.end());
        }
        early.get(rank).clear();
    }

    /** Rank {@code rank} captured its state for checkpoint {@code id} after printing {@code bytes} in the attempt. */
    synchronized void mark(int number, int rank, long id, long bytes) {
        if (number != attempt || closed) {
            return;
        }
        long p = Math.max(prologue[rank], 0);
        long offset = base[rank] + Math.max(0, bytes - p);
        marks.get(rank).put(id, offset);
        if (id <= committedId[rank]) {
            commitTo(rank, offset);
        }
    }

    /** Global checkpoint {@code id} committed: every rank's output before its capture for it is final. */
    synchronized void committed(long id) {
        for (int r = 0; r < np; r++) {
            committedId[r] = Math.max(committedId[r], id);
            Map.Entry<Long, Long> m = marks.get(r).floorEntry(id);
            if (m != null) {
                commitTo(r, m.getValue());
            }
            marks.get(r).headMap(id - 16).clear();
        }
        drain();
    }

    /**
     * No restart will take rank {@code r} back before its local checkpoint {@code line[r]} any more (0: the
     * beginning): its output before that checkpoint's capture is final.
     */
    synchronized void localLine(long[] line) {
        for (int r = 0; r < Math.min(np, line.length); r++) {
            Long m = line[r] > 0 ? marks.get(r).get(line[r]) : null;
            if (m != null) {
                committedTo[r] = Math.max(committedTo[r], m);
                marks.get(r).headMap(line[r]).clear();
            }
        }
        drain();
    }

    private void commitTo(int rank, long offset) {
        committedTo[rank] = Math.max(committedTo[rank], offset);
        drain();
    }

    /** Writes out the held lines, oldest first, as long as the oldest is committed. */
    private void drain() {
        Chunk c;
        while ((c = held.peek()) != null && c.end <= committedTo[c.rank]) {
            release(held.poll());
        }
    }

    private void release(Chunk c) {
        heldBytes -= c.data.length;
        released[c.rank] = Math.max(released[c.rank], c.end);
        write(c.prefix, c.data);
    }

    private void write(byte[] prefix, byte[] data) {
        synchronized (sink) {
            sink.write(prefix, 0, prefix.length);
            sink.write(data, 0, data.length);
            sink.flush();
        }
    }

    /**
     * The job is over: everything held is written, in the order it was printed, and later lines go straight
     * through. A restored rank that ended without taking its state back has its lines shown as they came, with a
     * warning (those its setup code printed may repeat the checkpointed run's).
     */
    synchronized void releaseAll() {
        if (closed) {
            return;
        }
        for (int r = 0; r < np; r++) {
            if (prologue[r] < 0 && !early.get(r).isEmpty()) {
                warn.accept("rank " + r + " ended without taking back the state it was restarted from; its output "
                        + "in the last attempt is shown as it came, and what its setup code printed may repeat");
                prologue[r] = 0;
                for (Line l : early.get(r)) {
                    place(r, l.prefix(), l.data(), l.start(), l.end());
                }
                early.get(r).clear();
            }
        }
        while (!held.isEmpty()) {
            release(held.poll());
        }
        closed = true;
    }

    /** Bytes held now (for tests and the run report). */
    synchronized long heldBytes() {
        return heldBytes;
    }
}
