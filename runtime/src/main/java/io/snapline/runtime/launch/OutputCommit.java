package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RestoreFrom;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Decides when what the ranks print to stdout can be shown: only once no restart can take it back, so that a job
 * that survives failures prints what a failure-free run prints, no line twice and none from a run that was rolled
 * back. This is the output-commit problem of rollback recovery; the answer here is the classic one, releasing output
 * once the state that produced it is recoverable. Used by one thread at a time ({@link HeldOutput} runs it on a thread
 * of its own).
 *
 * <p>Each rank's stdout is a byte stream with absolute offsets that continue across attempts. A rank reports, at each
 * capture, how many bytes it had printed in the attempt ({@link #mark}); the offset goes with the checkpoint. When a
 * checkpoint commits ({@link #committed}), or — for local checkpoints — when the recovery line reaches one
 * ({@link #localLine}), every rank's output before its mark can no longer be re-executed and is written out, in the
 * order it was printed. When an attempt restarts ranks ({@link #startAttempt}), each rank's held output after the
 * checkpoint it restores is dropped: the restarted rank prints it again, or prints what it now computes instead. A
 * restored program runs its setup code again before it takes its state back; what it prints until then
 * ({@link #resumed}) repeats what the checkpointed run printed and is dropped too. At the end of the job everything
 * still held is written ({@link #releaseAll}), or, when the job can be resumed from its store, only what is
 * committed ({@link #releaseCommitted}).
 *
 * <p>Lines stay whole: a line cut by a checkpoint (printed partly before the capture) is shown once its rest has come
 * too, and a newline the launcher added to a killed rank's unfinished last line is taken out again when the restarted
 * rank continues that line.
 *
 * <p>Output is held up to {@link #HOLD_LIMIT} bytes; beyond that the oldest lines are shown before they are committed,
 * with a warning. A restart that goes back past output already shown (that, or a fallback past a damaged checkpoint)
 * does not show the re-executed bytes up to what was shown, and says so.
 *
 * <p>Each line comes with the number of the attempt that printed it: a line of the attempt before that is read only
 * after the restart (a slow pipe) is shown if it came before the checkpoint its rank went back to, and dropped
 * otherwise.
 */
final class OutputCommit {
    /** Bytes held before the oldest lines are written out uncommitted. */
    static final long HOLD_LIMIT = 64L << 20;
    /** Capture offsets kept per rank (a restart goes back to one of the newest few checkpoints). */
    private static final int MARKS_KEPT = 32;

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
    /** {@link #base}, {@link #prologue} and {@link #printed} of the attempt before, for its late lines. */
    private final long[] lastBase;
    private final long[] lastPrologue;
    private final long[] lastPrinted;
    /** Where the attempt before was taken back to, by rank: its output before this offset is committed. */
    private final long[] lastBack;
    /** Output before this offset can never be taken back, by rank. */
    private final long[] committedTo;
    /** Output before this offset has been released, by rank. */
    private final long[] released;
    /** Re-executed output before this offset was shown before a restart went back past it, by rank. */
    private final long[] shownTo;
    /** Per rank: the released start of a line whose rest has not been released yet (prefix included). */
    private final byte[][] fragment;
    /** Per rank: checkpoint id (global id or local number) to the absolute offset of its capture. */
    private final List<TreeMap<Long, Long>> marks = new ArrayList<>();
    /** Per rank: the highest id known to be committed (its mark, when it comes, is committed output). */
    private final long[] committedId;
    /** Per rank: lines of the current attempt printed before the prologue length was known. */
    private final List<List<Line>> early = new ArrayList<>();
    private final LinkedList<Chunk> held = new LinkedList<>();
    private long heldBytes;
    private int attempt = -1;
    private boolean overflowWarned;
    /** The job is over: lines go straight to the sink (or, after {@link #releaseCommitted}, nowhere). */
    private boolean closed;
    private boolean dropLate;

    /**
     * Output printed by one rank, {@code [start, end)} in its absolute stream. {@code added}: {@code data} ends with
     * a newline the launcher added to an unfinished last line, not counted in the offsets.
     */
    private static final class Chunk {
        final int rank;
        final byte[] prefix;
        byte[] data;
        long start;
        long end;
        boolean added;

        Chunk(int rank, byte[] prefix, byte[] data, long start, long end, boolean added) {
            this.rank = rank;
            this.prefix = prefix;
            this.data = data;
            this.start = start;
            this.end = end;
            this.added = added;
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
        this.lastBase = new long[np];
        this.lastPrologue = new long[np];
        this.lastPrinted = new long[np];
        this.lastBack = new long[np];
        this.committedTo = new long[np];
        this.released = new long[np];
        this.shownTo = new long[np];
        this.fragment = new byte[np][];
        this.committedId = new long[np];
        Arrays.fill(committedId, Long.MIN_VALUE);
        Arrays.fill(lastPrologue, -1);
        for (int r = 0; r < np; r++) {
            marks.add(new TreeMap<>());
            early.add(new ArrayList<>());
        }
    }

    /**
     * Attempt {@code number} starts, each rank from what {@code restore} says: held output of each rank after the
     * checkpoint it restores is dropped, and its output in the new attempt continues from there.
     */
    void startAttempt(int number, RestartPoint restore) {
        attempt = number;
        for (int r = 0; r < np; r++) {
            lastBase[r] = base[r];
            lastPrologue[r] = prologue[r];
            lastPrinted[r] = printed[r];
            lastBack[r] = restart(r, restore.rank(r), number > 1);
        }
        drain();
    }

    /**
     * Rank {@code rank} restarts alone in attempt {@code number}, from {@code from} (null: the beginning), while the
     * others run on: as {@link #startAttempt} for that rank. Every line its previous incarnation printed has come.
     */
    void restartRank(int number, int rank, RestoreFrom from) {
        if (number != attempt || closed) {
            return;
        }
        restart(rank, from, true);
        drain();
    }

    /**
     * Takes rank {@code r}'s held output back to the capture of {@code from} (null: the beginning), which becomes
     * committed, and continues its stream from there; returns that offset. {@code thisRun}: {@code from} was taken in
     * this run (not one resumed).
     */
    private long restart(int r, RestoreFrom from, boolean thisRun) {
        long back = 0;
        if (from != null) {
            Long m = marks.get(r).get(from.id().value());
            if (m != null) {
                back = m;
            } else if (thisRun) {
                // Taken in this run, but its offset is no longer known: assume it came after what was shown.
                back = released[r];
                warn.accept("rank " + r + " restarts from " + from + ", and where its output stood then is no "
                        + "longer known: lines it printed around that checkpoint may be missing or repeated");
            } // else a checkpoint of an earlier run, resumed: nothing of this run was printed yet
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
        return back;
    }

    /** Drops rank {@code rank}'s held output after {@code offset}; its stream continues from there. */
    private void dropHeldAfter(int rank, long offset) {
        for (Iterator<Chunk> it = held.iterator(); it.hasNext(); ) {
            Chunk c = it.next();
            if (c.rank != rank) {
                continue;
            }
            if (c.start >= offset) {
                heldBytes -= c.data.length;
                it.remove();
            } else if (c.end > offset) { // printed across the checkpoint: the part before it stays
                int keep = (int) (offset - c.start);
                heldBytes -= c.data.length - keep;
                c.data = Arrays.copyOf(c.data, keep);
                c.end = offset;
                c.added = false;
            } else if (c.added) { // the restarted rank continues the line the launcher ended for it
                c.data = Arrays.copyOf(c.data, c.data.length - 1);
                heldBytes--;
                c.added = false;
            }
        }
    }

    /**
     * Rank {@code rank} printed a line in attempt {@code number}: {@code data}, of which the first {@code counted}
     * bytes are what the rank printed (a newline added to an unfinished last line is not counted).
     */
    void line(int number, int rank, byte[] prefix, byte[] data, int counted) {
        if (number == attempt - 1 || (closed && number < attempt)) {
            if (number == attempt - 1 && !dropLate) {
                late(rank, prefix, data, counted);
                if (closed) {
                    endFragments();
                }
            }
            return;
        }
        if (closed) {
            if (!dropLate) {
                write(prefix, data);
            }
            return;
        }
        if (number != attempt) {
            return;
        }
        long start = printed[rank];
        printed[rank] += counted;
        if (prologue[rank] < 0) {
            early.get(rank).add(new Line(prefix, data, start, start + counted));
            return;
        }
        place(rank, prefix, data, start, start + counted);
    }

    /**
     * A line of the attempt before that came after the restart (its rank's pipe was read late): the part of it before
     * the checkpoint the rank went back to is committed and not released yet, so it is released now; the rest was
     * taken back.
     */
    private void late(int rank, byte[] prefix, byte[] data, int counted) {
        long start = lastPrinted[rank];
        lastPrinted[rank] += counted;
        long p = lastPrologue[rank];
        if (p < 0 || start + counted <= p) {
            return; // setup output of a restored rank, printed again
        }
        long absStart = lastBase[rank] + Math.max(0, start - p);
        long absEnd = lastBase[rank] + (start + counted - p);
        long from = Math.max(absStart, released[rank]);
        long to = Math.min(absEnd, lastBack[rank]);
        if (to <= from) {
            return;
        }
        int skip = (int) (Math.max(0, p - start) + (from - absStart));
        Chunk c = new Chunk(rank, prefix, Arrays.copyOfRange(data, skip, skip + (int) (to - from)), from, to, false);
        heldBytes += c.data.length;
        // Before the rank's output that came after it; committed, so it goes out as soon as nothing older waits.
        ListIterator<Chunk> it = held.listIterator();
        while (it.hasNext()) {
            Chunk next = it.next();
            if (next.rank == rank && next.start >= to) {
                it.previous();
                break;
            }
        }
        it.add(c);
        drain();
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
        held.add(new Chunk(rank, prefix, bytes, absStart, Math.max(absStart, absEnd), data.length > end - start));
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
    void resumed(int number, int rank, long bytes) {
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
    void mark(int number, int rank, long id, long bytes) {
        if (number != attempt || closed) {
            return;
        }
        long p = Math.max(prologue[rank], 0);
        long offset = base[rank] + Math.max(0, bytes - p);
        TreeMap<Long, Long> m = marks.get(rank);
        m.put(id, offset);
        while (m.size() > MARKS_KEPT && m.firstEntry().getValue() < committedTo[rank]) {
            m.pollFirstEntry(); // output before it is final: no restart goes back there
        }
        if (id <= committedId[rank]) {
            commitTo(rank, offset);
        }
    }

    /** Global checkpoint {@code id} committed: every rank's output before its capture for it is final. */
    void committed(long id) {
        for (int r = 0; r < np; r++) {
            committedId[r] = Math.max(committedId[r], id);
            Map.Entry<Long, Long> m = marks.get(r).floorEntry(id);
            if (m != null) {
                commitTo(r, m.getValue());
            }
        }
    }

    /**
     * No restart will take rank {@code r} back before its local checkpoint {@code line[r]} any more (0: the
     * beginning): its output before that checkpoint's capture is final.
     */
    void localLine(long[] line) {
        for (int r = 0; r < Math.min(np, line.length); r++) {
            Long m = line[r] > 0 ? marks.get(r).get(line[r]) : null;
            if (m != null) {
                commitTo(r, m);
            }
        }
    }

    private void commitTo(int rank, long offset) {
        committedTo[rank] = Math.max(committedTo[rank], offset);
        drain();
    }

    /** Releases the held lines, oldest first, as long as the oldest is committed. */
    private void drain() {
        Chunk c;
        while ((c = held.peek()) != null && c.end <= committedTo[c.rank]) {
            release(held.poll());
        }
    }

    /** Writes a chunk, whole lines only: a line's start waits for its rest (see {@link #fragment}). */
    private void release(Chunk c) {
        heldBytes -= c.data.length;
        released[c.rank] = Math.max(released[c.rank], c.end);
        byte[] start = fragment[c.rank];
        // A newline the launcher added stays out until the job ends without the line going on (endFragments).
        byte[] data = c.added ? Arrays.copyOf(c.data, c.data.length - 1) : c.data;
        byte[] text = start == null ? concat(c.prefix, data) : concat(start, data);
        if (text.length > 0 && text[text.length - 1] == '\n') {
            fragment[c.rank] = null;
            write(new byte[0], text);
        } else {
            fragment[c.rank] = text;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void write(byte[] prefix, byte[] data) {
        sink.write(prefix, 0, prefix.length);
        sink.write(data, 0, data.length);
    }

    /** Ends the lines whose rest never came, with a newline, as an unfinished last line is ended. */
    private void endFragments() {
        for (int r = 0; r < np; r++) {
            if (fragment[r] != null) {
                write(fragment[r], new byte[] {'\n'});
                fragment[r] = null;
            }
        }
    }

    /**
     * The job is over: everything held is written, in the order it was printed, and later lines go straight
     * through. A restored rank that ended without taking its state back has its lines shown as they came, with a
     * warning (those its setup code printed may repeat the checkpointed run's).
     */
    void releaseAll() {
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
        endFragments();
        closed = true;
        sink.flush();
    }

    /**
     * The job ends, and a resume of its store will print again what the checkpoints it restores ({@code resumeFrom},
     * null if not known) do not cover: only that output is written; returns how many bytes of output were not. Later
     * lines are dropped.
     */
    long releaseCommitted(RestartPoint resumeFrom) {
        if (closed) {
            return 0;
        }
        for (int r = 0; resumeFrom != null && r < np; r++) {
            RestoreFrom from = resumeFrom.rank(r);
            Long m = from == null ? null : marks.get(r).get(from.id().value());
            if (m != null) {
                committedTo[r] = Math.max(committedTo[r], m);
            }
        }
        long withheld = 0;
        for (Chunk c : held) {
            long to = committedTo[c.rank];
            if (c.end <= to) {
                release(c);
            } else if (c.start < to) { // the line's start is covered: shown now, its rest comes from the resume
                int keep = (int) (to - c.start);
                withheld += c.data.length - keep;
                release(new Chunk(c.rank, c.prefix, Arrays.copyOf(c.data, keep), c.start, to, false));
            } else {
                withheld += c.data.length;
            }
        }
        held.clear();
        heldBytes = 0;
        for (List<Line> e : early) {
            for (Line l : e) {
                withheld += l.data().length;
            }
        }
        endFragments();
        closed = true;
        dropLate = true;
        sink.flush();
        return withheld;
    }
}
