package io.snapline.runtime.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.Group;
import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.engine.collective.Collectives;
import io.snapline.runtime.engine.collective.PredefinedOps;
import io.snapline.runtime.launch.RankRegistry;
import io.snapline.runtime.testing.MpiRun;
import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import mpi.Op;
import mpi.User_function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reduce, Allreduce, Reduce_scatter and Scan against a sequential fold computed in each rank: predefined operators
 * on every type, MAXLOC/MINLOC ties, large buffers (Rabenseifner's path) and a non-commutative user operator whose
 * result reveals any deviation from rank order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReductionTest {
    static final int HOLE = -7;

    static int val(int rank, int i) {
        return rank * 1000 + i;
    }

    /** SUM and MAX over ints and doubles: every root, derived layouts, small and large all-reductions, scans. */
    public static class Sums {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            int[] mine = new int[7];
            Arrays.setAll(mine, i -> val(me, i));
            int[] sum = new int[7];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < 7; i++) {
                    sum[i] += val(r, i);
                }
            }
            for (int root = 0; root < n; root++) {
                int[] out = new int[9];
                Arrays.fill(out, HOLE);
                w.Reduce(mine, 0, out, 1, 7, MPI.INT, MPI.SUM, root);
                int[] want = new int[9];
                Arrays.fill(want, HOLE);
                if (me == root) {
                    System.arraycopy(sum, 0, want, 1, 7);
                }
                assertArrayEquals(want, out, "Reduce SUM at root " + root);

                double[] d = {me, -me, me % 2, 1.5};
                double[] dmax = new double[4];
                w.Reduce(d, 0, dmax, 0, 4, MPI.DOUBLE, MPI.MAX, root);
                if (me == root) {
                    assertArrayEquals(new double[] {n - 1, 0, n > 1 ? 1 : 0, 1.5}, dmax);
                }
            }

            // a vector type (elements 0, 2, 4 of a 5-slot extent), two items: gaps must stay untouched
            Datatype vec = Datatype.Vector(3, 1, 2, MPI.INT);
            vec.Commit();
            int[] strided = new int[10];
            Arrays.setAll(strided, i -> val(me, i));
            int[] stridedOut = new int[10];
            Arrays.fill(stridedOut, HOLE);
            w.Reduce(strided, 0, stridedOut, 0, 2, vec, MPI.SUM, n - 1);
            if (me == n - 1) {
                for (int i = 0; i < 10; i++) {
                    boolean mapped = i % 5 % 2 == 0;
                    int s = 0;
                    for (int r = 0; r < n; r++) {
                        s += val(r, i);
                    }
                    assertEquals(mapped ? s : HOLE, stridedOut[i], "slot " + i);
                }
            }

            int[] all = new int[7];
            w.Allreduce(mine, 0, all, 0, 7, MPI.INT, MPI.SUM);
            assertArrayEquals(sum, all);

            // large: Rabenseifner for commutative operators (count not a multiple of the rank count)
            int big = 20_001;
            int[] bigMine = new int[big];
            Arrays.setAll(bigMine, i -> val(me, i));
            int[] bigAll = new int[big];
            w.Allreduce(bigMine, 0, bigAll, 0, big, MPI.INT, MPI.SUM);
            for (int i = 0; i < big; i++) {
                assertEquals(n * i + 1000 * n * (n - 1) / 2, bigAll[i], "item " + i);
            }
            double[] dBig = new double[9001];
            Arrays.setAll(dBig, i -> me + i * 0.5);
            double[] dBigAll = new double[9001];
            w.Allreduce(dBig, 0, dBigAll, 0, dBig.length, MPI.DOUBLE, MPI.MAX);
            for (int i = 0; i < dBig.length; i++) {
                assertEquals(n - 1 + i * 0.5, dBigAll[i]);
            }
            int[] bigStrided = new int[5 * 3000];
            Arrays.setAll(bigStrided, i -> val(me, i));
            int[] bigStridedAll = new int[bigStrided.length];
            Arrays.fill(bigStridedAll, HOLE);
            w.Allreduce(bigStrided, 0, bigStridedAll, 0, 3000, vec, MPI.SUM);
            for (int i = 0; i < bigStrided.length; i++) {
                int s = n * i + 1000 * n * (n - 1) / 2;
                assertEquals(i % 5 % 2 == 0 ? s : HOLE, bigStridedAll[i], "slot " + i);
            }

            // Reduce_scatter: rank r gets r % 3 items (rank 0 none), in rank order
            int[] counts = new int[n];
            int total = 0;
            for (int r = 0; r < n; r++) {
                counts[r] = r % 3;
                total += counts[r];
            }
            int[] contribution = new int[total];
            Arrays.setAll(contribution, i -> val(me, i));
            int[] piece = new int[counts[me] + 1];
            Arrays.fill(piece, HOLE);
            w.Reduce_scatter(contribution, 0, piece, 0, counts, MPI.INT, MPI.SUM);
            int first = 0;
            for (int r = 0; r < me; r++) {
                first += counts[r];
            }
            for (int i = 0; i < counts[me]; i++) {
                assertEquals(n * (first + i) + 1000 * n * (n - 1) / 2, piece[i]);
            }
            assertEquals(HOLE, piece[counts[me]]);

            int[] prefix = new int[3];
            w.Scan(mine, 0, prefix, 0, 3, MPI.INT, MPI.SUM);
            for (int i = 0; i < 3; i++) {
                int s = 0;
                for (int r = 0; r <= me; r++) {
                    s += val(r, i);
                }
                assertEquals(s, prefix[i]);
            }
            long[] lmax = new long[1];
            w.Scan(new long[] {(me * 5L) % 3}, 0, lmax, 0, 1, MPI.LONG, MPI.MAX);
            long m = 0;
            for (int r = 0; r <= me; r++) {
                m = Math.max(m, (r * 5L) % 3);
            }
            assertEquals(m, lmax[0]);
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldMatchSequentialSumsWhenReducingScanningAndScattering(int np) {
        MpiRun.ok(np, Sums.class);
    }

    /** 2x2 integer matrix product (non-commutative); elements of one item sit at {@code pos} within its extent. */
    static final class MatMul extends User_function {
        private final int[] pos;

        MatMul(int... pos) {
            this.pos = pos;
        }

        @Override
        public void Call(Object invec, int inoffset, Object inoutvec, int inoutoffset, int count, Datatype datatype) {
            int[] a = (int[]) invec;
            int[] b = (int[]) inoutvec;
            int ext = datatype.Extent();
            for (int m = 0; m < count; m++) {
                int i = inoffset + m * ext;
                int j = inoutoffset + m * ext;
                int[] p = mul(a[i + pos[0]], a[i + pos[1]], a[i + pos[2]], a[i + pos[3]],
                        b[j + pos[0]], b[j + pos[1]], b[j + pos[2]], b[j + pos[3]]);
                for (int k = 0; k < 4; k++) {
                    b[j + pos[k]] = p[k];
                }
            }
        }
    }

    static int[] mul(int a00, int a01, int a10, int a11, int b00, int b01, int b10, int b11) {
        return new int[] {a00 * b00 + a01 * b10, a00 * b01 + a01 * b11, a10 * b00 + a11 * b10, a10 * b01 + a11 * b11};
    }

    /** Rank r's matrix number m. */
    static int[] matrix(int r, int m) {
        return new int[] {r + 2, 1, m + 1, 2 * r + 1};
    }

    /** M(from, m) x ... x M(to, m) in this order. */
    static int[] product(int from, int to, int m) {
        int[] p = matrix(from, m);
        for (int r = from + 1; r <= to; r++) {
            int[] q = matrix(r, m);
            p = mul(p[0], p[1], p[2], p[3], q[0], q[1], q[2], q[3]);
        }
        return p;
    }

    static int[] reversed(int n, int m) {
        int[] p = matrix(n - 1, m);
        for (int r = n - 2; r >= 0; r--) {
            int[] q = matrix(r, m);
            p = mul(p[0], p[1], p[2], p[3], q[0], q[1], q[2], q[3]);
        }
        return p;
    }

    /** A non-commutative operator in Reduce (several roots), Allreduce, Scan and Reduce_scatter, dense and gapped. */
    public static class Ordered {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            Datatype mat = Datatype.Contiguous(4, MPI.INT);
            mat.Commit();
            Op op = new Op(new MatMul(0, 1, 2, 3), false);
            // the same matrices with a hole after the first row: elements 0, 1, 3, 4 of a 5-slot extent
            Datatype gapped = Datatype.Indexed(new int[] {2, 2}, new int[] {0, 3}, MPI.INT);
            gapped.Commit();
            Op gappedOp = new Op(new MatMul(0, 1, 3, 4), false);
            if (n > 1) {
                assertFalse(Arrays.equals(product(0, n - 1, 0), reversed(n, 0)), "the test needs order to matter");
            }

            int count = 3;
            int[] mine = new int[4 * count];
            int[] mineGapped = new int[5 * count];
            for (int m = 0; m < count; m++) {
                System.arraycopy(matrix(me, m), 0, mine, 4 * m, 4);
                int[] q = matrix(me, m);
                int[] g = {q[0], q[1], HOLE, q[2], q[3]};
                System.arraycopy(g, 0, mineGapped, 5 * m, 5);
            }
            for (int root : new int[] {0, n - 1, n / 2}) {
                int[] out = new int[4 * count];
                w.Reduce(mine, 0, out, 0, count, mat, op, root);
                int[] outGapped = new int[5 * count];
                Arrays.fill(outGapped, HOLE);
                w.Reduce(mineGapped, 0, outGapped, 0, count, gapped, gappedOp, root);
                if (me == root) {
                    for (int m = 0; m < count; m++) {
                        int[] p = product(0, n - 1, m);
                        assertArrayEquals(p, Arrays.copyOfRange(out, 4 * m, 4 * m + 4), "Reduce at root " + root);
                        assertArrayEquals(new int[] {p[0], p[1], HOLE, p[2], p[3]},
                                Arrays.copyOfRange(outGapped, 5 * m, 5 * m + 5), "gapped Reduce at root " + root);
                    }
                }
            }

            int[] all = new int[4 * count];
            w.Allreduce(mine, 0, all, 0, count, mat, op);
            int[] allGapped = new int[5 * count];
            w.Allreduce(mineGapped, 0, allGapped, 0, count, gapped, gappedOp);
            int[] prefix = new int[4 * count];
            w.Scan(mine, 0, prefix, 0, count, mat, op);
            int[] prefixGapped = new int[5 * count];
            w.Scan(mineGapped, 0, prefixGapped, 0, count, gapped, gappedOp);
            for (int m = 0; m < count; m++) {
                int[] p = product(0, n - 1, m);
                assertArrayEquals(p, Arrays.copyOfRange(all, 4 * m, 4 * m + 4), "Allreduce");
                assertArrayEquals(new int[] {p[0], p[1], 0, p[2], p[3]},
                        Arrays.copyOfRange(allGapped, 5 * m, 5 * m + 5), "gapped Allreduce");
                int[] s = product(0, me, m);
                assertArrayEquals(s, Arrays.copyOfRange(prefix, 4 * m, 4 * m + 4), "Scan");
                assertArrayEquals(new int[] {s[0], s[1], 0, s[2], s[3]},
                        Arrays.copyOfRange(prefixGapped, 5 * m, 5 * m + 5), "gapped Scan");
            }

            // large enough to take the large-message path, which must still keep rank order
            int many = 3000;
            int[] big = new int[4 * many];
            for (int m = 0; m < many; m++) {
                System.arraycopy(matrix(me, m), 0, big, 4 * m, 4);
            }
            int[] bigAll = new int[4 * many];
            w.Allreduce(big, 0, bigAll, 0, many, mat, op);
            for (int m = 0; m < many; m += 97) {
                assertArrayEquals(product(0, n - 1, m), Arrays.copyOfRange(bigAll, 4 * m, 4 * m + 4), "matrix " + m);
            }

            // Reduce_scatter: rank r gets r % 2 + 1 matrices of the product
            int[] counts = new int[n];
            int total = 0;
            for (int r = 0; r < n; r++) {
                counts[r] = r % 2 + 1;
                total += counts[r];
            }
            int[] contribution = new int[4 * total];
            for (int m = 0; m < total; m++) {
                System.arraycopy(matrix(me, m), 0, contribution, 4 * m, 4);
            }
            int[] piece = new int[4 * counts[me]];
            w.Reduce_scatter(contribution, 0, piece, 0, counts, mat, op);
            int first = 0;
            for (int r = 0; r < me; r++) {
                first += counts[r];
            }
            for (int m = 0; m < counts[me]; m++) {
                assertArrayEquals(product(0, n - 1, first + m), Arrays.copyOfRange(piece, 4 * m, 4 * m + 4));
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldKeepRankOrderWhenOperatorIsNotCommutative(int np) {
        MpiRun.ok(np, Ordered.class);
    }

    /** Every predefined operator on every type it accepts, through Allreduce and Reduce, against a sequential fold. */
    public static class EveryOp {
        public static void main(String[] args) throws ReflectiveOperationException {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            int items = 6;
            for (PredefinedOps op : PredefinedOps.values()) {
                Op mpiOp = (Op) MPI.class.getField(op.name()).get(null);
                boolean loc = op == PredefinedOps.MAXLOC || op == PredefinedOps.MINLOC;
                for (BaseType t : BaseType.values()) {
                    if (!PredefinedOpsTest.defined(op, t)) {
                        continue;
                    }
                    Datatype type = (Datatype) MPI.class.getField(t.name() + (loc ? "2" : "")).get(null);
                    int len = loc ? 2 * items : items;
                    Object expected = null;
                    Object mine = null;
                    for (int r = 0; r < n; r++) {
                        Object x = contribution(op, t, r, len, loc);
                        if (r == me) {
                            mine = PredefinedOpsTest.copy(x);
                        }
                        if (expected == null) {
                            expected = x;
                        } else {
                            for (int i = 0; i < len; i++) {
                                if (!loc) {
                                    Array.set(x, i, PredefinedOpsTest.reference(op, t, Array.get(expected, i),
                                            Array.get(x, i)));
                                } else if (i % 2 == 0) {
                                    PredefinedOpsTest.loc(op == PredefinedOps.MAXLOC, expected, i, x, i);
                                }
                            }
                            expected = x;
                        }
                    }
                    Object all = t.newArray(len);
                    w.Allreduce(mine, 0, all, 0, items, type, mpiOp);
                    assertEquals(PredefinedOpsTest.toList(expected), PredefinedOpsTest.toList(all),
                            "Allreduce " + op + " on " + t);
                    Object atRoot = t.newArray(len);
                    w.Reduce(mine, 0, atRoot, 0, items, type, mpiOp, n - 1);
                    if (me == n - 1) {
                        assertEquals(PredefinedOpsTest.toList(expected), PredefinedOpsTest.toList(atRoot),
                                "Reduce " + op + " on " + t);
                    }
                }
            }
            MPI.Finalize();
        }

        static Object contribution(PredefinedOps op, BaseType t, int rank, int len, boolean loc) {
            Random rnd = new Random(op.ordinal() * 1_000L + t.ordinal() * 10L + rank);
            Object x = t.newArray(len);
            for (int i = 0; i < len; i++) {
                PredefinedOpsTest.set(x, i, rnd, loc);
            }
            return x;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4})
    void shouldMatchSequentialFoldWhenEveryPredefinedOpMeetsEveryType(int np) {
        MpiRun.ok(np, EveryOp.class);
    }

    /** MAXLOC/MINLOC over every pair type with ties between ranks: the smaller index must win. */
    public static class Locs {
        public static void main(String[] args) throws ReflectiveOperationException {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            for (BaseType t : new BaseType[] {BaseType.SHORT, BaseType.INT, BaseType.LONG, BaseType.FLOAT,
                    BaseType.DOUBLE}) {
                Datatype pair = (Datatype) MPI.class.getField(t.name() + "2").get(null);
                // pair 0: value r % 2 at index r (ties among odd and among even ranks)
                // pair 1: the same value everywhere at index n - 1 - r (the last rank holds the smallest index)
                // pair 2: value (3 r) % 5 at index 10 r
                Object mine = t.newArray(6);
                double[] v = {me % 2, 5, (3 * me) % 5};
                double[] x = {me, n - 1 - me, 10 * me};
                for (int p = 0; p < 3; p++) {
                    put(mine, 2 * p, v[p]);
                    put(mine, 2 * p + 1, x[p]);
                }
                Object max = t.newArray(6);
                Object min = t.newArray(6);
                w.Allreduce(mine, 0, max, 0, 3, pair, MPI.MAXLOC);
                w.Reduce(mine, 0, min, 0, 3, pair, MPI.MINLOC, n / 2);
                double bestMax = -1;
                double bestMaxAt = -1;
                double bestMin = 99;
                double bestMinAt = -1;
                for (int r = 0; r < n; r++) {
                    double value = (3 * r) % 5;
                    if (value > bestMax) {
                        bestMax = value;
                        bestMaxAt = 10 * r;
                    }
                    if (value < bestMin) {
                        bestMin = value;
                        bestMinAt = 10 * r;
                    }
                }
                double[] wantMax = {n > 1 ? 1 : 0, n > 1 ? 1 : 0, 5, 0, bestMax, bestMaxAt};
                for (int i = 0; i < 6; i++) {
                    assertEquals(wantMax[i], Array.getDouble(max, i), "MAXLOC " + t + " element " + i);
                }
                if (me == n / 2) {
                    double[] wantMin = {0, 0, 5, 0, bestMin, bestMinAt};
                    for (int i = 0; i < 6; i++) {
                        assertEquals(wantMin[i], Array.getDouble(min, i), "MINLOC " + t + " element " + i);
                    }
                }
            }
            MPI.Finalize();
        }

        static void put(Object arr, int i, double v) {
            if (arr instanceof short[]) {
                ((short[]) arr)[i] = (short) v;
            } else if (arr instanceof int[]) {
                ((int[]) arr)[i] = (int) v;
            } else if (arr instanceof long[]) {
                ((long[]) arr)[i] = (long) v;
            } else if (arr instanceof float[]) {
                ((float[]) arr)[i] = (float) v;
            } else {
                ((double[]) arr)[i] = v;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldPreferSmallerIndexWhenLocValuesTie(int np) {
        MpiRun.ok(np, Locs.class);
    }

    /** The matrix product as an engine operator (the facade's Op wraps a User_function the same way). */
    static final class MatrixOp implements ReduceOp {
        @Override
        public String name() {
            return "matrix product";
        }

        @Override
        public boolean isCommutative() {
            return false;
        }

        @Override
        public void apply(Object in, int inOffset, Object inout, int inoutOffset, int count, TypeMap type) {
            new MatMul(0, 1, 2, 3).Call(in, inOffset, inout, inoutOffset, count, Datatype.Contiguous(4, MPI.INT));
        }
    }

    /** Empty contributions everywhere, and collectives on a communicator whose ranks differ from the world's. */
    public static class Edges {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            Op matmul = new Op(new MatMul(0, 1, 2, 3), false);
            int[] none = new int[0];
            w.Allreduce(none, 0, none, 0, 0, MPI.INT, MPI.SUM);
            w.Reduce(none, 0, none, 0, 0, MPI.INT, matmul, n - 1);
            w.Scan(none, 0, none, 0, 0, MPI.INT, matmul);
            w.Reduce_scatter(none, 0, none, 0, new int[n], MPI.INT, matmul);
            w.Gather(none, 0, 0, MPI.INT, none, 0, 0, MPI.INT, 0);
            w.Scatter(none, 0, 0, MPI.INT, none, 0, 0, MPI.INT, n - 1);
            w.Alltoall(none, 0, 0, MPI.INT, none, 0, 0, MPI.INT);
            w.Bcast(none, 0, 0, MPI.INT, 0);

            // Split is not available yet: build the reversed-order communicator at the engine level, on a context
            // no other communicator uses, and run collectives whose results depend on the rank translation
            Endpoint ep = RankRegistry.lookup(MPI.class.getClassLoader()).endpoint();
            int[] reversed = new int[n];
            for (int r = 0; r < n; r++) {
                reversed[r] = n - 1 - r;
            }
            Communicator rev = Communicator.intra(ep, 1000, Group.of(reversed, me));
            int pme = rev.rank();
            assertEquals(n - 1 - me, pme);
            TypeMap mat = TypeMap.contiguous(4, TypeMap.basic(BaseType.INT));
            int[] prefix = new int[4];
            Collectives.scan(rev, matrix(me, 0), 0, prefix, 0, 1, mat, new MatrixOp());
            int[] want = matrix(n - 1, 0);
            for (int r = 1; r <= pme; r++) {
                int[] q = matrix(n - 1 - r, 0);
                want = mul(want[0], want[1], want[2], want[3], q[0], q[1], q[2], q[3]);
            }
            assertArrayEquals(want, prefix, "Scan over the reversed communicator");
            int[] gathered = new int[n];
            Collectives.gather(rev, new int[] {me * 3}, 0, 1, TypeMap.basic(BaseType.INT), gathered, 0, 1,
                    TypeMap.basic(BaseType.INT), 0);
            if (pme == 0) {
                for (int r = 0; r < n; r++) {
                    assertEquals((n - 1 - r) * 3, gathered[r]);
                }
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldWorkWhenCountsAreZeroOrRanksAreRenumbered(int np) {
        MpiRun.ok(np, Edges.class);
    }
    /** An object whose value a user function updates in place. */
    static final class Box {
        double v;

        Box(double v) {
            this.v = v;
        }
    }

    /** {@code inout[i].v += in[i].v}, changing the objects of {@code inout} rather than replacing them. */
    static final class AddInPlace extends User_function {
        @Override
        public void Call(Object invec, int inoffset, Object inoutvec, int inoutoffset, int count, Datatype datatype) {
            Object[] in = (Object[]) invec;
            Object[] inout = (Object[]) inoutvec;
            for (int i = 0; i < count; i++) {
                ((Box) inout[inoutoffset + i]).v += ((Box) in[inoffset + i]).v;
            }
        }
    }

    /**
     * MPI.OBJECT reductions with a user function that updates its output objects in place: each operand is applied
     * once, the caller's send objects are never changed, and the results are objects of their own.
     */
    public static class ObjectsInPlace {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            for (boolean commute : new boolean[] {true, false}) {
                Op op = new Op(new AddInPlace(), commute);
                Box[] mine = {new Box(me + 1), new Box(10 * (me + 1))};
                double total = n * (n + 1) / 2.0;
                double prefix = (me + 1) * (me + 2) / 2.0;

                Object[] scan = new Object[2];
                w.Scan(mine, 0, scan, 0, 2, MPI.OBJECT, op);
                assertResult(new double[] {prefix, 10 * prefix}, scan, mine, "Scan");

                Object[] all = new Object[2];
                w.Allreduce(mine, 0, all, 0, 2, MPI.OBJECT, op);
                assertResult(new double[] {total, 10 * total}, all, mine, "Allreduce");

                for (int root = 0; root < n; root++) {
                    Object[] red = new Object[2];
                    w.Reduce(mine, 0, red, 0, 2, MPI.OBJECT, op, root);
                    if (me == root) {
                        assertResult(new double[] {total, 10 * total}, red, mine, "Reduce at root " + root);
                    } else {
                        assertOwn(mine, "Reduce at root " + root);
                    }
                }

                Box[] blocks = new Box[n];
                Arrays.setAll(blocks, i -> new Box((me + 1) * (i + 1)));
                Object[] block = new Object[1];
                int[] ones = new int[n];
                Arrays.fill(ones, 1);
                w.Reduce_scatter(blocks, 0, block, 0, ones, MPI.OBJECT, op);
                assertEquals(total * (me + 1), ((Box) block[0]).v, "Reduce_scatter");
                for (int i = 0; i < n; i++) {
                    assertEquals((me + 1) * (i + 1), blocks[i].v, "Reduce_scatter changed send object " + i);
                    assertFalse(block[0] == blocks[i], "Reduce_scatter returned a send object");
                }
            }
            MPI.Finalize();
        }

        private static void assertResult(double[] want, Object[] got, Box[] mine, String op) {
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], ((Box) got[i]).v, op + " item " + i);
                for (Box b : mine) {
                    assertFalse(got[i] == b, op + " returned a send object as its result");
                }
            }
            assertOwn(mine, op);
        }

        private static void assertOwn(Box[] mine, String op) {
            int me = MPI.COMM_WORLD.Rank();
            assertEquals(me + 1, mine[0].v, op + " changed the caller's send object 0");
            assertEquals(10 * (me + 1), mine[1].v, op + " changed the caller's send object 1");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void shouldApplyEachOperandOnceAndLeaveSendObjectsAloneWhenObjectFunctionUpdatesInPlace(int np) {
        MpiRun.ok(np, ObjectsInPlace.class);
    }
}
