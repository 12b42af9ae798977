package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.checkpoint.Checkpoint;
import io.snapline.checkpoint.CheckpointException;
import io.snapline.checkpoint.Restorable;
import io.snapline.runtime.json.JsonText;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The program-facing API across a real restart: named states, transient fields, custom serializers, misuse. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CheckpointApiTest {
    @TempDir
    Path tmp;

    /** Holds a cache that is not saved and is rebuilt after a restart. */
    static final class Counter implements Restorable {
        long count;
        transient StringBuilder cache = new StringBuilder("fresh");

        @Override
        public void afterRestore() {
            cache = new StringBuilder("rebuilt");
        }
    }

    /** A type Kryo could not save on its own (it holds a thread); its serializer saves the value only. */
    static final class Clock {
        final long ticks;
        final Thread owner = Thread.currentThread();

        Clock(long ticks) {
            this.ticks = ticks;
        }
    }

    static final class ClockSerializer extends Serializer<Clock> {
        @Override
        public void write(Kryo kryo, Output output, Clock c) {
            output.writeLong(c.ticks);
        }

        @Override
        public Clock read(Kryo kryo, Input input, Class<? extends Clock> type) {
            return new Clock(input.readLong());
        }
    }

    /** Two named states (one shared list referenced from both), a transient cache and a custom serializer. */
    public static class Named {
        public static void main(String[] args) {
            MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            Checkpoint.serializer(Clock.class, new ClockSerializer());
            List<Long> shared = new ArrayList<>();
            Counter counter = Checkpoint.restoreOr("counter", Counter::new);
            @SuppressWarnings("unchecked")
            List<Long> history = Checkpoint.restoreOr("history", () -> shared);
            Clock clock = Checkpoint.restoreOr("clock", () -> new Clock(0));
            String cacheAtStart = counter.cache.toString();
            while (counter.count < 12) {
                counter.count++;
                history.add(counter.count * (rank + 1));
                long[] sum = new long[1];
                MPI.COMM_WORLD.Allreduce(new long[] {counter.count}, 0, sum, 0, 1, MPI.LONG, MPI.SUM);
                clock = new Clock(clock.ticks + sum[0]);
                Checkpoint.set("clock", clock);
                Checkpoint.point();
            }
            System.out.println("rank " + rank + " count " + counter.count + " history " + history + " ticks "
                    + clock.ticks);
            System.err.println("rank " + rank + " cache " + cacheAtStart + " restart " + Checkpoint.isRestart()
                    + " points " + Checkpoint.points());
            MPI.Finalize();
        }
    }

    @Test
    void shouldRestoreNamedStatesRebuildTransientFieldsAndUseCustomSerializersWhenRestarted() {
        MpiRun.Outcome clean = MpiRun.run(2, List.of(), Named.class);
        assertTrue(clean.result().succeeded(), clean.err());
        MpiRun.Outcome o = MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "5", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=0,point=8"), Named.class);
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        List<String> a = new ArrayList<>(clean.lines());
        List<String> b = new ArrayList<>(o.lines());
        a.sort(null);
        b.sort(null);
        assertEquals(a, b);
        assertTrue(a.get(0).contains("ticks 156"), a.get(0)); // sum over k=1..12 of 2k
        assertTrue(o.err().contains("rank 0 cache rebuilt restart true points 12"), o.err());
        assertTrue(clean.err().contains("rank 1 cache fresh restart false points 12"), clean.err());
    }

    /**
     * Creates a communicator after restoring its state (setup code that runs again after a restart), and sends on
     * it a message that crosses every safe point: the restarted run must give the communicator the same context, or
     * the saved message would not match.
     */
    public static class SplitAfterRestore {
        public static void main(String[] args) {
            MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            long[] state = Checkpoint.restoreOr(() -> new long[2]);
            mpi.Intracomm pairs = MPI.COMM_WORLD.Split(rank / 2, rank);
            int partner = 1 - pairs.Rank();
            long[] in = new long[1];
            if (state[0] == 0) {
                pairs.Send(new long[] {rank}, 0, 1, MPI.LONG, partner, 3);
            }
            while (state[0] < 12) {
                pairs.Recv(in, 0, 1, MPI.LONG, partner, 3);
                state[1] = state[1] * 7 + in[0];
                state[0]++;
                pairs.Send(new long[] {state[0] * 10 + rank}, 0, 1, MPI.LONG, partner, 3);
                Checkpoint.point(state);
            }
            pairs.Recv(in, 0, 1, MPI.LONG, partner, 3);
            System.out.println("rank " + rank + " " + state[1]);
            MPI.Finalize();
        }
    }

    @Test
    void shouldMatchSavedMessagesOnCommunicatorsCreatedAgainAfterTheRestore() {
        MpiRun.Outcome clean = MpiRun.run(4, List.of(), SplitAfterRestore.class);
        MpiRun.Outcome o = MpiRun.run(4, List.of("--checkpoint", "coordinated", "--every", "4", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=3,point=7"), SplitAfterRestore.class);
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        List<String> a = new ArrayList<>(clean.lines());
        List<String> b = new ArrayList<>(o.lines());
        a.sort(null);
        b.sort(null);
        assertEquals(a, b);
        assertTrue(o.err().contains("restarting all 4 ranks from checkpoint 1"), o.err());
    }

    /** Registers a communicator as state. */
    public static class CommInState {
        public static void main(String[] args) {
            MPI.Init(args);
            Object[] state = Checkpoint.restoreOr(() -> new Object[] {MPI.COMM_WORLD.Dup()});
            Checkpoint.point(state);
            MPI.Finalize();
        }
    }

    @Test
    void shouldRefuseToSaveACommunicatorNamingWhatToDoInstead() {
        MpiRun.Outcome o = MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "1", "--store",
                tmp.resolve("s").toString()), CommInState.class);
        assertFalse(o.result().succeeded());
        String why = o.result().failures().get(0).description();
        assertTrue(why.contains("it holds an MPI Comm (mpi.Intracomm)") && why.contains("Create communicators, groups,"
                + " datatypes and operations in setup code before the first safe point"), why);
    }

    /** Passes a safe point with a receive still pending. */
    public static class PendingReceive {
        public static void main(String[] args) {
            MPI.Init(args);
            Checkpoint.restoreOr(() -> 1);
            int[] buf = new int[1];
            if (MPI.COMM_WORLD.Rank() == 0) {
                mpi.Request r = MPI.COMM_WORLD.Irecv(buf, 0, 1, MPI.INT, 1, 9);
                Checkpoint.point();
                r.Wait();
            } else {
                Checkpoint.point();
                MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, 0, 9);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldRefuseACheckpointWhenAReceiveIsPendingAtTheSafePoint() {
        MpiRun.Outcome o = MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "1", "--store",
                tmp.resolve("s").toString()), PendingReceive.class);
        assertFalse(o.result().succeeded());
        String why = o.result().failures().get(0).description();
        assertTrue(why.contains("reached safe point 1 with 1 receive(s) not completed (receive from world rank 1 "
                + "with tag 9") && why.contains("complete every non-blocking receive (Wait) before Checkpoint.point"),
                why);
        assertFalse(o.err().contains("restarting"), "a broken contract is not restarted: " + o.err());
    }

    /** Reaches its safe points in an order that needs a message sent after a peer's safe point. */
    public static class Misaligned {
        public static void main(String[] args) {
            MPI.Init(args);
            Checkpoint.restoreOr(() -> 0);
            int[] buf = new int[1];
            if (MPI.COMM_WORLD.Rank() == 0) {
                for (int i = 0; i < 4; i++) {
                    Checkpoint.point();
                }
                MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, 1, 0);
            } else {
                MPI.COMM_WORLD.Recv(buf, 0, 1, MPI.INT, 0, 0);
                for (int i = 0; i < 4; i++) {
                    Checkpoint.point();
                }
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldRunOnWhenTheKthSafePointsAreNotMutuallyReachable() {
        MpiRun.Outcome o = MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "2", "--store",
                tmp.resolve("s").toString()), Misaligned.class);
        assertEquals(0, o.result().exitCode(), o.err());
        assertFalse(o.err().contains("deadlock"), o.err());
        assertFalse(o.err().contains("restarting"), o.err());
    }

    /** Rank 0 reaches a safe point at once; rank 1 only after computing for 3 s, then sends rank 0 its result. */
    public static class SlowToASafePoint {
        public static void main(String[] args) {
            MPI.Init(args);
            Checkpoint.restoreOr(() -> 0);
            int[] buf = new int[1];
            if (MPI.COMM_WORLD.Rank() == 0) {
                Checkpoint.point();
                MPI.COMM_WORLD.Recv(buf, 0, 1, MPI.INT, 1, 0);
                System.out.println("received " + buf[0]);
            } else {
                long end = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                Checkpoint.point();
                buf[0] = 42;
                MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, 0, 0);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldAbandonTheCheckpointAndFinishTheJobWhenARankDoesNotReachASafePointWithinTheTimeout() throws Exception {
        Path json = tmp.resolve("report.json");
        MpiRun.Outcome o = MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "1", "--store",
                tmp.resolve("s").toString(), "--checkpoint-timeout", "300ms", "--report", json.toString()),
                SlowToASafePoint.class);
        assertEquals(0, o.result().exitCode(), o.err());
        assertEquals(List.of("received 42"), o.lines());
        assertTrue(o.err().contains("snaprun: checkpoint 1 abandoned: not every rank reached a safe point within the "
                + "checkpoint timeout (300 ms): frozen: 0; running without reaching a safe point: 1"), o.err());
        assertTrue(o.err().contains("checkpoints abandoned: "), o.err());
        JsonNode abandoned = JsonText.MAPPER.readTree(json.toFile()).get("abandoned");
        assertEquals(1, abandoned.get(0).get("id").asLong(), abandoned.toString());
        assertTrue(abandoned.get(0).get("reason").asText().startsWith("not every rank"), abandoned.toString());
    }

    @Test
    void shouldGiveUpWhenMoreFailuresStrikeThanRestartsAreAllowed() throws Exception {
        Path json = tmp.resolve("report.json");
        MpiRun.Outcome o = MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                tmp.resolve("s").toString(), "--max-restarts", "1", "--inject-failure", "rank=0,point=4",
                "--inject-failure", "rank=1,point=10", "--report", json.toString()), Named.class);
        assertEquals(1, o.result().exitCode());
        assertTrue(o.err().contains("restart 1 of at most 1"), o.err());
        assertTrue(o.err().contains("not restarting: the job has used all 1 restart(s) allowed by --max-restarts"),
                o.err());
        JsonNode report = JsonText.MAPPER.readTree(json.toFile());
        assertEquals("coordinated", report.get("policy").asText(), report.toString());
        assertEquals("failed with exit status 1", report.get("outcome").asText(), report.toString());
        JsonNode restart = report.get("restarts").get(0);
        assertEquals(0, restart.get("failedRank").asInt(), report.toString());
        assertEquals(1, restart.get("fromCheckpoint").asLong(), report.toString());
    }
}
