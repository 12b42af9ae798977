package io.snapline.runtime.checkpoint;

/**
 * The envelope of a message this rank accepts, as {@link TrafficHook#onAccept} and {@link TrafficHook#log} see it.
 *
 * @param source  the sender's world rank
 * @param dest    this rank (world rank)
 * @param context the communicator context it was sent on
 * @param tag     the message's tag
 * @param epoch   the sender's epoch, as it {@linkplain Outgoing#stamp stamped} the message (0 if it did not)
 * @param seq     the message's number on its channel, from 1, as stamped (0 if not numbered)
 */
public record Envelope(int source, int dest, int context, int tag, int epoch, long seq) {
}
