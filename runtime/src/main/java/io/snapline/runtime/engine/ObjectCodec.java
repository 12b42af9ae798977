package io.snapline.runtime.engine;

/**
 * Turns the objects of an {@link BaseType#OBJECT} buffer into bytes and back. One instance per rank, used only
 * by that rank's threads; the decoder resolves classes in the rank's own class loader.
 */
public interface ObjectCodec {
    /** Encodes {@code n} elements of the layout as one object graph (shared references and cycles kept). */
    byte[] encode(Object[] src, int offset, TypeMap type, int n);

    /** Decodes {@code n} elements produced by {@link #encode} into the layout. */
    void decode(byte[] bytes, Object[] dst, int offset, TypeMap type, int n);
}
