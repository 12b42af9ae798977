/**
 * What cluster mode's control plane costs: how long an agent takes to start and to join, how long a lost agent takes
 * to be noticed (killed, or frozen), and what starting a process through an agent adds to starting it locally.
 * {@link io.snapline.benchmarks.cluster.ClusterBenchmark} is the entry point ({@code bin/snapbench-cluster}).
 */
package io.snapline.benchmarks.cluster;
