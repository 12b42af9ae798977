package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.launch.UsageException;
import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mpi.MPI;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --checkpoint independent --logging pessimistic}: a failed rank restarts alone from its own newest local
 * checkpoint (a resume, from every rank's), however the ranks' checkpoints fall relative to the messages between
 * them, and re-executes exactly as before (its logged messages sent again, its recorded events replayed); the store
 * keeps one checkpoint per rank. What single-rank recovery guarantees of the survivors: {@link SingleRankRecoveryTest}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PessimisticLoggingTest {
    @TempDir
    Path tmp;

    /**
     * Rank 0 takes one value from every other rank each step, with {@code ANY_SOURCE}, in whatever order they come,
     * folds them into a chain in that order and sends the chain's new link to every other rank, which mixes it into
     * its next value. The result depends on the arrival orders, so it differs from run to run; what must hold in
     * every run is that each rank saw the links rank 0 computed: rank 0 prints whether every rank's record of the
     * chain equals its own. A restarted rank 0 that received in another order than before would compute other links
     * than the ranks that kept the old ones: "consistent false".
     */
    public static class Chain {
        static final class State {
            int step;
            long value;
            long chain;
            long seen;
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            String thread = ProcessHandle.current().pid() + "." + System.identityHashCode(Thread.currentThread());
            System.err.println("rank " + rank + " started in thread " + thread);
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                f.value = rank * 7919L + 1;
                return f;
            });
            long[] one = new long[1];
            while (s.step < steps) {
                if (rank == 0) {
                    for (int k = 1; k < size; k++) {
                        Status st = MPI.COMM_WORLD.Recv(one, 0, 1, MPI.LONG, MPI.ANY_SOURCE, 3);
                        s.chain = s.chain * 1_000_003L + one[0] * 31 + st.source;
                    }
                    one[0] = s.chain;
                    for (int k = 1; k < size; k++) {
                        MPI.COMM_WORLD.Send(one, 0, 1, MPI.LONG, k, 4);
                    }
                    s.seen = s.seen * 17 + s.chain;
                } else {
                    one[0] = s.value;
                    if ((s.step + rank) % 3 == 0) {
                        Thread.sleep(1); // ranks at different speeds: the arrival order varies (nothing waits on it)
                    }
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.LONG, 0, 3);
                    MPI.COMM_WORLD.Recv(one, 0, 1, MPI.LONG, 0, 4);
                    s.seen = s.seen * 17 + one[0];
                    s.value = s.value * 6364136223846793005L + one[0];
                }
                s.step++;
                Checkpoint.point(s);
            }
            long[] seen = new long[size];
            MPI.COMM_WORLD.Gather(new long[] {s.seen}, 0, 1, MPI.LONG, seen, 0, 1, MPI.LONG, 0);
            if (rank == 0) {
                boolean same = Arrays.stream(seen).allMatch(v -> v == seen[0]);
                System.out.println("steps " + s.step + " consistent " + same);
            }
            System.err.println("rank " + rank + " ended in thread " + thread);
            MPI.Finalize();
        }
    }

    /**
     * Rank 0 streams {@code rest[0]} messages of 1 MiB to rank 1, which marks a safe point after each (or, with
     * {@code rest[1]} "none", never).
     */
    public static class Stream1MiB {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int messages = Integer.parseInt(rest[0]);
            // "none": no safe point; "sender": a safe point after every message on the sender only; a number K: a
            // safe point every K messages; absent: after every message
            int rank = MPI.COMM_WORLD.Rank();
            int every = rest.length < 2 ? 1 : rest[1].equals("none") ? 0 : rest[1].equals("sender") ? 1 - rank
                    : Integer.parseInt(rest[1]);
            double[] buf = new double[131072];
            double[] state = Checkpoint.restoreOr("state", () -> new double[2]); // the next step, the sum so far
            while (state[0] < messages) {
                int step = (int) state[0];
                if (rank == 0) {
                    buf[(step + buf.length - 1) % buf.length] = 0; // what it sends depends on the step alone
                    buf[step % buf.length] = step;
                    MPI.COMM_WORLD.Send(buf, 0, buf.length, MPI.DOUBLE, 1, 1);
                } else {
                    MPI.COMM_WORLD.Recv(buf, 0, buf.length, MPI.DOUBLE, 0, 1);
                    state[1] += buf[step % buf.length];
                }
                state[0] = step + 1;
                if (every > 0 && step % every == 0) {
                    Checkpoint.point();
                }
            }
            double sum = state[1];
            if (rank == 1) {
                System.out.println("sum " + sum);
            }
            MPI.Finalize();
        }
    }

    /**
     * Breaks the piecewise-deterministic contract: rank 1 sends rank 0 a value that depends on the clock every step.
     * Rank 0 passes ten safe points per step, rank 1 one. Arguments: steps.
     */
    public static class Clocked {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int[] step = Checkpoint.restoreOr("step", () -> new int[1]);
            long[] v = new long[1];
            long sum = 0;
            for (; step[0] < steps; step[0]++) {
                if (rank == 1) {
                    v[0] = System.nanoTime();
                    MPI.COMM_WORLD.Send(v, 0, 1, MPI.LONG, 0, 2);
                } else {
                    MPI.COMM_WORLD.Recv(v, 0, 1, MPI.LONG, 1, 2);
                    sum += v[0] & 1;
                }
                for (int p = 0; p < (rank == 0 ? 10 : 1); p++) {
                    Checkpoint.point();
                }
            }
            System.out.println("rank " + rank + " " + sum);
            MPI.Finalize();
        }
    }

    private List<String> flags(String store, String... more) {
        List<String> f = new ArrayList<>(List.of("--checkpoint", "independent", "--logging", "pessimistic", "--store",
                tmp.resolve(store).toString()));
        f.addAll(Arrays.asList(more));
        return f;
    }

    @Test
    void shouldReplayWildcardReceivesSoThatSurvivorsAndTheRestartedMasterAgree() {
        for (String kill : List.of("rank=0,point=150", "rank=2,point=150")) {
            MpiRun.Outcome o = MpiRun.run(4, flags("s-" + kill.charAt(5), "--interval", "10ms",
                    "--inject-failure", kill), Chain.class, "400");
            assertTrue(o.result().succeeded(), kill + "\n" + o.err());
            assertEquals(List.of("steps 400 consistent true"), o.lines(), kill + "\n" + o.err());
            List<long[]> restarts = o.aloneRestarts();
            assertEquals(1, restarts.size(), o.err());
            assertEquals(kill.charAt(5) - '0', restarts.get(0)[0], o.err());
            assertTrue(restarts.get(0)[1] > 0, "it continues from a checkpoint of its own: " + o.err());
            assertFalse(o.err().contains("restarting all"), o.err());
        }
    }

    @Test
    void shouldRestartTheFailedRankFromItsNewestCheckpoint() {
        MpiRun.Outcome o = MpiRun.run(4, flags("s", "--interval", "5ms", "--inject-failure", "rank=1,point=250"),
                Chain.class, "400");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
        long from = o.aloneRestarts().get(0)[1];
        String before = o.err().substring(0, o.err().indexOf("restarting rank 1 alone"));
        Matcher m = Pattern.compile("rank 1 committed local checkpoint (\\d+)").matcher(before);
        long newest = 0;
        while (m.find()) {
            newest = Math.max(newest, Long.parseLong(m.group(1)));
        }
        // The newest the log shows, or the one after, when its write had reached the store but its report not the
        // supervisor when the rank died.
        assertTrue(newest > 0 && from >= newest && from <= newest + 1, "rank 1 had committed " + newest
                + " but restarts from " + from + ": " + o.err());
    }

    @Test
    void shouldKeepOneCheckpointPerRankAndDropTheEventsItCoversInALongRun() throws Exception {
        MpiRun.Outcome o = MpiRun.run(4, flags("s", "--interval", "1ms"), Chain.class, "800");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(List.of("steps 800 consistent true"), o.lines(), o.err());
        Matcher m = Pattern.compile("local checkpoints committed: (\\d+)").matcher(o.err());
        assertTrue(m.find(), o.err());
        assertTrue(Long.parseLong(m.group(1)) >= 40, "a long run with many checkpoints: " + o.err());
        Path store = tmp.resolve("s");
        long[] recorded;
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            recorded = s.recoveryLine().orElseThrow();
            for (int r = 0; r < 4; r++) {
                assertEquals(List.of(recorded[r]), s.localIndexes(r), "rank " + r + " keeps only its newest");
            }
            // Rank 0's event stream holds only what a replay from its newest checkpoint needs: at most the records
            // since it, a handful here, not one per step of the run.
            assertTrue(s.readEvents(0).size() < 200, "records kept: " + s.readEvents(0).size());
        }
        try (Stream<Path> files = Files.walk(store)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void shouldResumeFromEveryRanksNewestCheckpointAfterTheJobGaveUp() {
        MpiRun.Outcome failed = MpiRun.run(4, flags("s", "--interval", "5ms", "--max-restarts", "0",
                "--inject-failure", "rank=0,point=200"), Chain.class, "400");
        assertFalse(failed.result().succeeded(), failed.err());

        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "pessimistic",
                "--resume", tmp.resolve("s").toString()), Chain.class, "400");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
        assertTrue(o.err().contains("resuming from recovery line ["), o.err());
        assertFalse(o.err().contains("resuming from recovery line [0, 0, 0, 0]"), o.err());
    }

    @Test
    void shouldLogMessagesUnlessToldOtherwise() {
        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--store", tmp.resolve("d").toString(),
                "--interval", "10ms", "--inject-failure", "rank=2,point=100"), Chain.class, "200");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(List.of("steps 200 consistent true"), o.lines(), o.err());
        assertTrue(o.err().contains("checkpoint policy independent (every 10 ms with jitter, logging pessimistic)"),
                o.err());
        assertEquals(2, o.aloneRestarts().get(0)[0], o.err());
    }

    @Test
    void shouldRefuseALoggingModeThisBuildDoesNotHave() {
        UsageException e = assertThrows(UsageException.class, () -> MpiRun.run(2, List.of("--checkpoint",
                "independent", "--logging", "optimistic"), Chain.class, "4"));
        assertTrue(e.getMessage().startsWith("--logging optimistic is not available in this build; use --logging "
                + "pessimistic, causal or none"), e.getMessage());
    }

    @Test
    void shouldBoundTheMessageLogByHavingTheReceiverCheckpointWhenItFillsUp() {
        // 600 MiB streamed with at most 32 MiB of log in memory and no checkpoint due on the timer: the receiver
        // checkpoints whenever the sender's log fills up, and the drops its checkpoints allow keep the log from
        // holding everything. How often it checkpoints depends on how quickly the supervisor relays the asks while the
        // data streams at memory speed (a slow fsync on a loaded machine delays them), so only a repeat is required.
        MpiRun.Outcome o = MpiRun.run(2, flags("s", "--interval", "1h", "--log-memory", "32m"), Stream1MiB.class,
                "600");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(List.of("sum " + (599.0 * 600 / 2)), o.lines(), o.err());
        assertTrue(o.err().contains("rank 0's message log is filling up (--log-memory): ranks [1] checkpoint at their "
                + "next safe point"), o.err());
        Matcher m = Pattern.compile("local checkpoints committed: (\\d+) \\(by rank: 0, (\\d+)\\)").matcher(o.err());
        assertTrue(m.find() && Long.parseLong(m.group(2)) >= 4, "rank 1 checkpoints as the log fills: " + o.err());
        // The spilled part is reported only when something spilled (quick enough drops leave nothing to spill).
        Matcher peak = Pattern.compile("message logs: peak by rank ([0-9.]+) MiB, [0-9.]+ [KMG]?i?B in memory(?:; spilled "
                + "to disk beyond --log-memory, peak by rank ([0-9.]+) ([KMG]?i?B),)?").matcher(o.err());
        assertTrue(peak.find(), o.err());
        assertTrue(Double.parseDouble(peak.group(1)) <= 33.5, "rank 0's log stayed within its bound: " + o.err());
        assertTrue(Double.parseDouble(peak.group(1)) >= 8, "it did fill up: " + o.err());
        double spilledMiB = peak.group(2) == null ? 0 : Double.parseDouble(peak.group(2))
                * (peak.group(3).equals("GiB") ? 1024 : peak.group(3).equals("MiB") ? 1 : 0);
        assertTrue(spilledMiB < 600 - 32 - 64, "drops freed what rank 1's checkpoints cover: " + o.err());
    }

    @Test
    void shouldSpillTheLogBeyondItsMemoryWhenTheReceiverPassesNoSafePoint() throws IOException {
        // 200 MiB streamed to a receiver that never checkpoints, with 16 MiB of log in memory: the rest goes to disk
        // (unlinked files in the store's spill/ directory), and the job completes.
        MpiRun.Outcome o = MpiRun.run(2, flags("s", "--interval", "1h", "--log-memory", "16m"), Stream1MiB.class,
                "200", "none");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(List.of("sum " + (199.0 * 200 / 2)), o.lines(), o.err());
        Matcher m = Pattern.compile("message logs: peak by rank ([0-9.]+) MiB, [0-9.]+ [KMG]?i?B in memory; spilled to "
                + "disk beyond --log-memory, peak by rank ([0-9.]+) MiB,").matcher(o.err());
        assertTrue(m.find(), o.err());
        assertTrue(Double.parseDouble(m.group(1)) <= 16.5, "memory stayed within its bound: " + o.err());
        assertTrue(Double.parseDouble(m.group(2)) >= 150, "the rest was spilled: " + o.err());
        try (var files = Files.list(tmp.resolve("s").resolve("spill"))) {
            assertEquals(List.of(), files.toList(), "nothing is left in the spill directory");
        }
    }

    @Test
    void shouldResendSpilledMessagesToAReceiverThatRestartsAlone() {
        // The receiver passes a safe point every 40 messages (it checkpoints at each, asked by the filling log); the
        // sender keeps 8 MiB of log in memory, so most of what the receiver gets between checkpoints is spilled. Killed
        // at its 5th safe point, the receiver restarts alone and gets it again from the sender's spill files.
        MpiRun.Outcome o = MpiRun.run(2, flags("s", "--interval", "1h", "--log-memory", "8m", "--inject-failure",
                "rank=1,point=5"), Stream1MiB.class, "300", "40");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(List.of("sum " + (299.0 * 300 / 2)), o.lines(), o.err());
        assertEquals(1, o.aloneRestarts().size(), o.err());
        assertEquals(1, o.aloneRestarts().get(0)[0], o.err());
        assertTrue(o.err().contains("spilled to disk beyond --log-memory"), o.err());
    }

    @Test
    void shouldSkipTheSendersCheckpointsWhileItsLogIsLargerThanACheckpointTakes() {
        // Only the sender passes safe points: its log of 1 MiB messages grows past what a checkpoint takes (256 MiB
        // here), so it stops checkpointing, says so, and the job completes; killed after that, it restarts from its
        // last checkpoint and the receiver still gets every message once.
        MpiRun.Outcome o = MpiRun.run(2, flags("s", "--every", "40", "--log-memory", "16m", "--inject-failure",
                "rank=0,point=290"), Stream1MiB.class, "300", "sender");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(List.of("sum " + (299.0 * 300 / 2)), o.lines(), o.err());
        assertTrue(o.err().contains("snaprun: warning: rank 0 skips its checkpoints from safe point "), o.err());
        assertTrue(o.err().contains("more than a checkpoint takes (268435456 bytes)"), o.err());
    }

    @Test
    void shouldEndInADeadlockReportNamingTheFullLogWhenTheReceiverPassesNoSafePoint() {
        MpiRun.Outcome o = MpiRun.run(2, flags("s", "--interval", "1h", "--log-memory", "16m", "--log-disk", "16m"),
                Stream1MiB.class, "100", "none");
        assertFalse(o.result().succeeded(), o.err());
        String report = o.err() + o.result().failures();
        assertTrue(report.contains("deadlock") && report.contains("rank 0: blocked in waiting until ranks [1] "
                + "checkpoint, so that its message log, full at --log-memory 16777216 bytes in memory and --log-disk "
                + "16777216 bytes spilled, can drop what they hold"), report);
    }

    @Test
    void shouldRefuseABadLogMemory() {
        for (String[] bad : new String[][] {{"12q", "--log-memory takes a size such as 256m or 2g, got '12q'"},
                {"100k", "--log-memory must be at least 1m, got '100k'"}}) {
            UsageException e = assertThrows(UsageException.class, () -> MpiRun.run(2, flags("s", "--log-memory",
                    bad[0]), Chain.class, "4"));
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
        UsageException e = assertThrows(UsageException.class, () -> MpiRun.run(2, List.of("--checkpoint",
                "independent", "--logging", "none", "--log-memory", "64m"), Chain.class, "4"));
        assertTrue(e.getMessage().contains("--log-memory bounds a message log: it needs --logging pessimistic"),
                e.getMessage());
        e = assertThrows(UsageException.class, () -> MpiRun.run(2, List.of("--checkpoint", "independent", "--logging",
                "none", "--log-disk", "1g"), Chain.class, "4"));
        assertTrue(e.getMessage().contains("--log-disk bounds a message log: it needs --logging pessimistic"),
                e.getMessage());
        e = assertThrows(UsageException.class, () -> MpiRun.run(2, flags("s", "--log-disk", "5x"), Chain.class,
                "4"));
        assertTrue(e.getMessage().contains("--log-disk takes a size such as 256m or 2g, got '5x'"), e.getMessage());
    }

    @Test
    void shouldRefuseToResumeKeepingTheStoreWhenARanksVerifiedCheckpointWasDamagedLater() throws Exception {
        MpiRun.Outcome first = MpiRun.run(4, flags("s", "--interval", "5ms"), Chain.class, "300");
        assertTrue(first.result().succeeded(), first.err());
        Path dir = tmp.resolve("s").resolve("local").resolve("rank-00001");
        Path piece;
        try (Stream<Path> files = Files.list(dir)) {
            piece = files.filter(p -> p.toString().endsWith(".piece")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(piece);
        bytes[bytes.length - 1] ^= 1;
        Files.write(piece, bytes);

        String said;
        try {
            MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "pessimistic",
                    "--resume", tmp.resolve("s").toString()), Chain.class, "300");
            assertFalse(o.result().succeeded(), o.err());
            said = o.err() + o.result().failures();
        } catch (UsageException | io.snapline.runtime.checkpoint.store.CheckpointStoreException e) {
            said = e.getMessage();
        }
        assertTrue(said.contains("rank 1 has no intact local checkpoint (its checkpoint "), said);
        try (FileCheckpointStore s = new FileCheckpointStore(tmp.resolve("s"))) {
            for (int r : new int[] {0, 2, 3}) {
                assertEquals(1, s.localIndexes(r).size(), "rank " + r + "'s checkpoint is kept");
            }
        }
    }

    @Test
    void shouldReplayEveryKindOfTimingDependentChoiceWhenTheMasterOrAWorkerFails() {
        int notes = 0;
        for (int step = 0; step < 300; step++) {
            for (int r = 1; r < 4; r++) {
                notes += (step + r) % 4 == 0 ? 1 : 0;
            }
        }
        for (List<String> kill : List.of(List.of("rank=0,point=120"), List.of("rank=3,point=100"),
                List.of("rank=0,point=90", "rank=2,point=200"))) {
            List<String> f = flags("m-" + kill.size() + kill.get(0).charAt(5), "--interval", "10ms", "--max-restarts",
                    "2");
            for (String k : kill) {
                f.add("--inject-failure");
                f.add(k);
            }
            MpiRun.Outcome o = MpiRun.run(4, f, Medley.class, "300");
            assertTrue(o.result().succeeded(), kill + "\n" + o.err() + o.result().failures());
            assertEquals(List.of("steps 300 notes " + notes + " consistent true"), o.lines(), kill + "\n" + o.err());
            assertFalse(o.err().contains("restarts: 0\n"), o.err());
        }
    }

    @Test
    void shouldFailNamingTheSendWhenARestartedRankSendsOtherContentThanBefore() {
        // With --every 10 rank 1 checkpoints every 10 steps, rank 0 every step. Rank 1 dies at step 25: rank 0's
        // newest checkpoint holds its messages up to about step 24, and rank 1 re-executes the sends after its
        // checkpoint, which rank 0 has: with the clock, other values.
        // A run in which rank 1's first checkpoint was not yet written when it died restarts from the beginning and
        // re-executes nothing that rank 0 has: it is run again (at most 10 times).
        MpiRun.Outcome o = null;
        for (int run = 0; run < 10 && (o == null || o.err().contains("restarting rank 1 alone from the beginning"));
                run++) {
            o = MpiRun.run(2, flags("s" + run, "--every", "10", "--inject-failure", "rank=1,point=25"), Clocked.class,
                    "60");
        }
        assertFalse(o.result().succeeded(), o.err());
        String said = o.err() + o.result().failures();
        // Rank 1 restarts from its checkpoint of step 20, or of step 10 when the write of 20 was still under way.
        Matcher m = Pattern.compile("rank 1 re-executed its send to rank 0 \\(tag 2, message (\\d+) on that channel, "
                + "after safe point (10|20)\\) with other content").matcher(said);
        assertTrue(m.find(), said);
        assertEquals(Long.parseLong(m.group(2)) + 1, Long.parseLong(m.group(1)), "the first send after it: " + said);
        assertTrue(said.contains("with other content than it sent before the restart"), said);
    }

    @Test
    void shouldRefuseAStoreHoldingTheEventStreamsOfAnEarlierRunThatTookNoCheckpoint() {
        MpiRun.Outcome first = MpiRun.run(3, flags("s", "--interval", "1h"), Chain.class, "50");
        assertTrue(first.result().succeeded(), first.err());
        UsageException e = assertThrows(UsageException.class, () -> MpiRun.run(3, flags("s", "--interval", "1h"),
                Chain.class, "50"));
        assertTrue(e.getMessage().contains("already holds the event streams of ranks [0, 1, 2] from an earlier run "
                + "with message logging"), e.getMessage());
        UsageException resume = assertThrows(UsageException.class, () -> MpiRun.run(3, List.of("--checkpoint",
                "independent", "--logging", "pessimistic", "--resume", tmp.resolve("s").toString()), Chain.class, "50"));
        assertTrue(resume.getMessage().endsWith("the directory holds no committed checkpoint"), resume.getMessage());
    }
}
