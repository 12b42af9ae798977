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
 */
final class RankOutput extends OutputStream {
    private static final InheritableThreadLocal<Integer> RANK = new InheritableThreadLocal<>();

    private final PrintStream sink;
    private final byte[][] prefixes;
    private final ThreadLocal<LineBuffer> line = ThreadLocal.withInitial(LineBuffer::new);

    /**
     * @param sink where whole lines go
     * @param np   number of ranks (for the prefixes)
     * @param tag  whether to prefix lines with {@code [rank] }
     */
    RankOutput(PrintStream sink, int np, boolean tag) {
        this.sink = sink;
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
                emit(rank, buf);
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
            buf.write('\n');
            emit(rank, buf);
        }
    }

    private void emit(int rank, LineBuffer buf) {
        byte[] prefix = prefixes[rank];
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
