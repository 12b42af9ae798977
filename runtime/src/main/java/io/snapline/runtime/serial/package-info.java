/** Encoding objects for {@code MPI.OBJECT} messages (and, later, checkpoint state) with Kryo. */
package io.snapline.runtime.serial;
