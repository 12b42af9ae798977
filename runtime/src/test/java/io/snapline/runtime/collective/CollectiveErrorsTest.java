package io.snapline.runtime.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad collective calls raise an {@link MPIException} that names the operation and what was wrong, and leave the
 * communicator usable: each rank program ends with a correct collective.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CollectiveErrorsTest {
    static void fails(String expected, Executable call) {
        MPIException e = assertThrows(MPIException.class, call);
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
    }

    /** Errors every rank detects from its own arguments, before sending anything. */
    public static class LocalErrors {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            int[] ints = new int[4 * n];
            fails("Bcast: root " + n + " is out of range for a communicator of size " + n + " (valid: 0.." + (n - 1)
                    + ")", () -> w.Bcast(ints, 0, 1, MPI.INT, n));
            fails("Reduce: root -1 is out of range", () -> w.Reduce(ints, 0, ints, 0, 1, MPI.INT, MPI.SUM, -1));
            fails("Scatter: root " + n + " is out of range",
                    () -> w.Scatter(ints, 0, 1, MPI.INT, ints, 0, 1, MPI.INT, n));
            fails("Allreduce: MPI.SUM is not defined for BOOLEAN",
                    () -> w.Allreduce(new boolean[1], 0, new boolean[1], 0, 1, MPI.BOOLEAN, MPI.SUM));
            fails("Scan: MPI.BAND is not defined for DOUBLE",
                    () -> w.Scan(new double[1], 0, new double[1], 0, 1, MPI.DOUBLE, MPI.BAND));
            fails("Reduce: MPI.MAXLOC is not defined for INT: it needs (value, index) pairs such as MPI.INT2",
                    () -> w.Reduce(ints, 0, ints, 0, 2, MPI.INT, MPI.MAXLOC, 0));
            fails("Reduce_scatter: MPI.PROD is not defined for BOOLEAN", () -> w.Reduce_scatter(new boolean[n], 0,
                    new boolean[1], 0, ones(n), MPI.BOOLEAN, MPI.PROD));
            fails("Allgather: rank " + me + " sends 2 element(s) to itself but its own receive block holds 3",
                    () -> w.Allgather(ints, 0, 2, MPI.INT, new int[3 * n], 0, 3, MPI.INT));
            fails("Alltoall: receive buffer: buffer too short",
                    () -> w.Alltoall(ints, 0, 1, MPI.INT, new int[n - 1], 0, 1, MPI.INT));
            fails("Allgatherv: receive displacements has " + (n - 1) + " entries but the communicator has " + n
                    + " ranks", () -> w.Allgatherv(ints, 0, 1, MPI.INT, ints, 0, ones(n), new int[n - 1], MPI.INT));
            int[] negative = ones(n);
            negative[n - 1] = -1;
            fails("Alltoallv: send counts[" + (n - 1) + "] must not be negative, was -1", () -> w.Alltoallv(ints, 0,
                    negative, new int[n], MPI.INT, ints, 0, ones(n), new int[n], MPI.INT));
            fails("Reduce_scatter: recvcounts is null",
                    () -> w.Reduce_scatter(ints, 0, ints, 0, null, MPI.INT, MPI.SUM));
            fails("Gather: sendcount must not be negative, was -2",
                    () -> w.Gather(ints, 0, -2, MPI.INT, ints, 0, 1, MPI.INT, 0));
            fails("Bcast: buffer: datatype INT needs a int[] buffer, got double[1]",
                    () -> w.Bcast(new double[1], 0, 1, MPI.INT, 0));

            int[] sum = new int[1];
            w.Allreduce(new int[] {me + 1}, 0, sum, 0, 1, MPI.INT, MPI.SUM);
            assertArrayEquals(new int[] {n * (n + 1) / 2}, sum);
            MPI.Finalize();
        }
    }

    static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void shouldRaiseExplainedErrorWhenArgumentsAreBad(int np) {
        MpiRun.ok(np, LocalErrors.class);
    }

    /**
     * Signatures that differ between ranks: the last rank sends the root 3 elements where 2 are expected, then a
     * double where an int is expected. Only the root can tell; the senders' messages are consumed, so the next
     * collective still works.
     */
    public static class Mismatch {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            int last = n - 1;
            int[] all = new int[2 * n];
            int mine = me == last ? 3 : 2;
            if (me == 0) {
                fails("Gather: rank " + last + " sent 3 element(s) but rank 0 expected 2; every rank must pass counts"
                        + " and datatypes whose signatures match",
                        () -> w.Gather(new int[3], 0, mine, MPI.INT, all, 0, 2, MPI.INT, 0));
                fails("Gather: rank " + last + " sent data rank 0 cannot receive (type mismatch",
                        () -> w.Gather(new int[1], 0, 1, MPI.INT, all, 0, 1, MPI.INT, 0));
            } else {
                w.Gather(new int[3], 0, mine, MPI.INT, all, 0, 2, MPI.INT, 0);
                if (me == last) {
                    w.Gather(new double[1], 0, 1, MPI.DOUBLE, all, 0, 1, MPI.INT, 0);
                } else {
                    w.Gather(new int[1], 0, 1, MPI.INT, all, 0, 1, MPI.INT, 0);
                }
            }
            int[] gathered = new int[n];
            w.Allgather(new int[] {me}, 0, 1, MPI.INT, gathered, 0, 1, MPI.INT);
            for (int r = 0; r < n; r++) {
                assertTrue(gathered[r] == r);
            }
            MPI.Finalize();
        }
    }

    /** At 2 and 3 ranks the last rank is a leaf directly below root 0 in the gather tree. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldNameRanksAndCountsWhenSignaturesDiffer(int np) {
        MpiRun.ok(np, Mismatch.class);
    }
}
