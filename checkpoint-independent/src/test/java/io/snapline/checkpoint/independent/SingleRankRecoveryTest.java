package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code --logging pessimistic} a rank that dies restarts alone, and the others keep their threads (on
 * {@code tcp}, their processes) and never roll back: each program prints, on stderr, its process id and the identity
 * of its main thread when it starts and when it ends, so that a survivor is seen to start once and end in the same
 * process and thread, and the failed rank to start once more per failure.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SingleRankRecoveryTest {
    @TempDir
    Path tmp;

    private List<String> flags(String store, String... failures) {
        return AloneRuns.flags("pessimistic", tmp, store, failures);
    }

    /** Each rank's main thread: the one it started in, for each start, and the one it ended in. */
    private static void assertOnlyRestarted(MpiRun.Outcome o, int ranks, int rank, int times) {
        AloneRuns.assertOnlyRestarted(o, ranks, java.util.Map.of(rank, times));
    }

    private static List<String> all(String text, String regex) {
        return AloneRuns.all(text, regex);
    }

    @Test
    void shouldRestartOnlyTheFailedMasterOrWorkerWhileTheOthersKeepTheirThreads() {
        for (int victim : new int[] {0, 2}) {
            MpiRun.Outcome o = MpiRun.run(4, flags("s" + victim, "rank=" + victim + ",point=150"),
                    PessimisticLoggingTest.Chain.class, "400");
            assertTrue(o.result().succeeded(), o.err());
            assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
            assertOnlyRestarted(o, 4, victim, 1);
            assertFalse(o.err().contains("restarting all"), o.err());
            assertTrue(o.err().contains("restarted from local checkpoint"), o.err());
            assertTrue(o.err().contains(", alone (the other ranks ran on), running again after"), o.err());
            assertResentTo(o.err(), victim);
        }
    }

    /** The run says how many messages the others sent {@code rank} again from their logs, and from whom. */
    private static void assertResentTo(String err, int rank) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("rank " + rank + " got (\\d+) message\\(s\\) "
                + "\\([^)]* of payload\\) again from the others' logs, by sender \\[([0-9, ]+)\\]; they did not roll "
                + "back").matcher(err);
        assertTrue(m.find(), err);
        long[] bySender = java.util.Arrays.stream(m.group(2).split(", ")).mapToLong(Long::parseLong).toArray();
        assertEquals(4, bySender.length, err);
        assertEquals(0, bySender[rank], "it sends itself nothing from a log: " + err);
        assertEquals(Long.parseLong(m.group(1)), java.util.Arrays.stream(bySender).sum(), err);
    }

    @Test
    void shouldRecoverTheSameRankTwiceAndARankThatFailsAgainWhileItReplays() {
        // The second failure of rank 2 comes soon after the first: its new incarnation has restored a checkpoint of
        // before point 150 (one is written every 10 ms) and dies at 152 or, replaying, before it gets there again.
        for (List<String> kills : List.of(List.of("rank=2,point=100", "rank=2,point=250"),
                List.of("rank=1,point=150", "rank=1,point=152"))) {
            MpiRun.Outcome o = MpiRun.run(4, flags("t" + kills.get(0).charAt(5) + kills.get(1).length(),
                    kills.toArray(String[]::new)), PessimisticLoggingTest.Chain.class, "400");
            assertTrue(o.result().succeeded(), kills + "\n" + o.err() + o.result().failures());
            assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
            assertOnlyRestarted(o, 4, kills.get(0).charAt(5) - '0', 2);
        }
    }

    @Test
    void shouldRestartOnlyTheFailedRanksWhenTwoFailAtOnceOrOneWhileAnotherRestarts() {
        // Two workers at the same safe point; the master and then a worker while the master replays; a worker, and the
        // master soon after while the worker restarts.
        for (List<String> kills : List.of(List.of("rank=1,point=150", "rank=2,point=150"),
                List.of("rank=0,point=150", "rank=3,point=152"), List.of("rank=2,point=120", "rank=0,point=121"))) {
            MpiRun.Outcome o = MpiRun.run(4, flags("u" + kills.get(0).charAt(5) + kills.get(1).charAt(5),
                    kills.toArray(String[]::new)), PessimisticLoggingTest.Chain.class, "400");
            assertTrue(o.result().succeeded(), kills + "\n" + o.err() + o.result().failures());
            assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
            assertFalse(o.err().contains("restarting all"), o.err());
            java.util.Set<Integer> failed = java.util.Set.of(kills.get(0).charAt(5) - '0', kills.get(1).charAt(5) - '0');
            for (int r = 0; r < 4; r++) {
                List<String> started = all(o.err(), "rank " + r + " started in thread ([\\d.]+)");
                List<String> ended = all(o.err(), "rank " + r + " ended in thread ([\\d.]+)");
                assertEquals(failed.contains(r) ? 2 : 1, started.size(), kills + ": rank " + r + "'s starts: "
                        + o.err());
                assertEquals(List.of(started.get(started.size() - 1)), ended, o.err());
            }
            assertEquals(failed, o.aloneRestarts().stream().map(a -> (int) a[0]).collect(java.util.stream.Collectors
                    .toSet()), o.err());
        }
        // Failures at once cost one restart of --max-restarts, as a whole restart would. Killed together (both due
        // at the same moment), they died at once however late each death becomes known; the same safe point would
        // not do: a rank held back by a loaded machine reaches it after the other has restarted. Two seconds in,
        // every rank is past its start (a death before that restarts the whole job: on tcp, connecting the ranks of a
        // loaded machine took more than half a second) and the 5,000 steps are not done (a worker sleeps 1 ms in
        // every step, so they take 5 s at the least).
        List<String> once = new ArrayList<>(flags("v", "rank=1,after=2s", "rank=3,after=2s"));
        once.set(once.indexOf("--max-restarts") + 1, "1");
        MpiRun.Outcome o = MpiRun.run(4, once, PessimisticLoggingTest.Chain.class, "5000");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(List.of("steps 5000 consistent true"), o.lines(), o.err());
        assertEquals(2, o.aloneRestarts().size(), o.err());
        assertTrue(o.err().matches("(?s).*\\(restart 1 with rank\\(s\\) \\[[13]\\], of at most 1; .*"), o.err());
    }

    @Test
    void shouldRecoverARankKilledWhileItWritesACheckpoint() {
        MpiRun.Outcome o = MpiRun.run(4, flags("w", "rank=3,during-checkpoint=5"), PessimisticLoggingTest.Chain.class,
                "300");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(List.of("steps 300 consistent true"), o.lines(), o.err());
        assertOnlyRestarted(o, 4, 3, 1);
        assertTrue(o.err().contains("rank 3 failed (killed: injected failure while writing checkpoint 5); "
                + "restarting rank 3 alone from"), o.err());
    }

    /**
     * The ring the programs below run once their state is back ({@code acc}: value, steps done): each step every rank
     * passes its value plus {@code extra} to the next and mixes in what the one before passed it, with a safe point
     * after each step; then rank 0 prints the sum of the values ("total ...").
     */
    static void ring(long[] acc, int steps, long extra) {
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        long[] v = new long[1];
        while (acc[1] < steps) {
            MPI.COMM_WORLD.Sendrecv(new long[] {acc[0] + extra}, 0, 1, MPI.LONG, (rank + 1) % size, 2, v, 0, 1,
                    MPI.LONG, (rank + size - 1) % size, 2);
            acc[0] = acc[0] * 3 + v[0];
            acc[1]++;
            Checkpoint.point();
        }
        long[] total = new long[1];
        MPI.COMM_WORLD.Reduce(acc, 0, total, 0, 1, MPI.LONG, MPI.SUM, 0);
        if (rank == 0) {
            System.out.println("total " + total[0]);
        }
    }

    /**
     * Rank 0 broadcasts a seed and every rank exchanges a value with its neighbours before its first
     * {@code Checkpoint.restoreOr}; then a ring runs. A rank restarted alone runs that setup again, and nobody sends
     * it those messages again: it gets them from its own checkpoint. Arguments: steps.
     */
    public static class SetupThenRing {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            String thread = ProcessHandle.current().pid() + "." + System.identityHashCode(Thread.currentThread());
            System.err.println("rank " + rank + " started in thread " + thread);
            long[] seed = {rank == 0 ? 0x5eed : 0};
            MPI.COMM_WORLD.Bcast(seed, 0, 1, MPI.LONG, 0);
            long[] left = new long[1];
            MPI.COMM_WORLD.Sendrecv(new long[] {seed[0] * (rank + 1)}, 0, 1, MPI.LONG, (rank + 1) % size, 5, left, 0,
                    1, MPI.LONG, (rank + size - 1) % size, 5);
            long[] acc = Checkpoint.restoreOr("acc", () -> new long[] {left[0], 0});
            ring(acc, steps, seed[0] + rank);
            System.err.println("rank " + rank + " ended in thread " + thread);
            MPI.Finalize();
        }
    }

    @Test
    void shouldRunTheSetupOfARankRestartedAloneAgainstWhatItReceivedThen() {
        List<String> clean = MpiRun.ok(4, SetupThenRing.class, "300").lines();
        for (String kill : List.of("rank=0,point=120", "rank=3,point=200")) {
            MpiRun.Outcome o = MpiRun.run(4, flags("r" + kill.charAt(5), kill), SetupThenRing.class, "300");
            assertTrue(o.result().succeeded(), o.err());
            assertEquals(clean, o.lines(), o.err());
            assertOnlyRestarted(o, 4, kill.charAt(5) - '0', 1);
        }
    }

    @Test
    void shouldGiveTheCommunicatorsARankRestartedAloneCreatesAfterItsCheckpointTheContextsTheyHad() {
        // Each step creates communicators: a rank restarted alone, which has created fewer than when it first agreed
        // their context ids, must agree the same ones with the others (who do not create them again), or its
        // communicators would not match theirs.
        List<String> clean = MpiRun.ok(4, CommunicatorPerStep.class, "200").lines();
        for (String logging : List.of("pessimistic", "causal")) {
            for (List<String> kills : List.of(List.of("rank=1,point=150"), List.of("rank=3,point=120"),
                    List.of("rank=1,point=150", "rank=2,point=150"))) {
                // A checkpoint at every safe point: rank 1 restarts from point 149 (or soon before), after which the
                // world's next duplicate was agreed from rank 1's count alone, the largest; then ranks 1 and 2,
                // neighbours in the ring that ends the agreement, restart together.
                String kill = kills.get(0);
                List<String> flags = new ArrayList<>(AloneRuns.flags(logging, tmp, "c" + logging.charAt(0)
                        + kill.charAt(5) + kills.size(), kills.toArray(String[]::new)));
                int interval = flags.indexOf("--interval");
                flags.set(interval, "--every");
                flags.set(interval + 1, "1");
                MpiRun.Outcome o = MpiRun.run(4, flags, CommunicatorPerStep.class, "200");
                assertTrue(o.result().succeeded(), logging + " " + kills + "\n" + o.err() + o.result().failures());
                assertEquals(clean, o.lines(), o.err());
                assertTrue(o.err().contains("restarting rank " + kill.charAt(5) + " alone from its local checkpoint"),
                        o.err());
            }
        }
    }

    @Test
    void shouldRecoverACommunicatorPerStepProgramWhenEveryRankRestarts() {
        List<String> clean = MpiRun.ok(4, CommunicatorPerStep.class, "200").lines();
        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "none", "--every", "25",
                "--store", tmp.resolve("n").toString(), "--inject-failure", "rank=1,point=150"),
                CommunicatorPerStep.class, "200");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean, o.lines(), o.err());
    }

    /**
     * Each step, every rank duplicates the world, the odd ranks split their part further at every third step and
     * rank 1 duplicates COMM_SELF at every fourth (so that the ranks' next free context ids differ, rank 1's the
     * largest), and each sums a value over what it created; rank 0 prints the sums. Arguments: steps.
     */
    public static class CommunicatorPerStep {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            mpi.Intracomm parity = MPI.COMM_WORLD.Split(rank % 2, rank); // setup: the same context every start
            long[] s = Checkpoint.restoreOr("s", () -> new long[3]);
            long[] in = new long[1];
            long[] out = new long[1];
            while (s[0] < steps) {
                mpi.Intracomm dup = (mpi.Intracomm) MPI.COMM_WORLD.Dup();
                in[0] = s[0] * 10 + rank;
                dup.Allreduce(in, 0, out, 0, 1, MPI.LONG, MPI.SUM);
                s[1] = s[1] * 3 + out[0];
                if (rank % 2 == 1 && s[0] % 3 == 0) {
                    mpi.Intracomm pair = (mpi.Intracomm) parity.Split(0, -rank);
                    pair.Allreduce(in, 0, out, 0, 1, MPI.LONG, MPI.MAX);
                    s[2] += out[0];
                    pair.Free();
                }
                if (rank == 1 && s[0] % 4 == 0) { // only rank 1 counts it: its count is the largest of all
                    mpi.Intracomm self = (mpi.Intracomm) MPI.COMM_SELF.Dup();
                    s[2] += self.Size();
                    self.Free();
                }
                dup.Free();
                s[0]++;
                Checkpoint.point();
            }
            long[] odd = new long[1];
            if (rank == 1) {
                MPI.COMM_WORLD.Send(s, 2, 1, MPI.LONG, 0, 9);
            } else if (rank == 0) {
                MPI.COMM_WORLD.Recv(odd, 0, 1, MPI.LONG, 1, 9);
                System.out.println("sums " + s[1] + " " + odd[0]);
            }
            MPI.Finalize();
        }
    }

    /** Every rank prints a line per step of a ring; rank 0 also sums the ring's values. Arguments: steps. */
    public static class Chatty {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long[] s = Checkpoint.restoreOr("s", () -> new long[] {rank + 1, 0});
            long[] v = new long[1];
            while (s[1] < steps) {
                MPI.COMM_WORLD.Sendrecv(new long[] {s[0]}, 0, 1, MPI.LONG, (rank + 1) % size, 3, v, 0, 1, MPI.LONG,
                        (rank + size - 1) % size, 3);
                s[0] = s[0] * 5 + v[0];
                System.out.println("rank " + rank + " step " + s[1] + " value " + s[0]);
                s[1]++;
                Checkpoint.point();
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldShowEachLineOnceWhenTheFailedRankPrintsAgainWhatItPrintedBeforeItsCheckpoint() {
        List<String> clean = MpiRun.ok(3, Chatty.class, "200").lines();
        // A checkpoint every 50 safe points, not on a timer: a fast run reaches point 120 before a timer fires.
        List<String> flags = new ArrayList<>(flags("o", "rank=1,point=120"));
        int interval = flags.indexOf("--interval");
        flags.set(interval, "--every");
        flags.set(interval + 1, "50");
        MpiRun.Outcome o = MpiRun.run(3, flags, Chatty.class, "200");
        assertTrue(o.result().succeeded(), o.err());
        assertTrue(o.err().contains("restarting rank 1 alone from its local checkpoint"), o.err());
        for (int r = 0; r < 3; r++) {
            String prefix = "rank " + r + " ";
            assertEquals(clean.stream().filter(l -> l.startsWith(prefix)).toList(),
                    o.lines().stream().filter(l -> l.startsWith(prefix)).toList(), "rank " + r + ": " + o.err());
        }
        assertEquals(600, o.lines().size());
    }

    /** Rank 0 takes one value from each other rank with {@code ANY_SOURCE} before its first safe point. */
    public static class WildcardSetup {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            if (rank == 0) {
                long[] v = new long[1];
                for (int k = 1; k < size; k++) {
                    MPI.COMM_WORLD.Recv(v, 0, 1, MPI.LONG, MPI.ANY_SOURCE, 1);
                }
            } else {
                MPI.COMM_WORLD.Send(new long[] {rank}, 0, 1, MPI.LONG, 0, 1);
            }
            long[] acc = Checkpoint.restoreOr("acc", () -> new long[] {0, 0});
            ring(acc, steps, rank);
            MPI.Finalize();
        }
    }

    @Test
    void shouldRestartTheWholeJobWhenTheFailedRanksSetupCannotBeRepeatedAlone() {
        List<String> clean = MpiRun.ok(4, WildcardSetup.class, "200").lines();
        MpiRun.Outcome o = MpiRun.run(4, flags("x", "rank=0,point=100"), WildcardSetup.class, "200");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(clean, o.lines(), o.err());
        assertTrue(o.err().contains("rank 0 cannot restart alone (its setup code, before its first "
                + "Checkpoint.restoreOr, made a non-deterministic call"), o.err());
        assertTrue(o.err().contains("restarting all 4 ranks"), o.err());
    }

    /** Rank 0 sends rank 1 {@code rest[0]} small messages before either registers its state; then a ring runs. */
    public static class LateRegistration {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int early = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            long[] v = new long[1];
            long sum = 0;
            for (int i = 0; i < early; i++) {
                if (rank == 0) {
                    MPI.COMM_WORLD.Send(new long[] {i}, 0, 1, MPI.LONG, 1, 1);
                } else if (rank == 1) {
                    MPI.COMM_WORLD.Recv(v, 0, 1, MPI.LONG, 0, 1);
                    sum += v[0];
                }
            }
            long first = sum;
            long[] acc = Checkpoint.restoreOr("acc", () -> new long[] {first, 0});
            ring(acc, 200, rank);
            MPI.Finalize();
        }
    }

    @Test
    void shouldRestartTheWholeJobWhenTheSetupReceivedMoreThanACheckpointShouldKeep() {
        String early = Integer.toString(LoggingRank.SETUP_MESSAGES + 10);
        List<String> clean = MpiRun.ok(3, LateRegistration.class, early).lines();
        MpiRun.Outcome o = MpiRun.run(3, flags("l", "rank=1,point=150"), LateRegistration.class, early);
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(clean, o.lines(), o.err());
        assertTrue(o.err().contains("rank 1 cannot restart alone (its setup code (before its first "
                + "Checkpoint.restoreOr or safe point) received more than 65536 messages"), o.err());
        assertTrue(o.err().contains("restarting all 3 ranks"), o.err());
    }

    /**
     * Rank 1 posts a receive in its setup and completes it after its state is registered; rank 0 sends that message
     * in its setup. Whether the message came before rank 1's {@code restoreOr} (rank 1 can restart alone, its setup
     * having kept it) or after (it cannot: the whole job restarts) depends on timing; the result must not.
     */
    public static class PendingSetupReceive {
        public static void main(String[] args) throws Exception {
            MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            long[] first = new long[1];
            mpi.Request pending = rank == 1 ? MPI.COMM_WORLD.Irecv(first, 0, 1, MPI.LONG, 0, 1) : null;
            if (rank == 0) {
                MPI.COMM_WORLD.Send(new long[] {41}, 0, 1, MPI.LONG, 1, 1);
            }
            long[] acc = Checkpoint.restoreOr("acc", () -> new long[] {0, 0});
            if (pending != null) {
                pending.Wait();
            }
            ring(acc, 150, first[0]);
            MPI.Finalize();
        }
    }

    @Test
    void shouldPrintTheFailureFreeResultWhetherOrNotASetupReceiveWasStillPendingAtTheFirstRestore() {
        List<String> clean = MpiRun.ok(3, PendingSetupReceive.class).lines();
        for (int run = 0; run < 3; run++) {
            MpiRun.Outcome o = MpiRun.run(3, flags("p" + run, "rank=1,point=100"), PendingSetupReceive.class);
            assertTrue(o.result().succeeded(), o.err());
            assertEquals(clean, o.lines(), o.err());
            boolean refused = o.err().contains("rank 1 cannot restart alone (a receive its setup code posted (before "
                    + "its first Checkpoint.restoreOr) was still pending then");
            assertEquals(refused, o.err().contains("restarting all 3 ranks"), o.err());
        }
    }

    /**
     * Each step rank 1 waits for its previous send, starts sending rank 0 a large array (larger than a tcp rank's
     * eager window, so its data moves only once rank 0's receive asks for it) and tells it so with a small message,
     * then passes a safe point; rank 0 takes the small message and only then receives the array, then passes a safe
     * point. At step 3 rank 0 first waits until rank 1 has started {@code rest[2]} times (each start appends a line to
     * the file {@code rest[1]}): a rank 1 killed at safe point 4 has then died holding the array's data. Rank 0 prints
     * a checksum of everything it received. Arguments: steps, marker file, starts.
     */
    public static class LargeBehindSmall {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            java.nio.file.Path starts = java.nio.file.Path.of(rest[1]);
            if (rank == 1) {
                java.nio.file.Files.writeString(starts, "start\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            double[] big = new double[(17 << 20) / 8 + 1];
            long[] s = Checkpoint.restoreOr("s", () -> new long[] {0, 0});
            mpi.Request sending = null;
            while (s[1] < steps) {
                if (rank == 1) {
                    if (sending != null) {
                        sending.Wait();
                    }
                    java.util.Arrays.fill(big, s[1] * 0.5 + 1);
                    sending = MPI.COMM_WORLD.Isend(big, 0, big.length, MPI.DOUBLE, 0, 1);
                    MPI.COMM_WORLD.Send(new long[] {s[1]}, 0, 1, MPI.LONG, 0, 2);
                } else if (rank == 0) {
                    long[] step = new long[1];
                    MPI.COMM_WORLD.Recv(step, 0, 1, MPI.LONG, 1, 2);
                    if (s[1] == 3) {
                        awaitLines(starts, Integer.parseInt(rest[2]));
                    }
                    MPI.COMM_WORLD.Recv(big, 0, big.length, MPI.DOUBLE, 1, 1);
                    s[0] = s[0] * 31 + Double.doubleToLongBits(big[0]) + Double.doubleToLongBits(big[big.length - 1])
                            + step[0];
                }
                s[1]++;
                Checkpoint.point();
            }
            if (sending != null) {
                sending.Wait();
            }
            if (rank == 0) {
                System.out.println("checksum " + s[0]);
            }
            MPI.Finalize();
        }
    }

    /** Waits (up to a minute, then goes on) until {@code file} has at least {@code n} lines. */
    static void awaitLines(java.nio.file.Path file, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline
                && (!java.nio.file.Files.exists(file) || java.nio.file.Files.readAllLines(file).size() < n)) {
            TimeUnit.MILLISECONDS.sleep(5); // polls a condition
        }
    }

    /**
     * Rank 0 sends rank 1 the numbers 1, 2, 3, ..., one about every 200 microseconds, until rank 1 has restored twice
     * (it appends a line to the file {@code rest[0]} after each {@code Checkpoint.restoreOr}), then 0 to end. Rank 1
     * receives them and prints whether they came in order. Rank 0 is sending while a new incarnation of rank 1 starts,
     * before it learns of the restart. Arguments: the file.
     */
    public static class SendingWhileItRestarts {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            java.nio.file.Path restored = java.nio.file.Path.of(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            long[] state = Checkpoint.restoreOr("state", () -> new long[] {1, 0}); // the next number, out of order
            if (rank == 1) {
                java.nio.file.Files.writeString(restored, "restored\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            long[] v = new long[1];
            while (v[0] >= 0) {
                if (rank == 0) {
                    boolean twice = java.nio.file.Files.exists(restored)
                            && java.nio.file.Files.readAllLines(restored).size() >= 2;
                    v[0] = twice ? 0 : state[0];
                    MPI.COMM_WORLD.Send(v, 0, 1, MPI.LONG, 1, 4);
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000); // paced: the log stays small
                } else if (rank == 1) {
                    MPI.COMM_WORLD.Recv(v, 0, 1, MPI.LONG, 0, 4);
                    if (v[0] != 0 && v[0] != state[0]) {
                        state[1]++;
                    }
                }
                if (v[0] == 0) {
                    break;
                }
                state[0]++;
                Checkpoint.point();
            }
            if (rank == 1) {
                System.out.println("rank 1: " + state[1] + " numbers out of order");
            }
            MPI.Finalize();
        }
    }

    /**
     * A rank restarted alone before its first checkpoint accepts nothing until its policy says what it holds: what a
     * survivor sends its new incarnation before learning of the restart is dropped and comes again from the log, in
     * order. (On tcp the new process once took those messages ahead of the log's, and the job failed or, had the
     * re-send check not caught it, computed on the wrong numbers.)
     */
    @Test
    void shouldDropWhatASurvivorSentTheNewIncarnationBeforeItLearntOfTheRestart() {
        List<String> flags = new ArrayList<>(AloneRuns.flags("pessimistic", tmp, "early", "rank=1,point=50"));
        flags.set(flags.indexOf("10ms"), "1h"); // no checkpoint: rank 1 restarts from the beginning
        MpiRun.Outcome o = MpiRun.run(2, flags, SendingWhileItRestarts.class, tmp.resolve("restored").toString());
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(List.of("rank 1: 0 numbers out of order"), o.lines(), o.err());
        assertEquals(List.of(1), o.aloneRestarts().stream().map(a -> (int) a[0]).toList(), o.err());
        assertTrue(o.err().contains("restarted from the beginning"), o.err());
    }

    /**
     * Rank 1 dies while rank 0 holds the announcement of its large message but not the data. On {@code shm} the data
     * is still in memory; on {@code tcp} it died with rank 1's process, and rank 1's next incarnation does not send
     * it again (rank 0 has counted it): rank 0 then restarts too, from its own checkpoint, and gets it from rank 1's
     * log. Either way the result is the failure-free one.
     */
    @Test
    void shouldRecoverWhenARankDiesBeforeTheDataOfALargeMessageItSentReachedItsReceiver() {
        List<String> clean = MpiRun.ok(3, LargeBehindSmall.class, "8", tmp.resolve("clean-starts").toString(), "1")
                .lines();
        MpiRun.Outcome o = MpiRun.run(3, flags("big", "rank=1,point=4"), LargeBehindSmall.class, "8",
                tmp.resolve("starts").toString(), "2");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean, o.lines(), o.err());
        assertFalse(o.err().contains("restarting all"), o.err());
        java.util.Set<Integer> alone = o.aloneRestarts().stream().map(a -> (int) a[0])
                .collect(java.util.stream.Collectors.toSet());
        boolean cut = o.err().contains("rank 0 restarts too: rank 1 was lost");
        assertEquals(cut ? java.util.Set.of(0, 1) : java.util.Set.of(1), alone, o.err());
        assertEquals(MpiRun.device().equals("tcp"), cut, "on tcp the data died with rank 1's process: " + o.err());
    }

    /**
     * A ring, then rank 0 waits until rank 2 has started {@code rest[2]} times (each start appends a line to the file
     * {@code rest[1]}) before it calls {@code MPI.Finalize}, so that the others wait inside it, at the final barrier,
     * meanwhile. Arguments: steps, marker file, starts.
     */
    public static class SlowToFinalize {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            java.nio.file.Path starts = java.nio.file.Path.of(rest[1]);
            if (MPI.COMM_WORLD.Rank() == 2) {
                java.nio.file.Files.writeString(starts, "start\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            long[] acc = Checkpoint.restoreOr("acc", () -> new long[] {0, 0});
            ring(acc, Integer.parseInt(rest[0]), MPI.COMM_WORLD.Rank());
            if (MPI.COMM_WORLD.Rank() == 0) {
                awaitLines(starts, Integer.parseInt(rest[2]));
            }
            MPI.Finalize();
        }
    }

    /**
     * Rank 2 dies inside {@code MPI.Finalize} while rank 0 has not called it yet: it restarts alone, and the others,
     * held at the final barrier until every rank has passed it, send it again what it needs.
     */
    @Test
    void shouldRestartARankThatDiesInsideFinalizeAlone() {
        List<String> clean = MpiRun.ok(3, SlowToFinalize.class, "60", tmp.resolve("clean-starts").toString(), "1")
                .lines();
        // Rank 2 is in MPI.Finalize well before 2 s; rank 0 stays out of it until rank 2 has started again.
        MpiRun.Outcome o = MpiRun.run(3, flags("fin", "rank=2,after=2000ms"), SlowToFinalize.class, "60",
                tmp.resolve("fin-starts").toString(), "2");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean, o.lines(), o.err());
        assertFalse(o.err().contains("restarting all"), o.err());
        assertEquals(List.of(2), o.aloneRestarts().stream().map(a -> (int) a[0]).toList(), o.err());
    }
}
