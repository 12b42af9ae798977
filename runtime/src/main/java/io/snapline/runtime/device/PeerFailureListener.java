package io.snapline.runtime.device;

/**
 * Told when a device loses a peer: its connection broke (end of stream without a goodbye, a reset, a protocol
 * error). Called at most once per peer, from the device's progress thread, after the device has failed the
 * operations it holds for that peer; it must not block.
 */
@FunctionalInterface
public interface PeerFailureListener {
    /** World rank {@code rank} is gone; {@code reason} says how the device noticed, for error messages. */
    void peerFailed(int rank, String reason);
}
