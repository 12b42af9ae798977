package io.snapline.recovery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.recovery.Consistency;
import io.snapline.recovery.LineAnalysis;
import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.cli.SnaplineCli;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The history of a real job, read back from its checkpoint store. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreHistoryTest {
    @TempDir
    Path tmp;

    /** Each step sends a token to the right neighbour and receives one from the left; a safe point per step. */
    public static class Ring {
        public static void main(String[] args) {
            MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long[] step = Checkpoint.restoreOr(() -> new long[1]);
            long[] token = new long[1];
            while (step[0] < 12) {
                MPI.COMM_WORLD.Sendrecv(new long[] {step[0]}, 0, 1, MPI.LONG, (rank + 1) % size, 0, token, 0, 1,
                        MPI.LONG, (rank + size - 1) % size, 0);
                step[0]++;
                Checkpoint.point(step);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldRebuildTheRetainedWindowWithEveryMessageWhenTheJobCheckpointedCoordinated() {
        Path store = tmp.resolve("s");
        MpiRun.Outcome o = MpiRun.run(3, List.of("--checkpoint", "coordinated", "--every", "4", "--store",
                store.toString()), Ring.class);
        assertTrue(o.result().succeeded(), o.err());
        StoreHistory.Read read = StoreHistory.read(store);
        assertEquals(List.of(2L, 3L), read.checkpointIds(), "the store keeps the newest two");
        History h = read.history();
        assertEquals(3, h.ranks().size());
        assertEquals(3, h.ranks().get(0).checkpoints().size(), "the window start plus two checkpoints");
        // 4 steps per interval, one token per rank and step, in each of the two recorded intervals
        assertEquals(3 * 4 * 2, h.messages().size());
        for (Message m : h.messages()) {
            assertEquals(m.senderInterval(), m.receiverInterval(), "nothing crosses a blocking checkpoint: " + m);
        }
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(h);
        RecoveryLine line = analyzer.recoveryLine(Consistency.CONSISTENT, 1);
        LineAnalysis a = analyzer.analyse(line);
        assertTrue(a.orphans().isEmpty() && a.inTransit().isEmpty(), a.toString());
    }

    @Test
    void shouldPrintTheLineAndDrawTheDiagramWhenTheCliReadsAStore() throws Exception {
        Path store = tmp.resolve("s");
        assertTrue(MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "3", "--store", store.toString()),
                Ring.class).result().succeeded());
        Path svg = tmp.resolve("line.svg");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = SnaplineCli.commandLine();
        cli.setOut(new java.io.PrintWriter(out));
        cli.setErr(new java.io.PrintWriter(err));
        int status = cli.execute("recovery-line", "--store", store.toString(), "--failed", "1", "--svg", svg.toString());
        String text = out.toString();
        assertEquals(0, status, err.toString());
        assertTrue(text.contains("maximum consistent line"), text);
        assertTrue(err.toString().contains("the store keeps checkpoints 3..4"), err.toString());
        String drawing = Files.readString(svg);
        assertTrue(drawing.startsWith("<?xml") || drawing.startsWith("<svg"), drawing.substring(0, 40));
    }

    /** {@link Ring} for {@code args[0]} steps, pausing {@code args[1]} ms per step. */
    public static class SlowRing {
        public static void main(String[] args) throws InterruptedException {
            String[] mine = MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long[] step = Checkpoint.restoreOr(() -> new long[1]);
            long[] token = new long[1];
            while (step[0] < Long.parseLong(mine[0])) {
                MPI.COMM_WORLD.Sendrecv(new long[] {step[0]}, 0, 1, MPI.LONG, (rank + 1) % size, 0, token, 0, 1,
                        MPI.LONG, (rank + size - 1) % size, 0);
                step[0]++;
                Thread.sleep(Long.parseLong(mine[1]));
                Checkpoint.point(step);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldReadTheStoreOfARunningJobWhileItsRetentionDeletesCheckpoints() throws Exception {
        Path store = tmp.resolve("s");
        java.util.concurrent.CompletableFuture<MpiRun.Outcome> job = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> MpiRun.run(3, List.of("--checkpoint", "coordinated", "--every", "1", "--store", store.toString()),
                        SlowRing.class, "150", "5"));
        int reads = 0;
        try {
            while (!job.isDone()) {
                if (Files.exists(store.resolve("ckpt-00000000000000000002").resolve("MANIFEST"))
                        || reads > 0) {
                    StoreHistory.Read read = StoreHistory.read(store); // fails if a checkpoint vanished mid-read
                    // 2 retained; 3 between a commit and the retention after it; 1 when a listing taken before a
                    // commit meets the retention that followed it
                    int n = read.checkpointIds().size();
                    assertTrue(n >= 1 && n <= 3, read.checkpointIds().toString());
                    reads++;
                }
            }
        } finally {
            MpiRun.Outcome o = job.get(100, TimeUnit.SECONDS);
            assertTrue(o.result().succeeded(), o.err());
        }
        assertTrue(reads > 10, "read the store " + reads + " times while the job ran");
    }
}
