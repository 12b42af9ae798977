package io.snapline.checkpoint.independent;

import io.snapline.recovery.LocalRecovery;
import io.snapline.recovery.io.LocalHistory;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.DependencyRecord;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The supervisor half of {@code independent}: it coordinates nothing. It records each local checkpoint a rank
 * reports (run report, progress line) and collects garbage: the recovery line for a failure of every rank only moves
 * forward as checkpoints are added (a message sent before an existing checkpoint but not yet received already
 * counts as in transit, and one received but not yet recorded as sent lies in the sender's open interval), so every
 * local checkpoint older than that line is one no restart can use. The line is recomputed from the reported
 * dependency records at most every quarter of a second, and once more when every rank has finished.
 *
 * <p><b>Only over verified checkpoints.</b> Before anything is deleted, the checkpoints the new line names are read
 * back and verified as a restart would read them ({@link LocalHistory#verify}); then the line is recorded in the store
 * as its floor (a restart reads the history from there), and only then are the checkpoints below it deleted. A
 * damaged one is named in a warning and treated as a restart will treat it: the rank's history ends before it, so the
 * line, and with it every deletion, stays below it for the rest of the attempt.
 */
final class IndependentCoordinator implements PolicyCoordinator {
    private static final long COLLECT_EVERY_NANOS = 250_000_000L;

    private final CoordinatorServices services;
    private final long[] base;
    private final long[] damagedAt;
    private final List<List<LocalHistory.Entry>> records = new ArrayList<>();
    private boolean changed;
    private boolean warned;
    private int finished;
    private long lastCollect = Long.MIN_VALUE / 2;

    IndependentCoordinator(CoordinatorServices services) {
        this.services = services;
        this.base = new long[services.ranks()];
        this.damagedAt = new long[services.ranks()];
        Arrays.fill(damagedAt, Long.MAX_VALUE);
        for (int r = 0; r < base.length; r++) {
            RestoreFrom from = services.restoredFrom(r);
            base[r] = from == null ? 0 : from.id().value();
            records.add(new ArrayList<>());
        }
    }

    @Override
    public void onRankMessage(int rank, byte[] message) {
        if (LocalReport.tookStopped(rank, message, services) || LocalReport.tookInterval(rank, message, services)) {
            return;
        }
        LocalReport report = LocalReport.decode(message);
        services.localCommitted(rank, report.index(), report.point(), report.bytes(), report.blockedNanos());
        if (report.index() < damagedAt[rank]) {
            records.get(rank).add(new LocalHistory.Entry(report.index(),
                    DependencyRecord.decode(report.record())));
            changed = true;
        }
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
        LocalReport.stopTheOthers(rank, services);
    }

    @Override
    public void onRankFinished(int rank) {
        if (++finished == base.length && changed) {
            changed = false;
            collect();
        }
    }

    private void collect() {
        long[] line = verifiedLine();
        if (line != null) {
            try {
                services.localStore().writeRecoveryLine(line);
                services.lineReached(line.clone());
            } catch (CheckpointStoreException e) {
                services.warn("the line " + Arrays.toString(line) + " below which local checkpoints are no longer "
                        + "needed could not be recorded (" + e.getMessage() + "), so none is deleted now");
                line = null;
            }
        }
        for (int r = 0; line != null && r < base.length; r++) {
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
            services.warn("none of the " + unusable + " local checkpoints taken since " + Arrays.toString(base)
                    + " can be on a recovery line yet: the ranks' checkpoints are linked by messages sent between "
                    + "them (the domino effect), so a failure would restart from " + Arrays.toString(base)
                    + " and the store keeps every checkpoint since; with --every N the ranks checkpoint at the same "
                    + "steps, or use a coordinated policy");
        }
    }

    /**
     * The restart line over the reported checkpoints, once every checkpoint it names above the current floor has been
     * verified in the store; null when it does not move. A damaged one ends its rank's history before it (as it will
     * for a restart) and the line is computed again.
     */
    private long[] verifiedLine() {
        while (true) {
            long[] line = LocalRecovery.restartLine(LocalHistory.build(base.length, base.clone(), records));
            boolean moves = false;
            LocalHistory.Damage damage = null;
            for (int r = 0; r < base.length && damage == null; r++) {
                if (line[r] > base[r]) {
                    moves = true;
                    try {
                        LocalHistory.verify(services.localStore(), r, line[r], base.length);
                    } catch (LocalHistory.DamagedCheckpointException e) {
                        damage = e.damage();
                    }
                }
            }
            if (damage == null) {
                return moves ? line : null;
            }
            int r = damage.rank();
            long from = damage.index();
            damagedAt[r] = from;
            records.get(r).removeIf(e -> e.index() >= from);
            services.warn(damage + "; a restart cannot use it or rank " + r + "'s later checkpoints, so rank " + r
                    + "'s checkpoints from " + base[r] + " on, and what a line through them needs, are kept until the "
                    + "job restarts");
        }
    }

    /** Local checkpoints per rank newer than the line, on average, before the run warns that the line is stuck. */
    static final int STALLED_PER_RANK = 4;
}
