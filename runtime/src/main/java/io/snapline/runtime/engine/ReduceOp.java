package io.snapline.runtime.engine;

/** A reduction operator over buffers of one base type. */
public interface ReduceOp {
    /** For error messages, e.g. {@code MPI.SUM}. */
    String name();

    /** Whether operands may be combined in any order (otherwise results follow rank order). */
    boolean isCommutative();

    /**
     * Combines {@code count} items of {@code type}: {@code inout[i] = in[i] op inout[i]}, where {@code in} holds the
     * operands of lower ranks. Offsets are buffer indices.
     */
    void apply(Object in, int inOffset, Object inout, int inoutOffset, int count, TypeMap type);
}
