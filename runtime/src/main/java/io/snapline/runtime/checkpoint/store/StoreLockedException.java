package io.snapline.runtime.checkpoint.store;

import java.nio.file.Path;

/** Another job holds the store ({@link StoreLock}); the message names it and says what to do. */
public class StoreLockedException extends CheckpointStoreException {
    private static final long serialVersionUID = 1L;

    private final transient StoreLock.Holder holder;

    /** {@code holder} may be null when the lock file names none (yet). */
    public StoreLockedException(Path dir, StoreLock.Holder holder) {
        super("the checkpoint store " + dir + " is in use by " + (holder == null
                ? "another job (its lock file names none yet)" : holder.describe())
                + "; a store belongs to one job at a time: wait for that job to end, or give this one another --store."
                + " If no job uses the store any more (a job on another host that died, on a file system whose locks"
                + " do not work), delete " + dir.resolve(StoreLock.FILE));
        this.holder = holder;
    }

    /** The job holding the store, or null when unknown. */
    public StoreLock.Holder holder() {
        return holder;
    }
}
