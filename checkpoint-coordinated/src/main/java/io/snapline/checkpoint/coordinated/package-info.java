/**
 * Coordinated checkpoint policies: {@code coordinated} (every rank freezes at a safe point of its own, in-transit
 * messages are drained into the receivers' checkpoints, two-phase commit) and {@code coordinated-nb} (ranks keep
 * computing; epochs piggybacked on messages, late messages recorded and replayed, early messages suppressed on
 * re-execution). Found by the launcher through {@link java.util.ServiceLoader}; never referenced by the runtime.
 */
package io.snapline.checkpoint.coordinated;
