package io.snapline.runtime.launch;

import java.io.IOException;
import java.io.InputStream;

/**
 * Copies one rank process's stdout or stderr into the launcher's {@link RankOutput}, so it reaches the terminal a whole
 * line at a time with the same {@code [rank] } prefix as on {@code shm}. A line left unfinished when the stream ends is
 * written with a newline added.
 */
final class OutputPump {
    private OutputPump() {
    }

    /** Starts a daemon thread that pumps {@code in} into {@code sink} as rank {@code rank} until end of stream. */
    static Thread start(InputStream in, RankOutput sink, int rank, String name) {
        Thread t = new Thread(() -> pump(in, sink, rank), name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void pump(InputStream in, RankOutput sink, int rank) {
        RankOutput.enterRank(rank);
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sink.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the pipe broke because the process is gone; what was read has been passed on
        } finally {
            sink.flushPartialLine();
            RankOutput.leaveRank();
        }
    }
}
