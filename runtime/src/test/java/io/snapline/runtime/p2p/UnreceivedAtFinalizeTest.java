package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.serial.KryoObjectCodec;
import io.snapline.runtime.testing.MpiRun;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages a rank never received are dropped at {@code MPI.Finalize}, and the rank says so on standard error once,
 * counted by sender and tag, through the same output path as the program's own lines ({@code --tag-output}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreceivedAtFinalizeTest {

    /**
     * Rank 1 receives one message of rank 0 and leaves the rest: three of 1 KiB with tag 7, an object with tag 9, one
     * empty message and twelve of two ints with consecutive tags from rank 2. Ranks 0 and 2 receive all they get.
     */
    public static class LeavesSome {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            if (me == 0) {
                for (int i = 0; i < 4; i++) {
                    MPI.COMM_WORLD.Send(new byte[1024], 0, 1024, MPI.BYTE, 1, 7);
                }
                MPI.COMM_WORLD.Send(new Object[] {"an object"}, 0, 1, MPI.OBJECT, 1, 9);
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 1, 1);
            } else if (me == 1) {
                MPI.COMM_WORLD.Recv(new byte[1024], 0, 1024, MPI.BYTE, 0, 7);
                MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, 0, 1);
            } else {
                MPI.COMM_WORLD.Send(new int[0], 0, 0, MPI.INT, 1, 3);
                for (int t = 100; t < 112; t++) {
                    MPI.COMM_WORLD.Send(new int[2], 0, 2, MPI.INT, 1, t);
                }
            }
            System.out.println("rank " + me + " done");
            MPI.Finalize();
        }
    }

    @Test
    void shouldWarnOnceCountingBySenderAndTagWhenARankFinalizesWithMessagesItNeverReceived() {
        MpiRun.Outcome o = MpiRun.run(3, List.of("--tag-output"), LeavesSome.class);
        assertEquals(0, o.result().exitCode(), o.err());
        assertEquals(List.of("[0] rank 0 done", "[1] rank 1 done", "[2] rank 2 done"), o.lines().stream().sorted().toList());
        int objectBytes = objectBytes();
        assertEquals(List.of(
                "[1] snapline: warning: rank 1 called MPI.Finalize with 17 messages (" + size(3 * 1024 + 96 + objectBytes)
                        + ") it never received; they are dropped:",
                "[1]   from rank 0: 4 messages (" + size(3 * 1024 + objectBytes) + ") with tags 7 (3), 9 (1)",
                "[1]   from rank 2: 13 messages (96 B) with tags 3 (1), 100..111 (12)"), o.err().lines().toList());
    }

    /** Bytes of the object message as sent: encoded as every rank encodes it. */
    private static int objectBytes() {
        return new KryoObjectCodec(UnreceivedAtFinalizeTest.class.getClassLoader())
                .encode(new Object[] {"an object"}, 0, TypeMap.basic(BaseType.OBJECT), 1).length;
    }

    private static String size(int bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    /** Every message is received: nothing to say. */
    public static class ReceivesAll {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int[] v = {me};
            MPI.COMM_WORLD.Sendrecv(v, 0, 1, MPI.INT, 1 - me, 4, new int[1], 0, 1, MPI.INT, 1 - me, 4);
            MPI.COMM_WORLD.Allreduce(v, 0, new int[1], 0, 1, MPI.INT, MPI.SUM);
            MPI.Finalize();
        }
    }

    @Test
    void shouldSayNothingAtFinalizeWhenEveryMessageWasReceived() {
        MpiRun.Outcome o = MpiRun.ok(2, ReceivesAll.class);
        assertEquals("", o.err());
    }
}
