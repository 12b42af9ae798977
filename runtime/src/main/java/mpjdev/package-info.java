/** Compatibility: the supertype of {@code mpi.MPIException} in MPJ Express. */
package mpjdev;
