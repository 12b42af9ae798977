package io.snapline.runtime.launch;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Routes what rank threads print to one sink a whole line at a time, so lines of different ranks never interleave
 * within a line; optionally prefixes each line with {@code [rank] }. Each thread collects its bytes until a newline,
 * then writes the line to the sink in one locked step. Threads that belong to no rank write through unchanged.
 * A rank's threads (and the threads they start) are recognised through an inheritable thread-local.
 *
 * <p>A line that a rank thread leaves unfinished is written, with a newline added, by {@link #flushPartialLine()}
 * when the rank ends.
 *
 * <p>Given a {@link HeldOutput}, lines go there instead of to the sink (it holds them until no restart can take
 * them back), and the bytes each rank printed are counted, so that the rank's captures and restores can say where in
 * its output they fall ({@link #captured}, {@link #resumed}).
 */
final class RankOutput extends OutputStream {
    private static final InheritableThreadLocal<Integer> RANK = new InheritableThreadLocal<>();

    private final PrintStream sink;
    private final byte[][] prefixes;
    private final ThreadLocal<LineBuffer> line = ThreadLocal.withInitial(LineBuffer::new);
    private final HeldOutput commit;
    private final int attempt;
    private final java.util.concurrent.atomic.AtomicLongArray printed;

    /**
     * @param sink where whole lines go
     * @param np   number of ranks (for the prefixes)
     * @param tag  whether to prefix lines with {@code [rank] }
     */
    RankOutput(PrintStream sink, int np, boolean tag) {
        this(sink, np, tag, null, 0);
    }

    /**
     * @param commit  where lines go instead of {@code sink}, or null to write them straight to it
     * @param attempt the attempt the ranks' lines belong to, for {@code commit}
     */
    RankOutput(PrintStream sink, int np, boolean tag, HeldOutput commit, int attempt) {
        this.sink = sink;
        this.commit = commit;
        this.attempt = attempt;
        this.printed = new java.util.concurrent.atomic.AtomicLongArray(np);
        this.prefixes = new byte[np][];
        for (int r = 0; r < np; r++) {
            prefixes[r] = tag ? ("[" + r + "] ").getBytes(StandardCharsets.US_ASCII) : new byte[0];
        }
    }

    /** Marks the current thread (and threads it starts later) as belonging to {@code rank}. */
    static void enterRank(int rank) {
        RANK.set(rank);
    }

    static void leaveRank() {
        RANK.remove();
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Integer rank = RANK.get();
        if (rank == null || rank >= prefixes.length) {
            synchronized (sink) {
                sink.write(b, off, len);
            }
            return;
        }
        LineBuffer buf = line.get();
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                buf.write(b, start, i + 1 - start);
                emit(rank, buf, buf.size());
                start = i + 1;
            }
        }
        buf.write(b, start, end - start);
    }

    /** Writes out the current thread's unfinished line, if any, ending it with a newline. */
    void flushPartialLine() {
        Integer rank = RANK.get();
        LineBuffer buf = line.get();
        if (rank != null && rank < prefixes.length && buf.size() > 0) {
            int counted = buf.size();
            buf.write('\n');
            emit(rank, buf, counted);
        }
    }

    /**
     * Rank {@code rank} captured its state for checkpoint {@code id}: marks its output so far. An unfinished line of
     * the calling thread (a program that prints "x = " before a safe point) is passed on first, without a newline, so
     * that the mark falls after it whatever other threads of the rank print next.
     */
    void captured(int rank, long id) {
        if (commit != null) {
            synchronized (printed) {
                passUnfinished(rank);
                commit.mark(attempt, rank, id, printed.get(rank));
            }
        }
    }

    /** Rank {@code rank}'s restarted program took its states back: its output so far repeats the checkpointed run. */
    void resumed(int rank) {
        if (commit != null) {
            synchronized (printed) {
                passUnfinished(rank);
                commit.resumed(attempt, rank, printed.get(rank));
            }
        }
    }

    /** Passes on the calling thread's unfinished line, if the thread belongs to {@code rank}; under {@code printed}. */
    private void passUnfinished(int rank) {
        Integer r = RANK.get();
        LineBuffer buf = line.get();
        if (r != null && r == rank && buf.size() > 0) {
            printed.addAndGet(rank, buf.size());
            commit.line(attempt, rank, prefixes[rank], buf.toByteArray(), buf.size());
            buf.reset();
        }
    }

    /**
     * Rank {@code rank} restarts alone, from {@code from} (null: the beginning), while the others run on: what its
     * previous incarnation printed after that is taken back, and its count starts again.
     */
    void restartRank(int rank, io.snapline.runtime.checkpoint.RestoreFrom from) {
        if (commit != null) {
            synchronized (printed) {
                printed.set(rank, 0);
                commit.restartRank(attempt, rank, from);
            }
        }
    }

    /** As {@link #captured(int, long)}, for a rank process that counted its output itself: {@code bytes} so far. */
    void captured(int rank, long id, long bytes) {
        if (commit != null) {
            commit.mark(attempt, rank, id, bytes);
        }
    }

    /** As {@link #resumed(int)}, for a rank process that counted its output itself: {@code bytes} so far. */
    void resumed(int rank, long bytes) {
        if (commit != null) {
            commit.resumed(attempt, rank, bytes);
        }
    }

    /** Passes on {@code buf}, of which the first {@code counted} bytes are what the rank printed. */
    private void emit(int rank, LineBuffer buf, int counted) {
        byte[] prefix = prefixes[rank];
        if (commit != null) {
            // Counted and handed on in one step, so that the offsets the rank's lines get are the counts its
            // captures report.
            synchronized (printed) {
                printed.addAndGet(rank, counted);
                commit.line(attempt, rank, prefix, buf.toByteArray(), counted);
            }
            buf.reset();
            return;
        }
        synchronized (sink) {
            sink.write(prefix, 0, prefix.length);
            buf.copyTo(sink);
            sink.flush();
        }
        buf.reset();
    }

    @Override
    public void flush() {
        sink.flush();
    }

    /** A growable byte buffer that copies itself to a stream without making a copy first. */
    private static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(128);
        }

        void copyTo(PrintStream out) {
            out.write(buf, 0, count);
        }
    }
}
