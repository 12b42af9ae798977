package io.snapline.runtime.launch;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Routes what rank threads print to one sink a whole line at a time, so lines of different ranks never interleave
 * within a line; optionally prefixes each line with {@code [rank] }. Threads that belong to no rank write through.
 * A rank's threads (and the threads they start) are recognised through an inheritable thread-local.
 */
final class RankOutput extends OutputStream {
    private static final InheritableThreadLocal<Integer> RANK = new InheritableThreadLocal<>();

    private final PrintStream sink;
    private final boolean tag;
    private final ThreadLocal<ByteArrayOutputStream> line = ThreadLocal.withInitial(() -> new ByteArrayOutputStream(128));

    RankOutput(PrintStream sink, boolean tag) {
        this.sink = sink;
        this.tag = tag;
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
        if (rank == null) {
            synchronized (sink) {
                sink.write(b, off, len);
            }
            return;
        }
        ByteArrayOutputStream buf = line.get();
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
        ByteArrayOutputStream buf = line.get();
        if (rank != null && buf.size() > 0) {
            buf.write('\n');
            emit(rank, buf);
        }
    }

    private void emit(int rank, ByteArrayOutputStream buf) {
        synchronized (sink) {
            if (tag) {
                sink.write(("[" + rank + "] ").getBytes(StandardCharsets.UTF_8), 0, ("[" + rank + "] ").length());
            }
            sink.write(buf.toByteArray(), 0, buf.size());
            sink.flush();
        }
        buf.reset();
    }

    @Override
    public void flush() {
        sink.flush();
    }
}
