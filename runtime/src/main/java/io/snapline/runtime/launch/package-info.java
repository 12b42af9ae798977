/**
 * Starting jobs: the {@code snaprun} command line ({@link io.snapline.runtime.launch.Launcher},
 * {@link io.snapline.runtime.launch.LaunchOptions}), finding and checking the user's program, the shared-memory job
 * runner with one class loader per rank ({@link io.snapline.runtime.launch.ShmJob}), whole-line output routing, the
 * report of a failed job, and the registry through which {@code MPI.Init} finds its rank.
 */
package io.snapline.runtime.launch;
