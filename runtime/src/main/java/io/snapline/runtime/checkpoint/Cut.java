package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How {@link RankServices#capture} cuts the rank's communication: how the checkpoint's id is decided, and whether
 * messages accepted by the runtime but not yet received by the program are saved in the image.
 *
 * <ul>
 *   <li>{@link #at(CheckpointId)}: the id is fixed; the unreceived messages are saved in the image.</li>
 *   <li>{@link #decidedBy(Supplier)}: the id is decided at the instant the unreceived messages are taken, under the
 *       same lock that guards accepting messages (and calling a {@link TrafficHook}), so that what the policy records
 *       about accepted messages matches the saved ones exactly. The supplier must not block; when it returns null
 *       nothing is captured.</li>
 *   <li>{@link #leavingUnreceived()}: what counts as received is what the program has received — the unreceived
 *       messages stay in the mailbox, are not saved, and their receipt is recorded in the interval that begins.</li>
 * </ul>
 */
public final class Cut {
    private final CheckpointId id;
    private final Supplier<CheckpointId> decide;
    private final boolean savesUnreceived;

    private Cut(CheckpointId id, Supplier<CheckpointId> decide, boolean savesUnreceived) {
        this.id = id;
        this.decide = decide;
        this.savesUnreceived = savesUnreceived;
    }

    /** The checkpoint {@code id}, with the messages accepted but not yet received saved in the image. */
    public static Cut at(CheckpointId id) {
        return new Cut(Objects.requireNonNull(id, "id"), null, true);
    }

    /**
     * A checkpoint whose id {@code decide} gives at the instant the unreceived messages are taken, under the mailbox
     * lock; it must not block, and null means no checkpoint. The unreceived messages are saved in the image.
     */
    public static Cut decidedBy(Supplier<CheckpointId> decide) {
        return new Cut(null, Objects.requireNonNull(decide, "decide"), true);
    }

    /**
     * This cut, except that messages accepted but not yet received by the program stay in the mailbox, are not saved
     * in the image, and their receipt is recorded in the interval that begins (see {@link RankServices#capture}).
     */
    public Cut leavingUnreceived() {
        return new Cut(id, decide, false);
    }

    /** The fixed id, or null when the id is {@linkplain #decidedBy decided} at the capture. */
    public CheckpointId fixedId() {
        return id;
    }

    /**
     * Decides the id: the fixed one, or what the supplier says now (null: no checkpoint). The runtime calls it once
     * per capture, at the instant described above.
     */
    public CheckpointId decide() {
        return id != null ? id : decide.get();
    }

    /** Whether messages accepted but not yet received by the program are saved in the image. */
    public boolean savesUnreceived() {
        return savesUnreceived;
    }

    @Override
    public String toString() {
        return "Cut[" + (id != null ? "id " + id : "id decided at the capture")
                + (savesUnreceived ? ", unreceived messages saved" : ", unreceived messages left in the mailbox") + "]";
    }
}
