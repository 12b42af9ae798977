/**
 * Performance measurements of the messaging layer on the {@code shm} device.
 *
 * <p>{@link io.snapline.benchmarks.MessagingBenchmark} is the entry point: it starts two-rank jobs in this JVM
 * through the launcher ({@code ShmJob}), lets the rank programs of {@link io.snapline.benchmarks.rank} time their
 * own loops (each rank has its own copy of {@code mpi.MPI}, so timing must happen inside the ranks), measures
 * a raw-Java baseline for each figure in the same run ({@link io.snapline.benchmarks.RawBaselines}) and prints a
 * Markdown table of both with their ratio and the project's targets.
 */
package io.snapline.benchmarks;
