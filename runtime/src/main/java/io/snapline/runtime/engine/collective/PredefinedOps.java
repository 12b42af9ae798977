package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;

/** The predefined reduction operators of MPI. */
public enum PredefinedOps implements ReduceOp {
    MAX, MIN, SUM, PROD, LAND, BAND, LOR, BOR, LXOR, BXOR, MAXLOC, MINLOC;

    @Override
    public boolean isCommutative() {
        return true;
    }

    @Override
    public void apply(Object in, int inOffset, Object inout, int inoutOffset, int count, TypeMap type) {
        throw new UnsupportedOperationException("MPI." + name());
    }
}
