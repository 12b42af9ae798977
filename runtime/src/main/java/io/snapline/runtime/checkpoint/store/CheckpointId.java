package io.snapline.runtime.checkpoint.store;

/**
 * The number of a global checkpoint; ids increase by one per attempted checkpoint and are never reused for a
 * committed checkpoint.
 */
public record CheckpointId(long value) implements Comparable<CheckpointId> {

    public CheckpointId {
        if (value < 1) {
            throw new CheckpointStoreException("checkpoint id must be at least 1, got " + value);
        }
    }

    public static CheckpointId of(long value) {
        return new CheckpointId(value);
    }

    public CheckpointId next() {
        return new CheckpointId(value + 1);
    }

    @Override
    public int compareTo(CheckpointId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
