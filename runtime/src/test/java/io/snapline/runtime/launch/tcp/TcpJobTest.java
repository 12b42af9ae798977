package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.RankControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Jobs of real rank processes on {@code -dev tcp}: output, exit status, failures reported by the ranks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpJobTest {
    /** Prints whole lines in pieces, a long line, a line on stderr and an unfinished last line. */
    public static class Printer {
        public static void main(String[] args) {
            int rank = Integer.parseInt(args[0]);
            for (int i = 0; i < 3; i++) {
                System.out.print("rank " + rank + " ");
                System.out.flush();
                System.out.print("line " + i + "\n");
            }
            System.out.println("x".repeat(100_000) + rank);
            System.err.println("rank " + rank + " on stderr, size " + args[1] + ", device " + args[2] + ", args "
                    + List.of(args).subList(3, args.length));
            System.out.print("unfinished " + rank);
        }
    }

    /** Passes 20 safe points, then prints how many. */
    public static class Points {
        public static void main(String[] args) {
            MPI.Init(args);
            for (int i = 0; i < 20; i++) {
                io.snapline.checkpoint.Checkpoint.point();
            }
            System.out.println("points " + io.snapline.checkpoint.Checkpoint.points());
            MPI.Finalize();
        }
    }

    /** Rank 1 throws; rank 0 returns. */
    public static class Thrower {
        public static void main(String[] args) {
            if (args[0].equals("1")) {
                throw new IllegalStateException("rank 1 gives up");
            }
        }
    }

    /** Rank 1 aborts with the code given; rank 0 sleeps until told to stop. */
    public static class Aborter {
        public static void main(String[] args) throws InterruptedException {
            if (args[0].equals("1")) {
                System.out.println("rank 1 aborting");
                RankControl.current().abort(Integer.parseInt(args[3]));
            }
            Thread.sleep(60_000);
            System.out.println("rank 0 was not stopped");
        }
    }

    /** A token around the ring, a large message, an all-reduce and a barrier over the tcp data plane. */
    public static class Messaging {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            long[] token = new long[1];
            if (me == 0) {
                token[0] = 1;
                MPI.COMM_WORLD.Send(token, 0, 1, MPI.LONG, 1 % n, 0);
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, n - 1, 0);
            } else {
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, me - 1, 0);
                token[0] = token[0] * 10 + me;
                MPI.COMM_WORLD.Send(token, 0, 1, MPI.LONG, (me + 1) % n, 0);
            }
            double[] big = new double[1 << 17];
            if (me == 0) {
                for (int i = 0; i < big.length; i++) {
                    big[i] = i * 0.5;
                }
            }
            MPI.COMM_WORLD.Bcast(big, 0, big.length, MPI.DOUBLE, 0);
            for (int i = 0; i < big.length; i++) {
                if (big[i] != i * 0.5) {
                    throw new IllegalStateException("Bcast element " + i + " is " + big[i]);
                }
            }
            int[] sum = new int[1];
            MPI.COMM_WORLD.Allreduce(new int[] {me + 1}, 0, sum, 0, 1, MPI.INT, MPI.SUM);
            MPI.COMM_WORLD.Barrier();
            System.out.println("rank " + me + " token " + token[0] + " sum " + sum[0]);
            MPI.Finalize();
        }
    }

    @Test
    void shouldForwardWholeTaggedLinesWhenRanksPrint() {
        TcpRun.Result r = TcpRun.run(2, List.of("--tag-output"), Printer.class, "a", "-np", "9");
        assertEquals(0, r.status(), r.err());
        for (int rank = 0; rank < 2; rank++) {
            String tag = "[" + rank + "] ";
            List<String> mine = r.outLines().stream().filter(l -> l.startsWith(tag)).toList();
            assertEquals(List.of(tag + "rank " + rank + " line 0", tag + "rank " + rank + " line 1",
                    tag + "rank " + rank + " line 2", tag + "x".repeat(100_000) + rank, tag + "unfinished " + rank),
                    mine, "rank " + rank + "'s lines, whole and in order");
            assertTrue(r.err().contains(tag + "rank " + rank + " on stderr, size 2, device tcp, args [a, -np, 9]\n"),
                    r.err());
        }
        assertEquals(10, r.outLines().size(), "no line was split or merged");
    }

    @Test
    void shouldPrintUntaggedLinesWhenTagOutputIsNotGiven() {
        TcpRun.Result r = TcpRun.run(1, List.of(), Printer.class);
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("rank 0 line 0", "rank 0 line 1", "rank 0 line 2", "x".repeat(100_000) + "0",
                "unfinished 0"), r.outLines());
        assertEquals("rank 0 on stderr, size 1, device tcp, args []\n", r.err());
    }

    @Test
    void shouldExitOneAndNameRankWithItsStackTraceWhenRankThrows() {
        TcpRun.Result r = TcpRun.run(2, List.of(), Thrower.class);
        assertEquals(1, r.status(), r.err());
        List<String> err = r.err().lines().toList();
        assertEquals("snaprun: rank 1 failed with an uncaught exception:", err.get(0), r.err());
        assertEquals("java.lang.IllegalStateException: rank 1 gives up", err.get(1));
        assertEquals("\tat " + Thrower.class.getName() + ".main(TcpJobTest.java:" + lineOfThrow() + ")", err.get(2));
        assertFalse(r.err().contains("RankProcess"), "the launcher's own frames are left out:\n" + r.err());
        assertTrue(err.get(err.size() - 1).startsWith("snaprun: job ended with exit status 1 after "), r.err());
    }

    private static int lineOfThrow() {
        try {
            List<String> src = Files.readAllLines(Path.of("src/test/java/io/snapline/runtime/launch/tcp/TcpJobTest.java"));
            for (int i = 0; i < src.size(); i++) {
                if (src.get(i).contains("throw new IllegalStateException(\"rank 1 gives up\")")) {
                    return i + 1;
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no throw line");
    }

    @Test
    void shouldEndTheJobNamingTheKilledRankWhenAFailureIsInjectedWithoutCheckpoints() throws Exception {
        TcpRun.Result r = TcpRun.run(2, List.of("--inject-failure", "rank=1,point=5"), Points.class);
        assertEquals(1, r.status(), r.err());
        List<String> err = r.err().lines().toList();
        assertEquals("snaprun: rank 1 was killed (injected failure at safe point 5)", err.get(0), r.err());
        assertTrue(r.out().split("points 20", -1).length <= 2, "only rank 0 can get past safe point 5:\n" + r.out());
        TcpRun.await(() -> TcpRun.ranks(ProcessHandle.current()).isEmpty(), 5_000, "the rank processes to go");
    }

    @Test
    void shouldExitWithAbortCodeAndStopOtherRanksWhenRankAborts() {
        TcpRun.Result r = TcpRun.run(2, List.of(), Aborter.class, "7");
        assertEquals(7, r.status(), r.err());
        assertEquals(List.of("rank 1 aborting"), r.outLines());
        assertEquals("snaprun: rank 1 called Abort(7)", r.err().lines().findFirst().orElseThrow());
        assertFalse(r.err().contains("terminated"), "rank 0 stopped when told, without being killed:\n" + r.err());
        assertTrue(r.millis() < 20_000, r.millis() + " ms");
    }

    @Test
    void shouldExitOneWhenRankAbortsWithZero() {
        TcpRun.Result r = TcpRun.run(2, List.of(), Aborter.class, "0");
        assertEquals(1, r.status(), r.err());
        assertEquals("snaprun: rank 1 called Abort(0)", r.err().lines().findFirst().orElseThrow());
    }

    @Test
    void shouldExchangeMessagesAndFinishWhenRanksAreProcesses() {
        TcpRun.Result r = TcpRun.run(3, List.of(), Messaging.class);
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.outLines().stream().sorted().toList();
        assertEquals(List.of("rank 0 token 112 sum 6", "rank 1 token 11 sum 6", "rank 2 token 112 sum 6"), lines, r.err());
    }
}
