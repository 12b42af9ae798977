/**
 * Small SPMD programs written only against the public {@code mpi} API, as an MPJ Express user would write them.
 * Each is a {@code main} class that runs on any number of ranks (PingPong needs two), for example
 * {@code bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.Ring 3}.
 *
 * <ul>
 *   <li>{@link io.snapline.examples.Hello}: ranks and sizes.</li>
 *   <li>{@link io.snapline.examples.Ring}: blocking and non-blocking point-to-point around a ring.</li>
 *   <li>{@link io.snapline.examples.PingPong}: latency and bandwidth between two ranks.</li>
 *   <li>{@link io.snapline.examples.MonteCarloPi}: independent work combined with {@code Reduce}.</li>
 *   <li>{@link io.snapline.examples.Heat2D}: a Cartesian topology, halo exchange with a vector datatype.</li>
 *   <li>{@link io.snapline.examples.MatMul}: {@code Scatterv}, {@code Bcast} and {@code Gatherv}.</li>
 *   <li>{@link io.snapline.examples.NBody}: {@code Allgatherv} every step, bit-identical to a sequential run.</li>
 * </ul>
 *
 * <p>Ring, MonteCarloPi, Heat2D, MatMul and NBody register their loop state with
 * {@link io.snapline.checkpoint.Checkpoint#restoreOr} and end every iteration at a safe point, so they survive
 * failures under a checkpoint policy; they print results only on stdout (timings on stderr), so a run with
 * failures prints exactly what a failure-free run prints.
 */
package io.snapline.examples;
