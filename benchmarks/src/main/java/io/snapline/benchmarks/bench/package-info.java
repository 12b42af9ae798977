/**
 * {@code snapline bench}: runs a matrix of programs, checkpoint policies, policy options, rank counts, devices and
 * injected failures, each run a real job in a fresh JVM as {@code bin/snaprun} starts it, repeats the cells
 * interleaved, and writes a report (Markdown, CSV, SVG plots) from the launcher's JSON run reports.
 *
 * <p>{@link io.snapline.benchmarks.bench.BenchCommand} is the command line; {@link io.snapline.benchmarks.bench.Matrix}
 * the cells and their order; {@link io.snapline.benchmarks.bench.JobRunner} one run;
 * {@link io.snapline.benchmarks.bench.BenchReport} the summary.
 */
package io.snapline.benchmarks.bench;
