/**
 * Starting jobs: the {@code snaprun} command line ({@link io.snapline.runtime.launch.Launcher},
 * {@link io.snapline.runtime.launch.LaunchOptions}), finding and checking the user's program, the shared-memory job
 * runner with one class loader per rank ({@link io.snapline.runtime.launch.ShmJob}), whole-line output routing, the
 * report of a failed job, and the registry through which {@code MPI.Init} finds its rank. For {@code -dev tcp}: the
 * launcher side ({@link io.snapline.runtime.launch.TcpJob}: one JVM per rank, output forwarding, supervision with a
 * {@link io.snapline.runtime.launch.FailureDetector}), the token-authenticated control channel
 * ({@link io.snapline.runtime.launch.ControlChannel}, {@link io.snapline.runtime.launch.ControlMessage}), the rank side
 * ({@link io.snapline.runtime.launch.RankProcess}, {@link io.snapline.runtime.launch.RankControl}), and the one seam to
 * the tcp data plane ({@link io.snapline.runtime.launch.TcpDataPlane}).
 */
package io.snapline.runtime.launch;
