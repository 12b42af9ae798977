/**
 * The parts of message logging for {@code --checkpoint independent}: the sender-based log of message payloads each
 * rank keeps ({@link io.snapline.checkpoint.independent.logging.SenderLog}) and the supervisor's event logger that
 * makes each rank's determinants stable ({@link io.snapline.checkpoint.independent.logging.EventLogger}). With both,
 * a failed rank can restart alone from its own checkpoint: it gets the messages it had received again from their
 * senders' logs, in channel order, and makes the same non-deterministic choices again from its logged determinants.
 * {@code --logging pessimistic} uses the sender log, the stream records ({@link
 * io.snapline.checkpoint.independent.logging.EventRecord}) the supervisor keeps in the store, the policy data of a
 * checkpoint ({@link io.snapline.checkpoint.independent.logging.LoggingData}) and the messages between a rank and the
 * supervisor ({@link io.snapline.checkpoint.independent.logging.LoggingMessage}); today every rank restarts, each
 * from its own newest checkpoint, and {@code EventLogger} (an in-memory logger) is not used yet.
 */
package io.snapline.checkpoint.independent.logging;
