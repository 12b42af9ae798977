package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DataMover#copy} between random layouts (vectors, indexed blocks, nested types; dense, fragmented and
 * long-run) against an element-by-element reference built from {@link TypeMap#indexOf}, for every fast path.
 */
class DataMoverTest {
    private static TypeMap randomType(SplittableRandom rnd, BaseType base) {
        TypeMap basic = TypeMap.basic(base);
        switch (rnd.nextInt(5)) {
            case 0:
                return basic;
            case 1:
                return TypeMap.contiguous(1 + rnd.nextInt(5), basic);
            case 2:
                return TypeMap.vector(1 + rnd.nextInt(6), 1 + rnd.nextInt(3), 3 + rnd.nextInt(4), basic);
            case 3: {
                int blocks = 1 + rnd.nextInt(4);
                int[] len = new int[blocks];
                int[] disp = new int[blocks];
                int at = 0;
                for (int i = 0; i < blocks; i++) {
                    len[i] = 1 + rnd.nextInt(9);
                    disp[i] = at + rnd.nextInt(3);
                    at = disp[i] + len[i] + 1;
                }
                return TypeMap.indexed(len, disp, basic);
            }
            default:
                return TypeMap.vector(2 + rnd.nextInt(3), 1, 2, TypeMap.contiguous(2, basic));
        }
    }

    private static int span(TypeMap t, int count) {
        int max = 0;
        for (int k = 0; k < count * t.size(); k++) {
            max = Math.max(max, t.indexOf(0, k));
        }
        return max + 1;
    }

    @Test
    void shouldCopyLikeTheElementwiseReferenceForRandomLayouts() {
        SplittableRandom rnd = new SplittableRandom(42);
        BaseType[] bases = {BaseType.DOUBLE, BaseType.INT, BaseType.LONG, BaseType.BYTE, BaseType.CHAR};
        for (int trial = 0; trial < 3000; trial++) {
            BaseType base = bases[rnd.nextInt(bases.length)];
            TypeMap st = randomType(rnd, base);
            TypeMap dt = randomType(rnd, base);
            int sCount = 1 + rnd.nextInt(6);
            int n = 1 + rnd.nextInt(sCount * st.size());
            int dCount = (n + dt.size() - 1) / dt.size();
            int sOff = rnd.nextInt(3);
            int dOff = rnd.nextInt(3);
            long[] srcValues = new long[sOff + span(st, sCount)];
            for (int i = 0; i < srcValues.length; i++) {
                srcValues[i] = rnd.nextInt(100) + 1;
            }
            Object src = base.newArray(srcValues.length);
            for (int i = 0; i < srcValues.length; i++) {
                java.lang.reflect.Array.set(src, i, box(base, srcValues[i]));
            }
            Object dst = base.newArray(dOff + span(dt, dCount));
            Object expected = base.newArray(BaseType.lengthOf(dst));
            for (int k = 0; k < n; k++) {
                java.lang.reflect.Array.set(expected, dt.indexOf(dOff, k),
                        java.lang.reflect.Array.get(src, st.indexOf(sOff, k)));
            }
            DataMover.copy(src, sOff, st, dst, dOff, dt, n);
            String why = "trial " + trial + ": " + st + " -> " + dt + ", n=" + n;
            assertArrayEquals(asLongs(expected), asLongs(dst), why);
        }
    }

    private static Object box(BaseType base, long v) {
        switch (base) {
            case DOUBLE: return (double) v;
            case INT: return (int) v;
            case LONG: return v;
            case BYTE: return (byte) v;
            case CHAR: return (char) v;
            default: throw new AssertionError(base);
        }
    }

    private static long[] asLongs(Object array) {
        long[] out = new long[BaseType.lengthOf(array)];
        for (int i = 0; i < out.length; i++) {
            Object o = java.lang.reflect.Array.get(array, i);
            out[i] = o instanceof Character ? (Character) o : ((Number) o).longValue();
        }
        return out;
    }

    @Test
    void shouldGatherAColumnIntoADenseArray() {
        double[] matrix = new double[4 * 5];
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] = i;
        }
        TypeMap column = TypeMap.vector(4, 1, 5, TypeMap.basic(BaseType.DOUBLE));
        double[] out = new double[4];
        DataMover.copy(matrix, 2, column, out, 0, TypeMap.basic(BaseType.DOUBLE), 4);
        assertArrayEquals(new double[] {2, 7, 12, 17}, out);
        double[] back = new double[20];
        DataMover.copy(out, 0, TypeMap.basic(BaseType.DOUBLE), back, 1, column, 4);
        double[] expected = new double[20];
        expected[1] = 2;
        expected[6] = 7;
        expected[11] = 12;
        expected[16] = 17;
        assertArrayEquals(expected, back, Arrays.toString(back));
    }
}
