package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Misuse of point-to-point calls fails at once with an MPIException that names the call and the problem. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MisuseTest {

    static void fails(Executable call, String... fragments) {
        MPIException e = assertThrows(MPIException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    public static class Errors {
        public static void main(String[] args) {
            MPI.Init(args);
            int n = MPI.COMM_WORLD.Size();
            int[] buf = new int[4];
            fails(() -> MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, n, 0), "Send: destination rank " + n + " is out of range",
                    "size " + n, "valid: 0.." + (n - 1));
            fails(() -> MPI.COMM_WORLD.Recv(buf, 0, 1, MPI.INT, -7, 0), "Recv: source rank -7 is out of range",
                    "MPI.ANY_SOURCE");
            fails(() -> MPI.COMM_WORLD.Isend(buf, 0, -1, MPI.INT, 0, 0), "Isend: count must not be negative, was -1");
            fails(() -> MPI.COMM_WORLD.Send(null, 0, 1, MPI.INT, 0, 0), "Send: buffer is null");
            fails(() -> MPI.COMM_WORLD.Irecv(buf, 3, 2, MPI.INT, 0, 0), "Irecv: buffer too short",
                    "at offset 3 need indices 3..4", "int[4]");
            fails(() -> MPI.COMM_WORLD.Send(buf, 9, 0 + 1, MPI.INT, 0, 0), "buffer too short");
            fails(() -> MPI.COMM_WORLD.Send(buf, -1, 1, MPI.INT, 0, 0), "offset must not be negative, was -1");
            fails(() -> MPI.COMM_WORLD.Send(buf, 0, 1, MPI.DOUBLE, 0, 0), "Send: datatype DOUBLE needs a double[] buffer, got int[4]");
            fails(() -> MPI.COMM_WORLD.Send(new String[1], 0, 1, MPI.INT, 0, 0), "needs a int[] buffer, got String[1]");
            fails(() -> MPI.COMM_WORLD.Send("text", 0, 1, MPI.OBJECT, 0, 0), "needs a Object[] buffer");
            fails(() -> MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, 0, -5), "Send: tag -5 is invalid");
            fails(() -> MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, 0, MPI.ANY_TAG), "tag -2 is invalid");
            fails(() -> MPI.COMM_WORLD.Recv(buf, 0, 1, MPI.INT, 0, -9), "Recv: tag -9 is invalid", "MPI.ANY_TAG");
            fails(() -> MPI.COMM_WORLD.Send(buf, 0, 1, null, 0, 0), "Send: datatype is null");

            Datatype pair = Datatype.Contiguous(2, MPI.INT);
            pair.free();
            fails(() -> MPI.COMM_WORLD.Send(buf, 0, 1, pair, 0, 0), "Send: the datatype has been freed");
            fails(() -> MPI.COMM_WORLD.Recv_init(buf, 0, 1, pair, 0, 0), "Recv_init: the datatype has been freed");

            fails(() -> MPI.COMM_WORLD.Free(), "Free: MPI.COMM_WORLD and MPI.COMM_SELF cannot be freed");
            fails(() -> MPI.COMM_NULL.Send(buf, 0, 1, MPI.INT, 0, 0), "Send: the communicator is MPI.COMM_NULL");
            freedCommunicator(buf);

            // nothing above left a message behind
            MPI.COMM_WORLD.Barrier();
            assertEquals(null, MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG));
            MPI.Finalize();

            fails(() -> MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, 0, 0), "Send: MPI.Finalize has already been called");
            fails(() -> MPI.COMM_WORLD.Rank(), "MPI.Finalize has already been called");
            fails(() -> MPI.Buffer_attach(java.nio.ByteBuffer.allocate(8)), "Buffer_attach: MPI.Finalize has already been called");
            fails(() -> MPI.COMM_WORLD.Pack(buf, 0, 1, MPI.INT, new byte[4], 0), "Pack: MPI.Finalize has already been called");
        }
    }

    /** A freed duplicate of the world. */
    static void freedCommunicator(int[] buf) {
        Intracomm dup = (Intracomm) MPI.COMM_WORLD.clone();
        dup.Free();
        fails(() -> dup.Send(buf, 0, 1, MPI.INT, 0, 0), "Send: the communicator has been freed");
        fails(() -> dup.Probe(0, 0), "Probe: the communicator has been freed");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void shouldRaiseClearErrorsWhenPointToPointMisused(int np) {
        MpiRun.ok(np, Errors.class);
    }
}
