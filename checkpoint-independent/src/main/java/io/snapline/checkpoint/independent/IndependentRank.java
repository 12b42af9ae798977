package io.snapline.checkpoint.independent;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.Cut;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rank half of {@code independent}: at a safe point its {@link Schedule} picks, the rank captures its image
 * (program state and the dependency record of the interval that ends, counting as received only what the program
 * has received; messages that arrived but were not received yet are not saved) and goes on; a writer
 * thread writes it as the rank's next local checkpoint, committed by the write alone, and reports it to the
 * coordinator. Nothing waits for another rank. The program is held back by the capture, and by the previous write if
 * that has not finished (the image's encoding buffer is reused); under {@code --async} a checkpoint due then is
 * skipped instead. Local checkpoint k ends the rank's interval k-1, so
 * after restoring checkpoint k the rank continues with k+1.
 */
final class IndependentRank implements RankPolicy {
    private final RankServices services;
    private final Schedule schedule;
    private long next;
    private final LocalWrite write;
    /** The cost of the last local checkpoint written, not yet given to the schedule: {index, nanos}, or null. */
    private final AtomicReference<long[]> cost = new AtomicReference<>();
    private volatile boolean stopRequested;

    IndependentRank(RankServices services) {
        this.services = services;
        this.next = services.restoredId() + 1;
        this.schedule = Schedule.of(services.settings(), services.rank(), services.restoredId(),
                services.nanoTime());
        this.write = new LocalWrite(services);
    }

    @Override
    public void atPoint(long point) {
        // An operation with a dead rank has failed here: the job will restart (or end), and this rank's state may
        // depend on the failure, so it takes no checkpoint, whether or not the stop order has arrived yet (on tcp a
        // broken connection can tell the rank before the launcher has noticed the death).
        if (stopRequested || services.sawPeerFailure()) {
            stopForRestart(point);
        }
        long start = services.nanoTime();
        LocalWrite.measured(cost, schedule, start, services);
        if (!schedule.due(point, start)) {
            return;
        }
        if (!write.admit(point)) {
            schedule.taken(services.nanoTime()); // skipped (--async): the next one is a whole gap away
            return;
        }
        long index = next;
        CheckpointId id = CheckpointId.of(index);
        // Only what the program has received counts: a message that arrived early stays in the mailbox, unsaved, so
        // the partners' checkpoints at the same step stay strongly consistent however far one of them ran ahead.
        RankImage image = services.capture(point, Cut.at(id).leavingUnreceived());
        long blocked = services.nanoTime() - start;
        schedule.taken(services.nanoTime());
        write.start(index, () -> {
            services.aboutToWrite(id);
            long writing = services.nanoTime();
            PieceRef piece = services.writeLocal(index, image);
            cost.set(new long[] {index, blocked + services.nanoTime() - writing});
            services.toCoordinator(new LocalReport(index, point, piece.size(), blocked, image.dependencies()).encode());
            services.wake();
        });
        next++;
    }

    /**
     * Another rank died and the job will restart: this rank checkpoints here, at its first safe point since, and waits
     * to be stopped. A restart from a line through this checkpoint continues the rank exactly where it stopped, with
     * no work lost. A rank that has seen an operation fail because of the dead rank does not checkpoint: its state may
     * depend on the failure.
     */
    private void stopForRestart(long point) {
        long index = 0;
        write.await(); // a checkpoint taken before the failure is good: it is kept, not abandoned with the attempt
        if (!services.sawPeerFailure()) {
            long start = services.nanoTime();
            index = next;
            RankImage image = services.capture(point, Cut.at(CheckpointId.of(index)).leavingUnreceived());
            long blocked = services.nanoTime() - start;
            PieceRef piece = services.writeLocal(index, image);
            services.toCoordinator(new LocalReport(index, point, piece.size(), blocked, image.dependencies()).encode());
            next++;
        }
        services.toCoordinator(LocalReport.stopped(point, index));
        services.await(() -> false, "stopped at safe point " + point + " for the restart");
    }

    @Override
    public void onControl(byte[] message) {
        if (LocalReport.isStop(message)) {
            stopRequested = true;
            services.wake();
        }
    }

    /** The last local checkpoint is written (and reported) before the rank finalizes. */
    @Override
    public void finish() {
        write.await();
    }
}
