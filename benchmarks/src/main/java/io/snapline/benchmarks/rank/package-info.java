/**
 * Rank programs run by the benchmark harness. They use only the public {@code mpi} API, time their loops with
 * {@link java.lang.System#nanoTime()} after a warm-up, repeat the timing over several trials and report the median
 * from rank 0 as {@code @result KEY NANOS} lines on standard output ({@link io.snapline.benchmarks.rank.RankReport}).
 */
package io.snapline.benchmarks.rank;
