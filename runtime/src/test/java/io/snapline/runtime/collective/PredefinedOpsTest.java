package io.snapline.runtime.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.engine.collective.PredefinedOps;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every predefined operator on every base type, against a reference computed element by element in this test. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PredefinedOpsTest {
    private static final Set<BaseType> INTEGRAL = EnumSet.of(BaseType.BYTE, BaseType.SHORT, BaseType.CHAR,
            BaseType.INT, BaseType.LONG);
    private static final Set<BaseType> ARITHMETIC = EnumSet.of(BaseType.BYTE, BaseType.SHORT, BaseType.CHAR,
            BaseType.INT, BaseType.LONG, BaseType.FLOAT, BaseType.DOUBLE);
    private static final Set<BaseType> PAIRS = EnumSet.of(BaseType.SHORT, BaseType.INT, BaseType.LONG,
            BaseType.FLOAT, BaseType.DOUBLE);
    private static final Set<BaseType> DATA = EnumSet.of(BaseType.BYTE, BaseType.SHORT, BaseType.CHAR,
            BaseType.BOOLEAN, BaseType.INT, BaseType.LONG, BaseType.FLOAT, BaseType.DOUBLE, BaseType.OBJECT,
            BaseType.PACKED);

    /** The MPI rules as this test states them, independently of the implementation. */
    static boolean defined(PredefinedOps op, BaseType t) {
        switch (op) {
            case MAX:
            case MIN:
            case SUM:
            case PROD:
                return ARITHMETIC.contains(t);
            case MAXLOC:
            case MINLOC:
                return PAIRS.contains(t);
            default:
                return INTEGRAL.contains(t) || t == BaseType.BOOLEAN;
        }
    }

    static Stream<Arguments> everyOpAndType() {
        List<Arguments> all = new ArrayList<>();
        for (PredefinedOps op : PredefinedOps.values()) {
            for (BaseType t : DATA) {
                all.add(Arguments.of(op, t));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("everyOpAndType")
    void shouldMatchReferenceOrRefuseWhenAppliedToEachBaseType(PredefinedOps op, BaseType t) {
        boolean loc = op == PredefinedOps.MAXLOC || op == PredefinedOps.MINLOC;
        TypeMap type = loc ? TypeMap.contiguous(2, TypeMap.basic(t)) : TypeMap.basic(t);
        int n = 40;
        Object a = t.newArray(n + 3);
        Object b = t.newArray(n + 5);
        if (!defined(op, t)) {
            EngineException e = assertThrows(EngineException.class, () -> op.apply(a, 0, b, 0, 1, type));
            assertTrue(e.getMessage().startsWith("MPI." + op.name() + " is not defined for " + t), e.getMessage());
            return;
        }
        java.util.Random rnd = new java.util.Random(op.ordinal() * 31L + t.ordinal());
        for (int i = 0; i < n + 5; i++) {
            if (i < n + 3) {
                set(a, i, rnd, loc);
            }
            set(b, i, rnd, loc);
        }
        Object expected = copy(b);
        int items = loc ? n / 2 : n;
        for (int i = 0; i < n; i++) {
            if (loc) {
                if (i % 2 == 0) {
                    loc(op == PredefinedOps.MAXLOC, a, 3 + i, expected, 5 + i);
                }
            } else {
                Array.set(expected, 5 + i, reference(op, t, Array.get(a, 3 + i), Array.get(expected, 5 + i)));
            }
        }
        op.apply(a, 3, b, 5, items, type);
        assertEquals(toList(expected), toList(b), op + " on " + t);
    }

    /**
     * Small values with many zeros, ones and repeats, so logic, ties and wrap-around all occur. Floating values are
     * dyadic with few significant bits, so sums and products of a few of them are exact in any association (MPI may
     * combine commutative operands in any order).
     */
    static void set(Object arr, int i, java.util.Random rnd, boolean loc) {
        int v = rnd.nextInt(7) == 0 ? 0 : rnd.nextInt(loc ? 4 : 300) - (loc ? 0 : 150);
        if (arr instanceof boolean[]) {
            ((boolean[]) arr)[i] = rnd.nextBoolean();
        } else if (arr instanceof byte[]) {
            ((byte[]) arr)[i] = (byte) v;
        } else if (arr instanceof short[]) {
            ((short[]) arr)[i] = (short) (v * 200);
        } else if (arr instanceof char[]) {
            ((char[]) arr)[i] = (char) (v & 0xFFFF);
        } else if (arr instanceof int[]) {
            ((int[]) arr)[i] = v * 1_000_003;
        } else if (arr instanceof long[]) {
            ((long[]) arr)[i] = v * 1_000_000_007L;
        } else if (arr instanceof float[]) {
            ((float[]) arr)[i] = (v % 20) / 8f;
        } else if (arr instanceof double[]) {
            ((double[]) arr)[i] = v / 4.0;
        } else if (arr instanceof Object[]) {
            ((Object[]) arr)[i] = v;
        }
    }

    /** {@code x op y} with C semantics, narrowed to the element type. */
    static Object reference(PredefinedOps op, BaseType t, Object x, Object y) {
        if (t == BaseType.BOOLEAN) {
            boolean p = (Boolean) x;
            boolean q = (Boolean) y;
            switch (op) {
                case LAND: case BAND: return p && q;
                case LOR: case BOR: return p || q;
                default: return p != q;
            }
        }
        if (t == BaseType.FLOAT || t == BaseType.DOUBLE) {
            double p = ((Number) x).doubleValue();
            double q = ((Number) y).doubleValue();
            double r;
            switch (op) {
                case MAX: r = Math.max(p, q); break;
                case MIN: r = Math.min(p, q); break;
                case SUM: r = t == BaseType.FLOAT ? (float) p + (float) q : p + q; break;
                default: r = t == BaseType.FLOAT ? (float) p * (float) q : p * q; break;
            }
            return t == BaseType.FLOAT ? (Object) (float) r : (Object) r;
        }
        long p = x instanceof Character ? (Character) x : ((Number) x).longValue();
        long q = y instanceof Character ? (Character) y : ((Number) y).longValue();
        long r;
        switch (op) {
            case MAX: r = Math.max(p, q); break;
            case MIN: r = Math.min(p, q); break;
            case SUM: r = p + q; break;
            case PROD: r = p * q; break;
            case LAND: r = p != 0 && q != 0 ? 1 : 0; break;
            case LOR: r = p != 0 || q != 0 ? 1 : 0; break;
            case LXOR: r = (p != 0) != (q != 0) ? 1 : 0; break;
            case BAND: r = p & q; break;
            case BOR: r = p | q; break;
            default: r = p ^ q; break;
        }
        switch (t) {
            case BYTE: return (byte) r;
            case SHORT: return (short) r;
            case CHAR: return (char) r;
            case INT: return (int) r;
            default: return r;
        }
    }

    /** Reference MAXLOC/MINLOC on the pair at {@code i} of {@code a} into the pair at {@code j} of {@code b}. */
    static void loc(boolean max, Object a, int i, Object b, int j) {
        double av = ((Number) Array.get(a, i)).doubleValue();
        double bv = ((Number) Array.get(b, j)).doubleValue();
        double ax = ((Number) Array.get(a, i + 1)).doubleValue();
        double bx = ((Number) Array.get(b, j + 1)).doubleValue();
        boolean takeA = max ? av > bv : av < bv;
        if (takeA || (av == bv && ax < bx)) {
            Array.set(b, j + 1, Array.get(a, i + 1));
        }
        if (takeA) {
            Array.set(b, j, Array.get(a, i));
        }
    }

    static Object copy(Object arr) {
        int n = Array.getLength(arr);
        Object c = Array.newInstance(arr.getClass().getComponentType(), n);
        System.arraycopy(arr, 0, c, 0, n);
        return c;
    }

    static List<Object> toList(Object arr) {
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < Array.getLength(arr); i++) {
            l.add(Array.get(arr, i));
        }
        return l;
    }

    @Test
    void shouldKeepSmallerIndexWhenMaxlocValuesTie() {
        TypeMap int2 = TypeMap.contiguous(2, TypeMap.basic(BaseType.INT));
        int[] in = {5, 7, 5, 2, 9, 4, 1, 1};
        int[] inout = {5, 3, 5, 6, 3, 0, 1, 1};
        PredefinedOps.MAXLOC.apply(in, 0, inout, 0, 4, int2);
        assertArrayEquals(new int[] {5, 3, 5, 2, 9, 4, 1, 1}, inout);
        double[] din = {-1.5, 4, 2.0, 8};
        double[] dio = {-1.5, 3, 2.5, 1};
        PredefinedOps.MINLOC.apply(din, 0, dio, 0, 2, TypeMap.contiguous(2, TypeMap.basic(BaseType.DOUBLE)));
        assertArrayEquals(new double[] {-1.5, 3, 2.0, 8}, dio);
    }

    @Test
    void shouldCombineOnlyMappedElementsWhenTypeHasGaps() {
        // two items of a vector type: elements at 0, 2, 4 of each 5-element extent
        TypeMap vec = TypeMap.vector(3, 1, 2, TypeMap.basic(BaseType.INT));
        int[] in = {1, 100, 2, 100, 3, 4, 100, 5, 100, 6};
        int[] inout = {10, -1, 20, -1, 30, 40, -1, 50, -1, 60};
        PredefinedOps.SUM.apply(in, 0, inout, 0, 2, vec);
        assertArrayEquals(new int[] {11, -1, 22, -1, 33, 44, -1, 55, -1, 66}, inout);
    }

    @Test
    void shouldPairElementsInTypeMapOrderWhenLocTypeHasGaps() {
        // pairs split by a gap: (value at 0, index at 2), (value at 3, index at 5)
        TypeMap split = TypeMap.indexed(new int[] {1, 2, 1}, new int[] {0, 2, 5}, TypeMap.basic(BaseType.LONG));
        long[] in = {9, -7, 1, 4, -7, 2};
        long[] inout = {9, -7, 0, 4, -7, 6};
        PredefinedOps.MAXLOC.apply(in, 0, inout, 0, 1, split);
        assertArrayEquals(new long[] {9, -7, 0, 4, -7, 2}, inout);
    }

    @Test
    void shouldExplainWhenLocTypeIsNotAPair() {
        EngineException e = assertThrows(EngineException.class, () -> PredefinedOps.MINLOC.apply(new int[3], 0,
                new int[3], 0, 1, TypeMap.contiguous(3, TypeMap.basic(BaseType.INT))));
        assertTrue(e.getMessage().contains("MPI.MINLOC is not defined for INT"), e.getMessage());
        assertTrue(e.getMessage().contains("odd number"), e.getMessage());
        e = assertThrows(EngineException.class, () -> PredefinedOps.MAXLOC.apply(new int[3], 0, new int[3], 0, 1,
                TypeMap.basic(BaseType.INT)));
        assertTrue(e.getMessage().contains("MPI.INT2"), e.getMessage());
    }
}
