/**
 * The parts of {@code --checkpoint independent --logging pessimistic}: the sender-based log of message payloads each
 * rank keeps ({@link io.snapline.checkpoint.independent.logging.SenderLog}); the records of a rank's event stream,
 * which the supervisor appends to the store as the rank makes its determinants stable
 * ({@link io.snapline.checkpoint.independent.logging.EventRecord}) along with digests of its sends
 * ({@link io.snapline.checkpoint.independent.logging.SendDigests}); the policy data of a checkpoint
 * ({@link io.snapline.checkpoint.independent.logging.LoggingData}); and the messages between a rank and the
 * supervisor ({@link io.snapline.checkpoint.independent.logging.LoggingMessage}). With them a rank restarts from its
 * own checkpoint, gets the messages it had received after it again from their senders' logs in channel order, and
 * makes the same non-deterministic choices again from its stream; today every rank restarts so, each from its own
 * newest checkpoint.
 */
package io.snapline.checkpoint.independent.logging;
