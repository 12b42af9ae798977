/**
 * The device-independent message engine: datatypes as {@link io.snapline.runtime.engine.TypeMap}s,
 * point-to-point matching ({@link io.snapline.runtime.engine.Mailbox}), requests and progress,
 * communicators and groups as plain values, and the collective algorithms built on them.
 *
 * <p>The engine knows nothing of the capitalised mpiJava facade in package {@code mpi}; the facade is a
 * thin layer over these instance objects. Below it, a {@link io.snapline.runtime.device.Device} moves
 * {@link io.snapline.runtime.engine.Message}s between ranks and knows nothing of communicators or groups.
 */
package io.snapline.runtime.engine;
