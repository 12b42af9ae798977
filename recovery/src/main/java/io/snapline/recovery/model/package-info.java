/**
 * The execution history the recovery planner reasons about: per rank its local checkpoints in order, and the
 * messages between ranks, each placed in the checkpoint interval of its send and of its receive. The model is plain
 * immutable records, independent of the runtime, so histories can come from a checkpoint store, a file or a test.
 *
 * <p>Interval {@code i} of a rank is its execution between its checkpoints {@code i} and {@code i + 1}; the last
 * interval is open (after the last checkpoint, up to the failure or the end of the history).
 */
package io.snapline.recovery.model;
