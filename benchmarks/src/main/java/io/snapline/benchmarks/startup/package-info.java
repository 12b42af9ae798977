/**
 * Startup cost of {@code shm} jobs: how long {@code bin/snaprun -np N} takes to run the smallest program
 * ({@code io.snapline.examples.Hello}) from launch to exit as the rank count grows, optionally for two builds side by
 * side. {@link io.snapline.benchmarks.startup.StartupBenchmark} is the entry point ({@code bin/snapbench-startup}).
 */
package io.snapline.benchmarks.startup;
