/**
 * Measures the recovery planner at scale: {@link io.snapline.benchmarks.recovery.SyntheticHistory} generates random
 * histories of a given size and seed, {@link io.snapline.benchmarks.recovery.RecoveryScaleRun} times every phase of
 * the planner on one size in a child JVM with a bounded heap, and
 * {@link io.snapline.benchmarks.recovery.RecoveryBenchmark} (the main of {@code bin/snapbench-recovery}) runs the
 * sizes and prints the Markdown tables and an SVG plot.
 */
package io.snapline.benchmarks.recovery;
