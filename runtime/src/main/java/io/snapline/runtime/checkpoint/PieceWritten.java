package io.snapline.runtime.checkpoint;

/**
 * What writing one rank's piece of a checkpoint cost, measured where it was written, for the run report's overhead
 * accounting.
 *
 * @param local        whether it is a local checkpoint ({@code id} is then the rank's own checkpoint number) or a
 *                     piece of global checkpoint {@code id}
 * @param id           the global checkpoint id, or the local checkpoint number
 * @param storedBytes  what the store really wrote: the piece file as it lies in the store (its header and fingerprint
 *                     included, that is {@code PieceRef.size()}) and, with {@code --incremental}, the chunks the store
 *                     did not have yet
 * @param rawBytes     what the piece would have taken written whole with its program state not compressed (equal to
 *                     {@code fullBytes} without {@code --compress})
 * @param writeNanos   how long the write took: building the image's bytes, compressing the program state, writing
 *                     and forcing the file to disk (the program state's encoding, done at the capture, not included)
 * @param background   whether it was written on another thread than the rank's program thread, while the program
 *                     went on; when false the write held the program back and is part of its blocked time
 * @param fullBytes    what the piece would have taken written whole (header, fingerprint, whole payload): equal to
 *                     {@code storedBytes} without {@code --incremental}
 */
public record PieceWritten(boolean local, long id, long storedBytes, long rawBytes, long writeNanos,
        boolean background, long fullBytes) {

    /** A piece written whole: {@code fullBytes} is {@code storedBytes}. */
    public PieceWritten(boolean local, long id, long storedBytes, long rawBytes, long writeNanos, boolean background) {
        this(local, id, storedBytes, rawBytes, writeNanos, background, storedBytes);
    }

    /** The time spent on this write while the program went on: {@code writeNanos} in the background, else 0. */
    public long backgroundNanos() {
        return background ? writeNanos : 0;
    }
}
