package mpi;

import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;

/** A reduction operator: one of the predefined ones in {@link MPI} or a {@link User_function}. */
public class Op {
    /** A small integer naming the operator (predefined ones count from 1; user-defined ones are 0). */
    public int opCode;

    private final ReduceOp predefined;
    private final User_function function;
    private final boolean commute;
    private boolean freed;

    /** A user-defined operator; {@code commute} says whether operands may be combined in any order. */
    public Op(User_function function, boolean commute) throws MPIException {
        this(function, commute, 0);
    }

    public Op(User_function function, boolean commute, int opCode) throws MPIException {
        if (function == null) {
            throw new MPIException("Op: the user function is null");
        }
        this.function = function;
        this.commute = commute;
        this.predefined = null;
        this.opCode = opCode;
    }

    Op(ReduceOp predefined, int opCode) {
        this.predefined = predefined;
        this.function = null;
        this.commute = predefined.isCommutative();
        this.opCode = opCode;
    }

    /** The engine operator, bound to {@code datatype} so a user function sees the datatype it was called with. */
    ReduceOp engineOp(Datatype datatype, String op) {
        if (freed) {
            throw new MPIException(op + ": the Op has been freed");
        }
        if (predefined != null) {
            return predefined;
        }
        return new ReduceOp() {
            @Override
            public String name() {
                return "user function " + function.getClass().getName();
            }

            @Override
            public boolean isCommutative() {
                return commute;
            }

            @Override
            public void apply(Object in, int inOffset, Object inout, int inoutOffset, int count, TypeMap type) {
                function.Call(in, inOffset, inout, inoutOffset, count, datatype);
            }
        };
    }

    public void free() throws MPIException {
        if (predefined != null) {
            throw new MPIException("Op.free: a predefined operator cannot be freed");
        }
        freed = true;
    }

    /** Kept for source compatibility with mpiJava; does nothing. */
    @SuppressWarnings({"deprecation", "removal"})
    @Override
    public void finalize() throws MPIException {
    }

    @Override
    public String toString() {
        return predefined != null ? predefined.name() : "Op[" + function.getClass().getName() + "]";
    }
}
