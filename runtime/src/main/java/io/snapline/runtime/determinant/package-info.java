/**
 * The determinant recorder: records the outcomes of a rank's non-deterministic operations and replays them when
 * the rank re-executes after a restart, so that it makes the same choices as before and sends the same messages
 * (the messages other ranks' checkpoints already reflect). Policies reach it through
 * {@code RankServices.determinants()} ({@link io.snapline.runtime.determinant.Determinants}) and persist its
 * {@link io.snapline.runtime.determinant.DeterminantLog}s themselves; {@code coordinated-nb} records from a rank's
 * checkpoint until every rank has taken it, and a message-logging policy can record continuously and
 * {@link io.snapline.runtime.determinant.Determinants#drainRecording() drain} the log as it grows.
 *
 * <h2>What is recorded</h2>
 * <ul>
 *   <li>which message a receive with {@code ANY_SOURCE} or {@code ANY_TAG} matched ({@code Recv}, {@code Irecv},
 *       {@code Sendrecv}, persistent receives), recorded at posting and filled in when it matches;</li>
 *   <li>which message a {@code Probe} with a wildcard found, and what every {@code Iprobe} found;</li>
 *   <li>what {@code Test}, {@code Testall}, {@code Testany}, {@code Testsome}, {@code Waitany} and {@code Waitsome}
 *       reported complete, with the message that completed each receive among them.</li>
 * </ul>
 * A message is named by its sender (world rank), tag and number on its channel (when the policy numbers messages;
 * messages put back into a mailbox from a checkpoint carry no number, and are then checked by sender and tag only).
 * Consecutive calls that found nothing are one {@link io.snapline.runtime.determinant.Determinant.Idle} run: a
 * polling loop costs one entry, not one per call. Receives from a named source with a named tag, {@code Probe} from
 * a named source and tag, {@code Wait}, {@code Waitall} and collectives are deterministic given the messages, and are
 * not recorded. Under a continuous recording ({@code record(Mark)}, message logging), neither are receives and
 * {@code Probe} from a named source with {@code ANY_TAG}: messages from one sender arrive in send order, and every one
 * is sent again as it was, so such a receive gets the same message again. A bounded recording ({@code record()},
 * {@code coordinated-nb}) records them: its replay ends at the first event that observed a message its sender will not
 * send again.
 *
 * <h2>How a replay forces them</h2>
 * A recorded wildcard receive is posted for the recorded sender only, and its match is checked (tag, number); a
 * probe recorded as finding a message waits for a message from that sender and checks it; an {@code Iprobe} or test
 * recorded as finding nothing finds nothing without looking; a test or wait recorded as reporting requests waits for
 * exactly those and reports them. When the log is over the rank runs freely. It also ends, freely, at the first event
 * that observed a message whose sender will not send it again as it did (see
 * {@link io.snapline.runtime.determinant.Determinants#replay}). A call other than the one recorded next, or a
 * forced outcome that turns out different, raises {@link io.snapline.runtime.determinant.ReplayMismatchException}
 * ({@code rank 0: replaying event 17 (Recv from ANY_SOURCE, tag 3 matched rank 2 tag 3 seq 41) but the program
 * called Waitany over 3 requests; ...}), and so does every non-deterministic call after it: never a different result
 * in silence.
 *
 * <h2>What is not covered</h2>
 * Outcomes the engine does not decide: the program's clocks ({@code MPI.Wtime}, {@code System.nanoTime}), random
 * numbers not seeded from its state, its own threads (and MPI calls from more than one thread), what {@code Cancel}
 * achieved, and anything read from outside the job. A program whose messages depend on those re-executes differently
 * and, where that shows in a recorded call, fails loudly.
 *
 * <h2>Parts</h2>
 * {@link io.snapline.runtime.determinant.Determinant} (the recorded events, as records), {@link
 * io.snapline.runtime.determinant.DeterminantLog} (a log and its byte layout), {@link
 * io.snapline.runtime.determinant.Recording} and {@link io.snapline.runtime.determinant.Replay} (engine-free: a
 * simulator records and replays with them too), and {@link io.snapline.runtime.determinant.DeterminantRecorder},
 * which binds them to a rank's engine through the engine's {@code ChoiceHook}, installed only while it records or
 * replays.
 */
package io.snapline.runtime.determinant;
