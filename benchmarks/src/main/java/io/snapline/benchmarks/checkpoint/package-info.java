/**
 * Checkpoint overhead: {@link io.snapline.benchmarks.checkpoint.CheckpointBenchmark} runs the heat stencil
 * {@link io.snapline.benchmarks.rank.HeatStencil} under {@code --checkpoint none} and each coordinated policy at
 * several intervals, each in a fresh launcher JVM, reads the launcher's JSON run reports, and compares the time the
 * ranks were held back per checkpoint with writing and fsyncing the same bytes with a plain {@code FileChannel},
 * measured in the same run.
 */
package io.snapline.benchmarks.checkpoint;
