/**
 * The mpiJava 1.2 API, source-compatible with MPJ Express programs. These classes keep the capitalised mpiJava
 * names and public constants for compatibility and are a thin facade over the engine's instance objects in
 * {@code io.snapline.runtime.engine}. On the {@code shm} device each rank loads its own copy of {@link mpi.MPI},
 * so the public static fields ({@code MPI.COMM_WORLD}, ...) belong to one rank; the other classes hold no static state
 * and are shared by all ranks (see {@link mpi.MPISupport}).
 *
 * <p>Buffers are arrays of the datatype's element type, or {@link java.nio.ByteBuffer}s as Open MPI's Java bindings
 * take them (see {@link mpi.MPI#newByteBuffer}).
 */
package mpi;
