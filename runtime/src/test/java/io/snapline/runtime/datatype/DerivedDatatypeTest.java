package io.snapline.runtime.datatype;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Derived datatypes through the mpiJava API: shapes, layouts that differ on each side, and misuse. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DerivedDatatypeTest {

    static void assertShape(Datatype t, int size, int lb, int ub) {
        assertEquals(size, t.Size(), "Size");
        assertEquals(lb, t.Lb(), "Lb");
        assertEquals(ub, t.Ub(), "Ub");
        assertEquals(ub - lb, t.Extent(), "Extent");
    }

    /** Size/Extent/Lb/Ub of every constructor, in base elements. */
    public static class Shapes {
        public static void main(String[] args) {
            MPI.Init(args);
            assertShape(MPI.INT, 1, 0, 1);
            assertShape(MPI.DOUBLE2, 2, 0, 2);
            assertShape(Datatype.Contiguous(5, MPI.DOUBLE), 5, 0, 5);
            assertShape(Datatype.Vector(3, 2, 4, MPI.INT), 6, 0, 10);
            Datatype pair = Datatype.Contiguous(2, MPI.INT);
            assertShape(Datatype.Vector(2, 1, 3, pair), 4, 0, 8);
            assertShape(Datatype.Hvector(2, 1, 3, pair), 4, 0, 5);
            assertShape(Datatype.Indexed(new int[] {2, 1}, new int[] {3, 0}, MPI.INT), 3, 0, 5);
            assertShape(Datatype.Indexed(new int[] {1, 1}, new int[] {2, 0}, pair), 4, 0, 6);
            assertShape(Datatype.Hindexed(new int[] {1, 1}, new int[] {3, 0}, pair), 4, 0, 5);
            Datatype padded = Datatype.Struct(new int[] {1, 1, 1}, new int[] {-2, 0, 10},
                    new Datatype[] {MPI.LB, MPI.INT, MPI.UB});
            assertShape(padded, 1, -2, 10);
            assertShape(Datatype.Contiguous(2, padded), 2, -2, 22);
            assertShape(Datatype.Struct(new int[] {1, 3}, new int[] {1, 0}, new Datatype[] {MPI.LB, MPI.INT}), 3, 1, 3);
            assertShape(Datatype.Struct(new int[] {2, 1}, new int[] {0, 5}, new Datatype[] {MPI.INT, MPI.UB}), 2, 0, 5);
            assertEquals(MPI.INT.getType(), Datatype.Vector(3, 2, 4, MPI.INT).getType());
            MPI.Finalize();
        }
    }

    @Test
    void shouldReportShapesInBaseElementsWhenDerived() {
        MpiRun.ok(1, Shapes.class);
    }

    /** Misuse: freed types, mixed base types, bad arguments. */
    public static class Misuse {
        public static void main(String[] args) {
            MPI.Init(args);
            MPIException mixed = assertThrows(MPIException.class, () -> Datatype.Struct(new int[] {1, 1},
                    new int[] {0, 1}, new Datatype[] {MPI.INT, MPI.DOUBLE}));
            assertTrue(mixed.getMessage().startsWith("Struct: member types mix base types INT and DOUBLE"), mixed.getMessage());

            Datatype column = Datatype.Vector(4, 1, 4, MPI.INT);
            column.Commit();
            column.free();
            assertTrue(assertThrows(MPIException.class, column::Size).getMessage().contains("freed"));
            MPIException send = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Send(new int[16], 0, 1, column, 0, 0));
            assertTrue(send.getMessage().contains("Send: the datatype has been freed"), send.getMessage());
            MPIException derive = assertThrows(MPIException.class, () -> Datatype.Contiguous(2, column));
            assertTrue(derive.getMessage().contains("freed"), derive.getMessage());
            assertTrue(assertThrows(MPIException.class, () -> MPI.INT.free()).getMessage().contains("predefined"));

            MPIException negative = assertThrows(MPIException.class, () -> Datatype.Contiguous(-1, MPI.INT));
            assertEquals("Contiguous: count must not be negative, was -1", negative.getMessage());
            MPIException lengths = assertThrows(MPIException.class,
                    () -> Datatype.Indexed(new int[] {1, 1}, new int[] {0}, MPI.INT));
            assertTrue(lengths.getMessage().contains("2 block lengths but 1 displacements"), lengths.getMessage());
            MPI.Finalize();
        }
    }

    @Test
    void shouldRaiseClearErrorsWhenDatatypesMisused() {
        MpiRun.ok(1, Misuse.class);
    }

    /** A matrix column sent with Vector arrives contiguous, and comes back into another column. */
    public static class Column {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int rows = 4;
            int cols = 5;
            Datatype column = Datatype.Vector(rows, 1, cols, MPI.INT);
            column.Commit();
            if (me == 0) {
                int[] m = new int[rows * cols];
                for (int i = 0; i < m.length; i++) {
                    m[i] = i;
                }
                MPI.COMM_WORLD.Send(m, 2, 1, column, 1, 0);
                int[] back = new int[rows * cols];
                Status s = MPI.COMM_WORLD.Recv(back, 4, 1, column, 1, 1);
                assertEquals(1, s.Get_count(column));
                assertEquals(4, s.Get_count(MPI.INT));
                for (int i = 0; i < back.length; i++) {
                    assertEquals(i % cols == 4 ? 10 * (i / cols * cols + 2) : 0, back[i], "index " + i);
                }
            } else if (me == 1) {
                int[] dense = new int[rows];
                Status s = MPI.COMM_WORLD.Recv(dense, 0, rows, MPI.INT, 0, 0);
                assertEquals(4, s.Get_count(MPI.INT));
                assertArrayEquals(new int[] {2, 7, 12, 17}, dense);
                for (int i = 0; i < rows; i++) {
                    dense[i] *= 10;
                }
                MPI.COMM_WORLD.Send(dense, 0, rows, MPI.INT, 0, 1);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldReceiveColumnContiguousWhenSentAsVector(int np) {
        MpiRun.ok(np, Column.class);
    }

    /**
     * A datatype of size zero (a Struct of nothing) carries no data: 100 of them are a message of zero elements whose
     * count is 0 (as MPICH reports). Rank 0's sends complete before rank 1 posts its receives (the barrier orders
     * them), so the messages wait unexpected; a synchronous one waits for its receive.
     */
    public static class ZeroSize {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            Datatype none = Datatype.Struct(new int[0], new int[0], new Datatype[0]);
            none.Commit();
            assertShape(none, 0, 0, 0);
            int[] buf = {me == 0 ? 2 : 0};
            if (me == 0) {
                MPI.COMM_WORLD.Send(buf, 0, 100, none, 1, 0);
                MPI.Buffer_attach(java.nio.ByteBuffer.allocate(MPI.BSEND_OVERHEAD));
                MPI.COMM_WORLD.Bsend(buf, 0, 100, none, 1, 1);
                mpi.Request sync = MPI.COMM_WORLD.Issend(buf, 0, 100, none, 1, 2);
                MPI.COMM_WORLD.Barrier();
                sync.Wait();
                MPI.Buffer_detach();
            } else if (me == 1) {
                MPI.COMM_WORLD.Barrier();
                for (int tag = 0; tag < 3; tag++) {
                    Status p = MPI.COMM_WORLD.Probe(0, tag);
                    assertEquals(0, p.Get_count(none));
                    Status s = MPI.COMM_WORLD.Recv(buf, 0, 100, none, 0, tag);
                    assertEquals(0, s.Get_count(none), "tag " + tag);
                    assertEquals(0, s.Get_elements(none), "tag " + tag);
                    assertEquals(0, s.Get_count(MPI.INT), "tag " + tag);
                    assertEquals(0, buf[0], "nothing may be written, tag " + tag);
                }
            } else {
                MPI.COMM_WORLD.Barrier();
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldDeliverNothingAndCountZeroWhenDatatypeHasSizeZero(int np) {
        MpiRun.ok(np, ZeroSize.class);
    }

    /**
     * Large strided data (rendezvous, above the eager limit) and a struct with explicit bounds, received into a
     * different layout with the same type signature.
     */
    public static class Layouts {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = 2500; // 2500 doubles = 20000 bytes > 16 KiB
            Datatype everyThird = Datatype.Vector(n, 1, 3, MPI.DOUBLE);
            // extent 4 (LB at 0, UB at 4), data at 1 and 2: the middle of every 4-int cell
            Datatype cell = Datatype.Struct(new int[] {1, 2, 1}, new int[] {0, 1, 4},
                    new Datatype[] {MPI.LB, MPI.INT, MPI.UB});
            Datatype reversed = Datatype.Indexed(new int[] {1, 1, 1, 1, 1, 1}, new int[] {5, 4, 3, 2, 1, 0}, MPI.INT);
            if (me == 0) {
                double[] src = new double[3 * n];
                for (int i = 0; i < src.length; i++) {
                    src[i] = i;
                }
                MPI.COMM_WORLD.Send(src, 1, 1, everyThird, 1, 0);
                int[] cells = new int[12];
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = 100 + i;
                }
                MPI.COMM_WORLD.Send(cells, 0, 3, cell, 1, 1);
            } else if (me == 1) {
                double[] dst = new double[2 * n];
                Datatype everySecond = Datatype.Hvector(n, 1, 2, MPI.DOUBLE);
                MPI.COMM_WORLD.Recv(dst, 0, 1, everySecond, 0, 0);
                for (int i = 0; i < n; i++) {
                    assertEquals(3 * i + 1, dst[2 * i], "element " + i);
                    assertEquals(0, dst[2 * i + 1]);
                }
                int[] got = new int[6];
                Status s = MPI.COMM_WORLD.Recv(got, 0, 1, reversed, 0, 1);
                assertEquals(6, s.Get_elements(MPI.INT));
                assertArrayEquals(new int[] {110, 109, 106, 105, 102, 101}, got);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldRoundTripWhenLayoutsDifferButSignaturesMatch() {
        MpiRun.ok(2, Layouts.class);
    }
}
