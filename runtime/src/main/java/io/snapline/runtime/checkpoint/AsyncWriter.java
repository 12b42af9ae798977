package io.snapline.runtime.checkpoint;

import io.snapline.checkpoint.CheckpointException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The write of one rank's checkpoint that runs on the rank's writer thread while its program goes on, and the rule
 * that at most one is in flight per rank: the capture encodes the state into the rank's reused buffer
 * ({@link RankServices#capture}), which the write reads until it is durable, so the next capture must not begin
 * before it has ended. When a checkpoint falls due while the previous write is still running, the policy says what
 * happens ({@link WhenBusy}), and the run report is told ({@link CheckpointDeferred}). Program thread only, except the
 * write itself.
 */
public final class AsyncWriter {
    /** What a policy does with a checkpoint that falls due while its previous one is still being written. */
    public enum WhenBusy {
        /** The checkpoint is not taken; the next one is taken when due. */
        SKIP,
        /** The rank waits for the write to end, then takes it; the wait is blocked time. */
        WAIT
    }

    private final Supplier<? extends Executor> writer;
    private final boolean local;
    private final BiConsumer<BooleanSupplier, String> await;
    private final Consumer<CheckpointDeferred> report;
    private final LongSupplier clock;
    private final int rank;
    private FutureTask<Void> writing;
    private long id;

    /**
     * @param writer  the rank's writer, asked for at the first write
     * @param local   whether the rank's checkpoints are local ones (for the report)
     * @param await   waits on the program's thread until the condition holds ({@link RankServices#await})
     * @param report  told of every checkpoint skipped or waited for
     * @param clock   nanoseconds, for the time waited
     * @param rank    the rank, for error messages
     */
    public AsyncWriter(Supplier<? extends Executor> writer, boolean local, BiConsumer<BooleanSupplier, String> await,
            Consumer<CheckpointDeferred> report, LongSupplier clock, int rank) {
        this.writer = writer;
        this.local = local;
        this.await = await;
        this.report = report;
        this.clock = clock;
        this.rank = rank;
    }

    /** The writer of {@code services}' rank, on its writer thread. */
    public static AsyncWriter of(RankServices services, boolean local) {
        return new AsyncWriter(services::writer, local, services::awaitCheckpoint, services::deferred,
                services::nanoTime, services.rank());
    }

    /** Whether a write has started and not yet ended. */
    public boolean inFlight() {
        return writing != null && !writing.isDone();
    }

    /**
     * A checkpoint is due at safe point {@code point}: whether to take it now. True at once when no write is in
     * flight; otherwise false under {@link WhenBusy#SKIP}, and under {@link WhenBusy#WAIT} true once the write has
     * ended. A skip or a wait is reported.
     *
     * @throws CheckpointException if the previous write failed
     */
    public boolean admit(long point, WhenBusy whenBusy) {
        if (!inFlight()) {
            awaitWrite();
            return true;
        }
        if (whenBusy == WhenBusy.SKIP) {
            report.accept(new CheckpointDeferred(local, point, id, true, 0));
            return false;
        }
        long start = clock.getAsLong();
        awaitWrite();
        report.accept(new CheckpointDeferred(local, point, id, false, clock.getAsLong() - start));
        return true;
    }

    /**
     * Starts writing checkpoint {@code id} with {@code task} on the writer thread.
     *
     * @throws IllegalStateException if a write is in flight (call {@link #admit} or {@link #awaitWrite} first)
     */
    public void start(long id, Runnable task) {
        if (inFlight()) {
            throw new IllegalStateException("rank " + rank + " starts writing checkpoint " + id + " while checkpoint "
                    + this.id + " is still being written; at most one write is in flight");
        }
        FutureTask<Void> t = new FutureTask<>(task, null);
        this.id = id;
        this.writing = t;
        writer.get().execute(t);
    }

    /**
     * Waits (as a blocked rank, so a stall is reported) until the write under way, if any, has ended.
     *
     * @throws CheckpointException if it failed
     */
    public void awaitWrite() {
        FutureTask<Void> w = writing;
        if (w == null) {
            return;
        }
        if (!w.isDone()) {
            await.accept(w::isDone, "writing its checkpoint " + id);
        }
        writing = null;
        try {
            w.get();
        } catch (ExecutionException e) {
            throw new CheckpointException("rank " + rank + " could not write its checkpoint " + id + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            // the rank's part in the attempt ended with the write
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while writing checkpoint " + id, e);
        }
    }
}
