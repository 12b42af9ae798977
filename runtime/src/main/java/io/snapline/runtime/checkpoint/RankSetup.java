package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.CheckpointStore;

/**
 * What the supervisor tells a rank about checkpointing when it starts it.
 *
 * @param policy             the policy selected with {@code --checkpoint}
 * @param settings           interval, retention and timeouts
 * @param store              where pieces go; null for {@code none}
 * @param restoreFrom        the checkpoint this rank restores at {@code Checkpoint.restoreOr}, or null to start fresh
 * @param link               the way to the supervisor
 * @param killAtPoint        failure injection: kill this rank at this safe point (0: never)
 * @param killDuringWriteOf  failure injection: kill this rank while it writes its piece of this checkpoint (0: never)
 * @param firstCheckpointId  the id the attempt's first global checkpoint takes (see
 *                           {@link RankServices#firstCheckpointId()})
 * @param incarnation        0 for a rank started with its attempt; n when it is the n-th incarnation of a rank
 *                           restarted alone while the others ran on (see {@link RankServices#incarnation()})
 */
public record RankSetup(CheckpointPolicy policy, PolicySettings settings, CheckpointStore store, RestoreFrom restoreFrom,
        RankLink link, long killAtPoint, long killDuringWriteOf, long firstCheckpointId, int incarnation) {

    /** A rank started with its attempt. */
    public RankSetup(CheckpointPolicy policy, PolicySettings settings, CheckpointStore store, RestoreFrom restoreFrom,
            RankLink link, long killAtPoint, long killDuringWriteOf, long firstCheckpointId) {
        this(policy, settings, store, restoreFrom, link, killAtPoint, killDuringWriteOf, firstCheckpointId, 0);
    }

    /** A setup whose first checkpoint follows the one restored (a store holding no newer one). */
    public RankSetup(CheckpointPolicy policy, PolicySettings settings, CheckpointStore store, RestoreFrom restoreFrom,
            RankLink link, long killAtPoint, long killDuringWriteOf) {
        this(policy, settings, store, restoreFrom, link, killAtPoint, killDuringWriteOf,
                restoreFrom == null || restoreFrom.isLocal() ? 1 : restoreFrom.id().value() + 1);
    }

    /** No checkpointing and no supervisor: a program started on its own. */
    public static RankSetup none() {
        return new RankSetup(new NonePolicy(), PolicySettings.of(NonePolicy.NAME, null, java.util.Map.of()), null, null, RankLink.NONE,
                0, 0);
    }
}
