/**
 * The recovery planner: reads a job's checkpoint metadata, builds the rollback-dependency graph and computes the
 * recovery line (maximum consistent global checkpoint) after a failure, names orphan and in-transit messages and
 * useless checkpoints, plans the restart, and draws space-time diagrams.
 */
package io.snapline.recovery;
