/**
 * Starting jobs: the {@code snaprun} command line ({@link io.snapline.runtime.launch.Launcher},
 * {@link io.snapline.runtime.launch.LaunchOptions}), the shared-memory job runner with one class loader per rank,
 * whole-line output routing, and the registry through which {@code MPI.Init} finds its rank.
 */
package io.snapline.runtime.launch;
