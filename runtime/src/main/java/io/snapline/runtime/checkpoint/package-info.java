/**
 * The checkpoint SPI and the rank side of checkpointing.
 *
 * <p>A {@link io.snapline.runtime.checkpoint.CheckpointPolicy} is found with {@link java.util.ServiceLoader} by the
 * name given to {@code --checkpoint}; it has two halves. The {@link io.snapline.runtime.checkpoint.RankPolicy} runs
 * in every rank and is told about each safe point; the {@link io.snapline.runtime.checkpoint.PolicyCoordinator}
 * runs in the supervisor, one per job attempt, and commits global checkpoints. The halves talk through opaque
 * messages the policy encodes itself, carried in-process on {@code shm} and over the control channel on
 * {@code tcp}. Everything a policy needs from the runtime — flushing channels, capturing the rank's image (program
 * state plus communication state), writing and committing pieces — is offered by
 * {@link io.snapline.runtime.checkpoint.RankServices} and {@link io.snapline.runtime.checkpoint.CoordinatorServices},
 * so a policy never touches the engine directly. The SPI has types of its own and names no engine class: saved
 * messages are {@link io.snapline.runtime.checkpoint.SavedMessage}s, a capture is described by a
 * {@link io.snapline.runtime.checkpoint.Cut}, and a policy that numbers traffic sees it through a
 * {@link io.snapline.runtime.checkpoint.TrafficHook}, which the runtime adapts to the engine's hook (the policy
 * modules' architecture tests keep them off the engine). {@link io.snapline.runtime.checkpoint.RankAgent} is the
 * runtime behind the program-facing {@link io.snapline.checkpoint.Checkpoint} API. How far apart checkpoints are is an
 * {@link io.snapline.runtime.checkpoint.Interval}, fixed or chosen as the job runs by an
 * {@link io.snapline.runtime.checkpoint.IntervalChooser} from the measured cost of the checkpoints
 * ({@code --interval auto}); every policy's scheduler follows it.
 */
package io.snapline.runtime.checkpoint;
