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

    /**
     * As {@link #peerFailed(int, String)}, saying also whether the connection ended or broke as it does when the
     * peer's process dies or the network between them fails ({@code peerGone}), rather than on a frame this rank
     * could not take from a peer that is alive (a fault on this side). By default, {@link #peerFailed(int, String)}.
     */
    default void peerFailed(int rank, String reason, boolean peerGone) {
        peerFailed(rank, reason);
    }

    /**
     * On a device whose peers may rejoin, which does not fail what is pending on a lost peer: world rank
     * {@code rank} was lost while part of a message it had sent to this rank was still to arrive, and this rank had
     * already taken that message. Its new incarnation will not send it again (this rank counts it as received), so
     * this rank cannot go on exactly; {@code reason} says what was lost. By default, a failure of the peer.
     */
    default void payloadLost(int rank, String reason) {
        peerFailed(rank, reason);
    }
}
