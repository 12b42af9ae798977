/**
 * The non-blocking coordinated checkpoint protocol ({@code coordinated-nb}) as pure state machines.
 *
 * <p>Nothing here touches the engine, threads, sockets or clocks: the runtime feeds events in (sends, accepted
 * messages, safe points, control messages, the time) and carries the actions out ({@link
 * io.snapline.checkpoint.coordinated.nb.NbRankAction}, {@link
 * io.snapline.checkpoint.coordinated.nb.NbCoordinatorAction}).
 *
 * <ul>
 *   <li>{@link io.snapline.checkpoint.coordinated.nb.NbRankProtocol} — one per rank: piggybacks (epoch, seq) on
 *       sends, classifies accepted messages as normal, late or early, decides when a safe point takes a
 *       checkpoint and when that checkpoint is complete.</li>
 *   <li>{@link io.snapline.checkpoint.coordinated.nb.NbCoordinatorProtocol} — requests checkpoints on a time
 *       interval, commits them in two phases, abandons them on failure, finish or timeout.</li>
 *   <li>{@link io.snapline.checkpoint.coordinated.nb.NbCheckpointRecord} and
 *       {@link io.snapline.checkpoint.coordinated.nb.RestartPlan} — what one rank records, and how a job
 *       restarts from one committed checkpoint (late messages re-injected, early re-sends suppressed).</li>
 * </ul>
 *
 * <p>Epochs: a rank's epoch is the number of checkpoints it has taken; checkpoint {@code e} is the one that moves
 * ranks from epoch {@code e - 1} to {@code e}. Channels between ranks are FIFO; sequence numbers count from 1 per
 * channel. The protocol assumes piecewise-deterministic programs: re-executed after a restart, a rank sends the
 * same payloads in the same order on each channel.
 */
package io.snapline.checkpoint.coordinated.nb;
