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
 *       checkpoint, when the rank records its non-deterministic events, and when that checkpoint is complete.</li>
 *   <li>{@link io.snapline.checkpoint.coordinated.nb.NbCoordinatorProtocol} — requests checkpoints on a time
 *       interval, commits them in two phases, abandons them on failure, finish or timeout.</li>
 *   <li>{@link io.snapline.checkpoint.coordinated.nb.NbCheckpointRecord} and
 *       {@link io.snapline.checkpoint.coordinated.nb.RestartPlan} — what one rank records, and how a job
 *       restarts from one committed checkpoint (late messages re-injected, early re-sends suppressed, recorded
 *       events replayed up to a bound).</li>
 * </ul>
 *
 * <p>Epochs: a rank's epoch is the number of checkpoints it has taken; checkpoint {@code e} is the one that moves
 * ranks from epoch {@code e - 1} to {@code e}. Channels between ranks are FIFO; sequence numbers count from 1 per
 * channel.
 *
 * <h2>Non-deterministic programs: which events are recorded, and why that is enough</h2>
 * A restart from checkpoint {@code e} puts every rank {@code r} back at its capture {@code C(r)}, with the messages
 * it had not received and the late messages it logged, and suppresses its re-sends of early messages (sent after
 * {@code C(r)}, accepted by their receiver {@code q} before {@code C(q)}: {@code q}'s checkpoint already reflects
 * them). The restored job is a state of a failure-free execution only if each suppressed re-send is the message the
 * receiver's checkpoint holds, i.e. if {@code r} re-executes from {@code C(r)} to each early send as it did. That
 * depends on {@code r}'s state (restored), on the messages it receives meanwhile (restored, re-injected, or re-sent
 * by ranks that must in turn re-execute as they did) and on its non-deterministic outcomes (which message a wildcard
 * receive matched, what a probe or test found). Those outcomes are what the runtime's determinant recorder records
 * ({@code io.snapline.runtime.determinant}) and replays. Exactly the events that happen-before some early message
 * must be replayed, at whatever rank they occur; the protocol records a superset and replays a superset that can
 * always be forced again:
 * <ol>
 *   <li><b>Start: the capture.</b> Events before {@code C(r)} are in {@code r}'s state. The recording starts in the
 *       capture step itself ({@link io.snapline.checkpoint.coordinated.nb.NbRankAction.RecordDeterminants}), at a
 *       safe point, where no receive is pending.</li>
 *   <li><b>End: every promise is in</b> ({@code A(r)}, {@link
 *       io.snapline.checkpoint.coordinated.nb.NbRankAction.DeterminantsComplete}). Each peer {@code p} sends its
 *       promise in its capture step, so {@code C(p)} happens-before {@code A(r)}. Suppose an event {@code x} of
 *       {@code r} after {@code A(r)} happened-before an early message {@code m} from any rank to any {@code q},
 *       directly or through other ranks' messages ({@code x} → message to {@code p} → {@code p}'s message to
 *       {@code q} ...). Then {@code C(q)} → promise → {@code A(r)} → {@code x} → … → acceptance of {@code m} at
 *       {@code q}, so {@code q} accepted {@code m} after {@code C(q)}: {@code m} is not early. Hence no event
 *       after {@code A(r)} needs replaying, and recording from {@code C(r)} to {@code A(r)} covers every event that
 *       does, transitive influence included. Events between {@code A(r)} and the piece's completion (late messages
 *       still to come) are not recorded and need not be.</li>
 *   <li><b>Replay stays achievable: the bound.</b> A recorded outcome that observed message {@code n} from
 *       {@code p} (a receive that matched it, a probe that found it, a test completed by it) can be forced again
 *       only if {@code p} re-sends {@code n} as before. It does when {@code p} sent {@code n} before {@code A(p)}:
 *       {@code p}'s events before that send are in {@code p}'s log and replayed (induction on the causal order);
 *       late and restored messages come back from the checkpoint. After {@code A(p)} {@code p} runs freely and
 *       might not. So each record keeps {@code sentWhenAllTook} (the send counters at {@code A(p)}, taken under
 *       the same lock as sends, so a message numbered at or below it was sent before {@code A(p)}), and the
 *       restarted {@code r} replays its log only up to the first event that observed a message from some {@code p}
 *       numbered above {@code p}'s count; from there it runs freely. Nothing needed is lost: such an event comes
 *       after {@code A(p)}, after every capture, so by (2) neither it nor any later event of {@code r} precedes an
 *       early message.</li>
 *   <li><b>One checkpoint at a time.</b> Checkpoint {@code e + 1} is requested only after {@code e} committed,
 *       which needs every rank prepared, which needs every rank's promises in: every rank's recording for
 *       {@code e} has ended before any rank captures {@code e + 1}, so a rank never records for two checkpoints. A
 *       rank that hears of {@code e + 1} (a request, or an early message of epoch {@code e + 1}) while prepared for
 *       {@code e} treats {@code e} as committed; its window for {@code e} closed long before. A checkpoint abandoned
 *       while a rank records drops the recording ({@link
 *       io.snapline.checkpoint.coordinated.nb.NbRankAction.DropDeterminants}). A restarted rank that captures
 *       {@code e + 1} while still replaying {@code e}'s log records the outcomes it is being forced to: the new log
 *       starts at the new capture, as a restart from {@code e + 1} needs.</li>
 *   <li><b>No capture before the re-sends.</b> The argument of (2) holds for messages sent and accepted in one
 *       execution. After a restart from {@code e}, a peer {@code q} holds, restored, the early messages of
 *       {@code r} from the execution before; {@code r} sends them again (suppressed) only later. Were {@code r} to
 *       capture {@code e + 1} before those re-sends, {@code q}'s piece of {@code e + 1} would hold a message that
 *       {@code r}'s does not precede, and every rank could take {@code e + 1}, ending {@code r}'s recording, before
 *       {@code r} made again the choices that shape the message: restarted from {@code e + 1}, {@code r} would
 *       choose freely and its suppressed re-send could differ from what {@code q} holds. So a restarted rank takes
 *       no checkpoint while it has re-sends left; a later safe point takes it, and the checkpoint is then an
 *       ordinary one. The rank tells the coordinator it defers ({@code Deferred}), and the checkpoint's timeout
 *       counts from its capture: re-executing up to its re-sends is no stall, however long it takes.</li>
 * </ol>
 * What this cannot force: a test or wait recorded as reporting a send complete waits, on replay, for the receiver
 * to take the message again; if the receiver took it only after every rank had checkpointed and its free
 * re-execution never receives it, the replayed rank waits and the job ends with a deadlock report, not a different
 * result. Outcomes the engine does not decide (clocks, the program's threads, {@code Cancel}) are not recorded.
 */
package io.snapline.checkpoint.coordinated.nb;
