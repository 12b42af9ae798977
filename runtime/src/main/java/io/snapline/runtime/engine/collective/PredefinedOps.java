package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;
import java.util.EnumSet;
import java.util.Set;

/**
 * The predefined reduction operators of MPI, all commutative. Which base types each accepts:
 * <ul>
 *   <li>MAX, MIN, SUM, PROD: BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE (integral arithmetic wraps);</li>
 *   <li>LAND, LOR, LXOR: BOOLEAN, and the integral types with C semantics (nonzero is true, the result is 1 or 0);</li>
 *   <li>BAND, BOR, BXOR: BYTE, SHORT, CHAR, INT, LONG and BOOLEAN;</li>
 *   <li>MAXLOC, MINLOC: (value, index) pairs of SHORT, INT, LONG, FLOAT or DOUBLE ({@code MPI.INT2} and friends,
 *       or any layout whose elements come in pairs); on equal values the smaller index wins.</li>
 * </ul>
 * Elements are combined in type-map order, so the operators work on derived layouts too; dense layouts take a fast
 * path of one tight loop per (operator, type). {@link #apply} allocates nothing.
 */
public enum PredefinedOps implements ReduceOp {
    MAX, MIN, SUM, PROD, LAND, BAND, LOR, BOR, LXOR, BXOR, MAXLOC, MINLOC;

    private static final Set<BaseType> ARITHMETIC = EnumSet.of(BaseType.BYTE, BaseType.SHORT, BaseType.CHAR,
            BaseType.INT, BaseType.LONG, BaseType.FLOAT, BaseType.DOUBLE);
    private static final Set<BaseType> LOGICAL = EnumSet.of(BaseType.BOOLEAN, BaseType.BYTE, BaseType.SHORT,
            BaseType.CHAR, BaseType.INT, BaseType.LONG);
    private static final Set<BaseType> PAIRS = EnumSet.of(BaseType.SHORT, BaseType.INT, BaseType.LONG,
            BaseType.FLOAT, BaseType.DOUBLE);

    @Override
    public boolean isCommutative() {
        return true;
    }

    private boolean isLoc() {
        return this == MAXLOC || this == MINLOC;
    }

    private Set<BaseType> domain() {
        switch (this) {
            case MAX:
            case MIN:
            case SUM:
            case PROD:
                return ARITHMETIC;
            case MAXLOC:
            case MINLOC:
                return PAIRS;
            default:
                return LOGICAL;
        }
    }

    /**
     * Raises {@link EngineException} unless this operator is defined for {@code type}. A type without elements (the
     * null datatype) is accepted: there is nothing to combine.
     */
    public void checkType(TypeMap type) {
        BaseType base = type.base();
        if (base == null || type.size() == 0) {
            return;
        }
        if (!domain().contains(base)) {
            String hint = isLoc()
                    ? ": it needs (value, index) pairs such as MPI.SHORT2, MPI.INT2, MPI.LONG2, MPI.FLOAT2 or MPI.DOUBLE2"
                    : " (it applies to " + names(domain()) + ")";
            throw new EngineException("MPI." + name() + " is not defined for " + base + hint);
        }
        if (isLoc() && type.size() % 2 != 0) {
            throw new EngineException("MPI." + name() + " is not defined for " + base + ": it needs (value, index)"
                    + " pairs such as MPI." + base + "2, but the datatype holds " + type.size() + " " + base
                    + " element(s) per item, an odd number");
        }
    }

    private static String names(Set<BaseType> types) {
        StringBuilder b = new StringBuilder();
        for (BaseType t : types) {
            b.append(b.length() == 0 ? "" : ", ").append(t);
        }
        return b.toString();
    }

    /** Checks {@code type} when {@code op} is predefined; user-defined operators accept any type. */
    static void check(ReduceOp op, TypeMap type) {
        if (op instanceof PredefinedOps) {
            ((PredefinedOps) op).checkType(type);
        }
    }

    @Override
    public void apply(Object in, int inOffset, Object inout, int inoutOffset, int count, TypeMap type) {
        checkType(type);
        int n = count * type.size();
        if (n <= 0) {
            return;
        }
        if (type.isContiguous()) {
            run(type.base(), in, inOffset, inout, inoutOffset, n);
        } else if (isLoc()) {
            applyPairs(in, inOffset, inout, inoutOffset, count, type);
        } else {
            applyRuns(in, inOffset, inout, inoutOffset, count, type);
        }
    }

    /** Derived layout: combines maximal runs of consecutive elements, item by item. */
    private void applyRuns(Object in, int inOffset, Object inout, int inoutOffset, int count, TypeMap type) {
        int size = type.size();
        int extent = type.extent();
        BaseType base = type.base();
        for (int item = 0; item < count; item++) {
            int shift = item * extent;
            int j = 0;
            while (j < size) {
                int start = type.displacement(j);
                int len = 1;
                while (j + len < size && type.displacement(j + len) == start + len) {
                    len++;
                }
                run(base, in, inOffset + shift + start, inout, inoutOffset + shift + start, len);
                j += len;
            }
        }
    }

    /** Derived layout for MAXLOC/MINLOC: element 2p is a value, element 2p + 1 its index. */
    private void applyPairs(Object in, int inOffset, Object inout, int inoutOffset, int count, TypeMap type) {
        int size = type.size();
        int extent = type.extent();
        BaseType base = type.base();
        boolean max = this == MAXLOC;
        for (int item = 0; item < count; item++) {
            int shift = item * extent;
            for (int p = 0; p < size; p += 2) {
                int v = shift + type.displacement(p);
                int x = shift + type.displacement(p + 1);
                LocKernels.pair(max, base, in, inOffset + v, inOffset + x, inout, inoutOffset + v, inoutOffset + x);
            }
        }
    }

    /** Combines {@code n} consecutive elements (whole pairs for MAXLOC/MINLOC). */
    private void run(BaseType base, Object in, int i, Object inout, int j, int n) {
        if (isLoc()) {
            runPairs(base, in, i, inout, j, n / 2);
            return;
        }
        switch (base) {
            case BYTE:
                IntegralKernels.bytes(this, (byte[]) in, i, (byte[]) inout, j, n);
                break;
            case SHORT:
                IntegralKernels.shorts(this, (short[]) in, i, (short[]) inout, j, n);
                break;
            case CHAR:
                IntegralKernels.chars(this, (char[]) in, i, (char[]) inout, j, n);
                break;
            case INT:
                IntegralKernels.ints(this, (int[]) in, i, (int[]) inout, j, n);
                break;
            case LONG:
                IntegralKernels.longs(this, (long[]) in, i, (long[]) inout, j, n);
                break;
            case FLOAT:
                FloatingKernels.floats(this, (float[]) in, i, (float[]) inout, j, n);
                break;
            case DOUBLE:
                FloatingKernels.doubles(this, (double[]) in, i, (double[]) inout, j, n);
                break;
            case BOOLEAN:
                FloatingKernels.booleans(this, (boolean[]) in, i, (boolean[]) inout, j, n);
                break;
            default:
                throw new AssertionError(base);
        }
    }

    private void runPairs(BaseType base, Object in, int i, Object inout, int j, int pairs) {
        boolean max = this == MAXLOC;
        switch (base) {
            case SHORT:
                LocKernels.shorts(max, (short[]) in, i, (short[]) inout, j, pairs);
                break;
            case INT:
                LocKernels.ints(max, (int[]) in, i, (int[]) inout, j, pairs);
                break;
            case LONG:
                LocKernels.longs(max, (long[]) in, i, (long[]) inout, j, pairs);
                break;
            case FLOAT:
                LocKernels.floats(max, (float[]) in, i, (float[]) inout, j, pairs);
                break;
            case DOUBLE:
                LocKernels.doubles(max, (double[]) in, i, (double[]) inout, j, pairs);
                break;
            default:
                throw new AssertionError(base);
        }
    }
}
