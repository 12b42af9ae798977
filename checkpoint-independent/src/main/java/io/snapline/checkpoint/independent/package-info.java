/**
 * {@code --checkpoint independent}: each rank checkpoints at its own safe points on its own schedule, with no
 * coordination, and records with every checkpoint which messages it sent and received in the interval that ended
 * (the runtime's dependency tracking). With {@code --logging none} nothing else is kept, so after a failure every
 * rank restarts from the maximum <em>strongly consistent</em> recovery line the recovery module computes from those
 * records. With {@code --logging pessimistic} ({@code LoggingRank}, {@code LoggingCoordinator}) every message is
 * logged at its sender and every non-deterministic outcome made stable before the rank's next send, so every rank
 * restarts from its own newest checkpoint. Found by the launcher through {@link java.util.ServiceLoader}.
 */
package io.snapline.checkpoint.independent;
