package io.snapline.checkpoint.independent;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.RankServices;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The local checkpoint a rank's writer thread is writing, if any: at most one at a time, since the next capture
 * reuses the encoding buffer. Program thread only.
 */
final class LocalWrite {
    private final RankServices services;
    private Future<?> writing;
    private long index;

    LocalWrite(RankServices services) {
        this.services = services;
    }

    /**
     * Gives the schedule the cost of the last local checkpoint written, if there is one it has not had (the time the
     * checkpoint held the program back plus its write on the writer thread, which the writer put in {@code cost}),
     * and tells the coordinator of a new interval it chose. Program thread, at a safe point.
     */
    static void measured(AtomicReference<long[]> cost, Schedule schedule, long nowNanos, RankServices services) {
        long[] c = cost.getAndSet(null);
        if (c == null) {
            return;
        }
        IntervalChooser.Choice chosen = schedule.measured(c[0], c[1], nowNanos);
        if (chosen != null) {
            services.toCoordinator(LocalReport.interval(chosen));
        }
    }

    /** Starts writing local checkpoint {@code index} with {@code task} on the rank's writer thread. */
    void start(long index, Runnable task) {
        this.index = index;
        this.writing = services.writer().submit(task);
    }

    /**
     * Waits (as a blocked rank, so a stall is reported) until the write under way, if any, is done.
     *
     * @throws CheckpointException if it failed
     */
    void await() {
        Future<?> w = writing;
        if (w == null) {
            return;
        }
        services.await(w::isDone, "writing its local checkpoint " + index);
        try {
            w.get();
        } catch (ExecutionException e) {
            throw new CheckpointException("rank " + services.rank() + " could not write its local checkpoint " + index
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while writing local checkpoint " + index, e);
        }
        writing = null;
    }
}
