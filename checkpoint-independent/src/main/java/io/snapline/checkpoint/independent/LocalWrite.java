package io.snapline.checkpoint.independent;

import io.snapline.runtime.checkpoint.AsyncWriter;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.RankServices;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The local checkpoint a rank's writer thread is writing, if any: at most one at a time, since the next capture
 * reuses the encoding buffer. A checkpoint due while the previous one is still being written waits for it, or under
 * {@code --async} is skipped (the rank's next one is taken when its schedule next says so). Program thread only.
 */
final class LocalWrite {
    private final AsyncWriter writer;
    private final boolean async;

    LocalWrite(RankServices services) {
        this.writer = AsyncWriter.of(services, true);
        this.async = services.settings().async();
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

    /**
     * A local checkpoint is due at safe point {@code point}: whether to take it now. Without {@code --async} the rank
     * waits for the write under way, if any; under {@code --async} the checkpoint is skipped while one is in flight.
     *
     * @throws io.snapline.checkpoint.CheckpointException if the previous write failed
     */
    boolean admit(long point) {
        return admit(point, false);
    }

    /**
     * {@link #admit(long)}; {@code again}: this checkpoint was skipped already for the write still in flight, so a
     * further skip is not reported again.
     */
    boolean admit(long point, boolean again) {
        if (async && again && writer.inFlight()) {
            return false;
        }
        if (async) {
            return writer.admit(point, AsyncWriter.WhenBusy.SKIP);
        }
        writer.awaitWrite();
        return true;
    }

    /** Starts writing local checkpoint {@code index} with {@code task} on the rank's writer thread. */
    void start(long index, Runnable task) {
        writer.start(index, task);
    }

    /**
     * Waits (as a blocked rank, so a stall is reported) until the write under way, if any, is done.
     *
     * @throws io.snapline.checkpoint.CheckpointException if it failed
     */
    void await() {
        writer.awaitWrite();
    }
}
