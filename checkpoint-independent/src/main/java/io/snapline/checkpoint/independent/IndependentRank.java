package io.snapline.checkpoint.independent;

import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;

/**
 * The rank half of {@code independent}: at a safe point its {@link Schedule} picks, the rank captures its image
 * (program state, unreceived messages, the dependency record of the interval that ends) and writes it as its next
 * local checkpoint, committed by the write alone; then it reports to the coordinator and goes on. Nothing waits for
 * another rank. Local checkpoint k ends the rank's interval k-1, so after restoring checkpoint k the rank continues
 * with k+1.
 */
final class IndependentRank implements RankPolicy {
    private final RankServices services;
    private final Schedule schedule;
    private long next;

    IndependentRank(RankServices services) {
        this.services = services;
        this.next = services.restoredId() + 1;
        this.schedule = Schedule.of(services.settings(), services.rank(), services.restoredId(),
                services.nanoTime());
    }

    @Override
    public void atPoint(long point) {
        long start = services.nanoTime();
        if (!schedule.due(point, start)) {
            return;
        }
        CheckpointId id = CheckpointId.of(next);
        RankImage image = services.capture(id, point);
        services.aboutToWrite(id);
        PieceRef piece = services.writeLocal(next, image);
        long end = services.nanoTime();
        schedule.taken(end);
        services.toCoordinator(new LocalReport(next, point, piece.size(), end - start, image.dependencies()).encode());
        next++;
    }

    @Override
    public void onControl(byte[] message) {
        // The coordinator sends nothing: local checkpoints need no agreement.
    }
}
