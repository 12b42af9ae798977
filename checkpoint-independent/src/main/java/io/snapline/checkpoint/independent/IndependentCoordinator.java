package io.snapline.checkpoint.independent;

import io.snapline.recovery.LocalRecovery;
import io.snapline.recovery.io.LocalHistory;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.DependencyTracker;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.RestoreFrom;
import java.util.ArrayList;
import java.util.List;

/**
 * The supervisor half of {@code independent}: it coordinates nothing. It records each local checkpoint a rank
 * reports (run report, progress line) and collects garbage: the recovery line for a failure of every rank only moves
 * forward as checkpoints are added (a message sent before an existing checkpoint but not yet received already
 * counts as in transit, and one received but not yet recorded as sent lies in the sender's open interval), so every
 * local checkpoint older than that line is one no restart can use, and is deleted. The line is recomputed from the
 * reported dependency records at most every quarter of a second, and once more when every rank has finished.
 */
final class IndependentCoordinator implements PolicyCoordinator {
    private static final long COLLECT_EVERY_NANOS = 250_000_000L;

    private final CoordinatorServices services;
    private final long[] base;
    private final List<List<LocalHistory.Entry>> records = new ArrayList<>();
    private boolean changed;
    private boolean warned;
    private int finished;
    private long lastCollect = Long.MIN_VALUE / 2;

    IndependentCoordinator(CoordinatorServices services) {
        this.services = services;
        this.base = new long[services.ranks()];
        for (int r = 0; r < base.length; r++) {
            RestoreFrom from = services.restoredFrom(r);
            base[r] = from == null ? 0 : from.id().value();
            records.add(new ArrayList<>());
        }
    }

    @Override
    public void onRankMessage(int rank, byte[] message) {
        long[] stopped = LocalReport.stoppedAt(message);
        if (stopped != null) {
            services.log("rank " + rank + " stopped at safe point " + stopped[0] + " for the restart, "
                    + (stopped[1] > 0 ? "with local checkpoint " + stopped[1]
                            : "without a checkpoint (an operation with a failed rank had failed)"));
            services.stopped(rank);
            return;
        }
        LocalReport report = LocalReport.decode(message);
        services.localCommitted(rank, report.index(), report.point(), report.bytes(), report.blockedNanos());
        records.get(rank).add(new LocalHistory.Entry(report.index(), DependencyTracker.Record.decode(report.record())));
        changed = true;
    }

    @Override
    public void onTick(long nanoTime) {
        if (changed && nanoTime - lastCollect >= COLLECT_EVERY_NANOS) {
            lastCollect = nanoTime;
            changed = false;
            collect();
        }
    }

    /** Every other rank checkpoints at its next safe point and waits there for the restart. */
    @Override
    public void onRankFailed(int rank) {
        services.log("rank " + rank + " died; the other ranks checkpoint at their next safe point before the restart");
        services.broadcast(LocalReport.stop());
    }

    @Override
    public void onRankFinished(int rank) {
        if (++finished == base.length && changed) {
            changed = false;
            collect();
        }
    }

    private void collect() {
        long[] line = LocalRecovery.restartLine(LocalHistory.build(base.length, base.clone(), records));
        for (int r = 0; r < base.length; r++) {
            if (line[r] <= base[r]) {
                continue;
            }
            for (long index = Math.max(1, base[r]); index < line[r]; index++) {
                services.discardLocal(r, index);
            }
            base[r] = line[r];
            long kept = base[r];
            records.get(r).removeIf(e -> e.index() <= kept);
        }
        int unusable = records.stream().mapToInt(List::size).sum();
        if (!warned && unusable >= STALLED_PER_RANK * base.length) {
            warned = true;
            services.warn("none of the " + unusable + " local checkpoints taken since " + java.util.Arrays.toString(base)
                    + " can be on a recovery line yet: the ranks' checkpoints are linked by messages sent between "
                    + "them (the domino effect), so a failure would restart from " + java.util.Arrays.toString(base)
                    + " and the store keeps every checkpoint since; with --every N the ranks checkpoint at the same "
                    + "steps, or use a coordinated policy");
        }
    }

    /** Local checkpoints per rank newer than the line, on average, before the run warns that the line is stuck. */
    static final int STALLED_PER_RANK = 4;
}
