package mpi;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.TypeMap;

/**
 * A datatype: a layout of elements of one base type. Sizes, extents and bounds are in base elements, as in
 * mpiJava 1.2 ({@code MPI.INT.Size() == 1}, {@code Datatype.Contiguous(4, MPI.INT).Extent() == 4}).
 */
public abstract class Datatype implements Freeable {
    static final int NULL_CODE = 0;
    static final int BYTE_CODE = 1;
    static final int CHAR_CODE = 2;
    static final int SHORT_CODE = 3;
    static final int BOOLEAN_CODE = 4;
    static final int INT_CODE = 5;
    static final int LONG_CODE = 6;
    static final int FLOAT_CODE = 7;
    static final int DOUBLE_CODE = 8;
    static final int PACKED_CODE = 9;
    static final int LB_CODE = 10;
    static final int UB_CODE = 11;
    static final int OBJECT_CODE = 12;

    /** MPJ Express's code of the base type (INT is 5, ...). */
    public int baseType;

    TypeMap map;
    boolean committed;
    private boolean freed;
    private boolean predefined;

    public Datatype() {
    }

    static Datatype predefined(TypeMap map, int code) {
        Datatype d = new Impl(map, code);
        d.committed = true;
        d.predefined = true;
        return d;
    }

    static Datatype derived(TypeMap map) {
        return new Impl(map, codeOf(map.base()));
    }

    private static int codeOf(BaseType b) {
        if (b == null) {
            return NULL_CODE;
        }
        switch (b) {
            case BYTE: return BYTE_CODE;
            case CHAR: return CHAR_CODE;
            case SHORT: return SHORT_CODE;
            case BOOLEAN: return BOOLEAN_CODE;
            case INT: return INT_CODE;
            case LONG: return LONG_CODE;
            case FLOAT: return FLOAT_CODE;
            case DOUBLE: return DOUBLE_CODE;
            case PACKED: return PACKED_CODE;
            case OBJECT: return OBJECT_CODE;
            default: throw new AssertionError(b);
        }
    }

    /** The engine layout; raises {@link MPIException} when the datatype has been freed. */
    TypeMap map() {
        if (freed) {
            throw new MPIException("the datatype has been freed; it cannot be used any more");
        }
        return map;
    }

    static TypeMap mapOf(Datatype d, String op) {
        if (d == null) {
            throw new MPIException(op + ": datatype is null");
        }
        if (d.freed) {
            throw new MPIException(op + ": the datatype has been freed; it cannot be used any more");
        }
        return d.map;
    }

    public int getType() {
        return baseType;
    }

    /** Bytes of one base element (0 for OBJECT and the markers). */
    public int getByteSize() {
        BaseType b = map().base();
        return b == null ? 0 : b.byteSize();
    }

    public int Extent() throws MPIException {
        return map().extent();
    }

    public int Size() throws MPIException {
        return map().size();
    }

    public int Lb() throws MPIException {
        return map().lb();
    }

    public int Ub() throws MPIException {
        return map().ub();
    }

    public void Commit() throws MPIException {
        map();
        committed = true;
    }

    /** Releases the datatype; using it afterwards raises {@link MPIException}. Predefined types cannot be freed. */
    @Override
    public void free() {
        if (predefined) {
            throw new MPIException("Free: a predefined datatype cannot be freed");
        }
        freed = true;
    }

    /** Kept for source compatibility with mpiJava; does nothing. */
    @Override
    @SuppressWarnings({"deprecation", "removal", "checkstyle:NoFinalizer"})
    public void finalize() throws MPIException {
    }

    public static Datatype Contiguous(int count, Datatype oldtype) throws MPIException {
        return build("Contiguous", () -> TypeMap.contiguous(count, mapOf(oldtype, "Contiguous")));
    }

    public static Datatype Vector(int count, int blocklength, int stride, Datatype oldtype) throws MPIException {
        return build("Vector", () -> TypeMap.vector(count, blocklength, stride, mapOf(oldtype, "Vector")));
    }

    /** As {@link #Vector}, with the stride in buffer elements rather than extents of {@code oldtype}. */
    public static Datatype Hvector(int count, int blocklength, int stride, Datatype oldtype) throws MPIException {
        return build("Hvector", () -> TypeMap.hvector(count, blocklength, stride, mapOf(oldtype, "Hvector")));
    }

    public static Datatype Indexed(int[] array_of_blocklengths, int[] array_of_displacements, Datatype oldtype)
            throws MPIException {
        return build("Indexed", () -> TypeMap.indexed(array_of_blocklengths, array_of_displacements, mapOf(oldtype, "Indexed")));
    }

    /** As {@link #Indexed}, with displacements in buffer elements. */
    public static Datatype Hindexed(int[] array_of_blocklengths, int[] array_of_displacements, Datatype oldtype)
            throws MPIException {
        return build("Hindexed", () -> TypeMap.hindexed(array_of_blocklengths, array_of_displacements, mapOf(oldtype, "Hindexed")));
    }

    /**
     * Blocks of different types at displacements in buffer elements. All data-carrying types must share one base
     * type (a Java buffer has one element type); {@link MPI#LB} and {@link MPI#UB} set explicit bounds.
     */
    public static Datatype Struct(int[] array_of_blocklengths, int[] array_of_displacements, Datatype[] array_of_types)
            throws MPIException {
        return build("Struct", () -> {
            if (array_of_types == null) {
                throw new EngineException("array_of_types is null");
            }
            TypeMap[] maps = new TypeMap[array_of_types.length];
            for (int i = 0; i < maps.length; i++) {
                maps[i] = mapOf(array_of_types[i], "Struct");
            }
            return TypeMap.struct(array_of_blocklengths, array_of_displacements, maps);
        });
    }

    private static Datatype build(String op, java.util.function.Supplier<TypeMap> f) {
        try {
            return derived(f.get());
        } catch (EngineException | ArithmeticException e) {
            throw MPIException.of(op, e);
        }
    }

    @Override
    public String toString() {
        return "Datatype" + (freed ? "(freed)" : map.toString());
    }

    private static final class Impl extends Datatype {
        Impl(TypeMap map, int code) {
            this.map = map;
            this.baseType = code;
        }
    }
}
