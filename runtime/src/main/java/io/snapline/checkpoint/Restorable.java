package io.snapline.checkpoint;

/**
 * State that rebuilds what it left out. Fields marked {@code transient} are not saved; after a restart they hold
 * their default values, and {@link #afterRestore()} is called on every registered object that implements this
 * interface before {@link Checkpoint#restoreOr} returns it, to rebuild caches, scratch buffers and the like.
 */
public interface Restorable {
    /** Rebuilds transient fields after the object was decoded from a checkpoint. */
    void afterRestore();
}
