/**
 * The parts of message logging for {@code --checkpoint independent}: the sender-based log of message payloads each
 * rank keeps ({@link io.snapline.checkpoint.independent.logging.SenderLog}) and the supervisor's event logger that
 * makes each rank's determinants stable ({@link io.snapline.checkpoint.independent.logging.EventLogger}). With both,
 * a failed rank can restart alone from its own checkpoint: it gets the messages it had received again from their
 * senders' logs, in channel order, and makes the same non-deterministic choices again from its logged determinants.
 * They are not yet selectable: {@code --logging} accepts only {@code none} in this build.
 */
package io.snapline.checkpoint.independent.logging;
