package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.Cut;
import io.snapline.runtime.checkpoint.Interval;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.testing.ScriptedRankServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The blocking protocol's two state machines, driven by a fake clock and scripted messages; no ranks run. */
class BlockingProtocolTest {
    private static final long SECOND = 1_000_000_000L;

    /** Records what the coordinator does. */
    static class FakeCoordinatorServices implements CoordinatorServices {
        final List<String> sent = new ArrayList<>();
        final List<Manifest> committed = new ArrayList<>();
        final List<Long> committedPoints = new ArrayList<>();
        final List<String> logged = new ArrayList<>();
        final PolicySettings settings;
        final int n;

        /** The job's interval, fed at each commit with the longest blocking time, as the supervisor does. */
        final IntervalChooser interval;
        final List<IntervalChooser.Choice> chosen = new ArrayList<>();

        FakeCoordinatorServices(int n, PolicySettings settings) {
            this.n = n;
            this.settings = settings;
            this.interval = IntervalChooser.of(settings.checkpointInterval(), 0);
        }

        @Override
        public long intervalNanos() {
            return interval.intervalNanos();
        }

        @Override
        public int ranks() {
            return n;
        }

        @Override
        public PolicySettings settings() {
            return settings;
        }

        @Override
        public void send(int rank, byte[] message) {
            sent.add(rank + ":" + BlockingMessage.decode(message));
        }

        @Override
        public CheckpointId nextId() {
            return CheckpointId.of(committed.isEmpty() ? 1 : committed.get(committed.size() - 1).id().value() + 1);
        }

        @Override
        public boolean commit(Manifest manifest, long point, long[] blockedNanos) {
            committed.add(manifest);
            committedPoints.add(point);
            IntervalChooser.Choice c = interval.measured(manifest.id().value(),
                    java.util.Arrays.stream(blockedNanos).max().orElse(0), 0);
            if (c != null) {
                chosen.add(c);
            }
            return true;
        }

        final List<String> failed = new ArrayList<>();

        @Override
        public io.snapline.runtime.checkpoint.RestoreFrom restoredFrom(int rank) {
            return null;
        }

        @Override
        public void localCommitted(int rank, long index, long point, long bytes, long blockedNanos) {
            throw new UnsupportedOperationException("blocking checkpoints are global");
        }

        @Override
        public void discardLocal(int rank, long index) {
            throw new UnsupportedOperationException("blocking checkpoints are global");
        }

        @Override
        public void fail(String reason) {
            failed.add(reason);
        }

        @Override
        public void log(String line) {
            logged.add(line);
        }
    }

    private static byte[] frozen(long id, long point) {
        return BlockingMessage.encode(new BlockingMessage.Frozen(id, point));
    }

    /** Rank waits (or not) for a message of one of {@code peers}; none given: of any rank. */
    private static byte[] waiting(long id, boolean waiting, int... peers) {
        return BlockingMessage.encode(new BlockingMessage.Waiting(id, waiting, peers.length == 0 ? null : peers));
    }

    private static byte[] prepared(long id, long point, int rank) {
        return prepared(id, point, rank, 5);
    }

    private static byte[] prepared(long id, long point, int rank, long blockedNanos) {
        return BlockingMessage.encode(new BlockingMessage.Prepared(id, point, blockedNanos,
                new PieceRef(rank, "rank-" + rank + ".piece", 100, 7)));
    }

    /** Two ticks 10 ms apart: a moment in which nothing is reported, after which the coordinator releases. */
    private static void quietMoment(BlockingCoordinator c, long at) {
        c.onTick(at);
        c.onTick(at + BlockingCoordinator.RELEASE_AFTER_NANOS);
    }

    private static List<String> tail(List<String> l, int from) {
        return List.copyOf(l.subList(from, l.size()));
    }

    @Test
    void shouldOpenTheNextCheckpointAfterTheIntervalChosenFromTheLastOnesCostUnderIntervalAuto() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, new PolicySettings("coordinated", null, 2,
                Duration.ofMinutes(5), java.util.Map.of(), new Interval.Auto(Interval.Formula.YOUNG,
                Duration.ofHours(1), 0.5)));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(29 * SECOND);
        assertEquals(BlockingCoordinator.State.IDLE, c.state(), "it starts at 30 s, the smaller of 30 s and MTTF/10");
        c.onTick(30 * SECOND);
        assertEquals(BlockingCoordinator.State.OPEN, c.state());
        c.onRankMessage(0, frozen(1, 7));
        c.onRankMessage(1, frozen(1, 7));
        c.onRankMessage(0, prepared(1, 7, 0, SECOND));
        c.onRankMessage(1, prepared(1, 7, 1, 2 * SECOND));
        assertEquals(1, s.committed.size());
        // young: sqrt(2 * 2 s * 3600 s) = 120 s, from the longest-held rank's 2 s
        assertEquals(120 * SECOND, s.chosen.get(0).intervalNanos());
        c.onTick(31 * SECOND);
        c.onTick(150 * SECOND);
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        c.onTick(151 * SECOND);
        assertEquals(BlockingCoordinator.State.OPEN, c.state());
    }

    @Test
    void shouldTakeTheCheckpointOnceEveryRankIsFrozenWhereverEachFroze() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(3, PolicySettings.of("coordinated", Duration.ofSeconds(10), java.util.Map.of()));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(9 * SECOND);
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        c.onTick(10 * SECOND);
        assertEquals(BlockingCoordinator.State.OPEN, c.state());
        assertEquals(List.of("0:Request[id=1]", "1:Request[id=1]", "2:Request[id=1]"), s.sent);
        c.onRankMessage(1, frozen(1, 40));
        c.onRankMessage(0, frozen(1, 3));
        assertEquals(BlockingCoordinator.State.OPEN, c.state(), "rank 2 has not frozen");
        c.onRankMessage(2, frozen(1, 41));
        assertEquals(BlockingCoordinator.State.TAKING, c.state());
        assertEquals(List.of("0:Go[id=1]", "1:Go[id=1]", "2:Go[id=1]"), tail(s.sent, 3));
        c.onRankMessage(2, prepared(1, 41, 2));
        c.onRankMessage(0, prepared(1, 3, 0));
        assertTrue(s.committed.isEmpty(), "phase two waits for every rank");
        c.onRankMessage(1, prepared(1, 40, 1));
        assertEquals(1, s.committed.size());
        assertEquals(List.of(0, 1, 2), s.committed.get(0).pieces().stream().map(PieceRef::rank).toList());
        assertEquals(List.of("0:Committed[id=1]", "1:Committed[id=1]", "2:Committed[id=1]"), tail(s.sent, 6));
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        c.onTick(11 * SECOND); // the interval restarts at the first tick after the commit
        c.onTick(20 * SECOND);
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        c.onTick(21 * SECOND);
        assertEquals(BlockingCoordinator.State.OPEN, c.state());
        assertTrue(s.sent.get(s.sent.size() - 1).endsWith("Request[id=2]"), s.sent.toString());
    }

    @Test
    void shouldReleaseTheFrozenRanksWhenEveryOtherRankWaitsInsideTheRuntime() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(4, PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        c.onRankMessage(0, frozen(1, 12)); // a master frozen after a result
        c.onRankMessage(1, frozen(1, 4));
        c.onRankMessage(3, waiting(1, true, 0));
        c.onRankMessage(3, waiting(1, false)); // its message came: it runs again
        c.onRankMessage(2, waiting(1, true, 0)); // a worker waiting for its next task from the master
        int before = s.sent.size();
        assertEquals(BlockingCoordinator.State.OPEN, c.state());
        assertEquals(4, before, "rank 3 still runs: it may yet reach a safe point");
        c.onRankMessage(3, waiting(1, true, 0));
        c.onTick(SECOND + 5_000_000L);
        c.onRankMessage(3, waiting(1, false)); // a message on its way when it reported
        c.onRankMessage(3, waiting(1, true, 0));
        c.onTick(SECOND + 15_000_000L);
        assertEquals(4, s.sent.size(), "the wait has not lasted a quiet moment yet");
        c.onTick(SECOND + 25_000_000L);
        assertEquals(List.of("0:Release[id=1, points=1]"), tail(s.sent, before), "only the rank they wait for runs on");
        assertEquals(1, c.releases());
        c.onRankMessage(2, frozen(1, 9));
        c.onRankMessage(3, waiting(1, true, 2, 1));
        quietMoment(c, 2 * SECOND);
        assertEquals(List.of("0:Release[id=1, points=1]"), tail(s.sent, before), "rank 0 runs: it may yet get there");
        c.onRankMessage(0, waiting(1, true)); // the master waits for a result from anyone
        quietMoment(c, 3 * SECOND);
        assertEquals(List.of("0:Release[id=1, points=1]", "1:Release[id=1, points=1]", "2:Release[id=1, points=1]"),
                tail(s.sent, before));
        assertEquals(2, c.releases());
        c.onRankMessage(0, frozen(1, 13));
        c.onRankMessage(3, frozen(1, 9));
        c.onRankMessage(1, frozen(1, 5));
        c.onRankMessage(2, frozen(1, 10));
        assertEquals(BlockingCoordinator.State.TAKING, c.state());
        assertTrue(s.failed.isEmpty());
    }

    @Test
    void shouldReleaseNothingWhenTheWaitingRanksWaitOnlyForEachOther() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(3, PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        c.onRankMessage(0, frozen(1, 3));
        c.onRankMessage(1, waiting(1, true, 2));
        c.onRankMessage(2, waiting(1, true, 1));
        quietMoment(c, 2 * SECOND);
        assertEquals(3, s.sent.size(), "a message between ranks 1 and 2 is on its way, or they deadlock: " + s.sent);
        assertEquals(0, c.releases());
    }

    @Test
    void shouldOpenTheCheckpointForEveryoneWhenTheFirstRankReachesItsEveryPointAndRequestItOnRelease() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(3, PolicySettings.of("coordinated", null, java.util.Map.of("--every", "10")));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(100 * SECOND);
        assertTrue(s.sent.isEmpty(), "--every needs no timer");
        c.onRankMessage(0, frozen(0, 10));
        assertEquals(List.of("0:Open[id=1]", "1:Open[id=1]", "2:Open[id=1]"), s.sent);
        c.onRankMessage(1, waiting(1, true));
        c.onRankMessage(2, waiting(1, true));
        quietMoment(c, 101 * SECOND);
        assertEquals(List.of("0:Release[id=1, points=1]", "1:Request[id=1]", "2:Request[id=1]"), tail(s.sent, 3),
                "the ranks behind now freeze at their next safe point, not at their tenth");
        c.onRankMessage(1, frozen(1, 4));
        c.onRankMessage(2, frozen(1, 4));
        c.onRankMessage(0, frozen(1, 11));
        assertEquals(BlockingCoordinator.State.TAKING, c.state());
    }

    @Test
    void shouldAbandonTheCheckpointAndRunOnWhenRanksDoNotAllFreezeWithinTheTimeout() {
        PolicySettings settings = new PolicySettings("coordinated", Duration.ofSeconds(1), 2, Duration.ofSeconds(30), java.util.Map.of());
        FakeCoordinatorServices s = new FakeCoordinatorServices(3, settings);
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        c.onRankMessage(0, frozen(1, 4));
        c.onRankMessage(2, frozen(1, 4));
        c.onTick(30 * SECOND);
        assertEquals(BlockingCoordinator.State.OPEN, c.state(), "rank 1 may only be slow");
        c.onTick(31 * SECOND);
        assertTrue(s.failed.isEmpty(), "placing a checkpoint never ends a job");
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        assertEquals(List.of("0:Abandon[id=1, last=false]", "1:Abandon[id=1, last=false]",
                "2:Abandon[id=1, last=false]"), tail(s.sent, 3));
        assertEquals(1, s.logged.size());
        assertTrue(s.logged.get(0).startsWith("checkpoint 1 abandoned: not every rank reached a safe point within the "
                + "checkpoint timeout (30 s): frozen: 0, 2; running without reaching a safe point: 1"), s.logged.get(0));
        c.onTick(32 * SECOND);
        c.onTick(33 * SECOND);
        assertTrue(s.sent.get(s.sent.size() - 1).endsWith("Request[id=2]"), "the next interval tries again: " + s.sent);
    }

    @Test
    void shouldAbandonForGoodWhenARankFinishesBeforeFreezing() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        c.onRankMessage(0, frozen(1, 7));
        c.onRankFinished(1);
        assertEquals(BlockingCoordinator.State.DONE, c.state());
        assertEquals(List.of("0:Abandon[id=1, last=true]", "1:Abandon[id=1, last=true]"), tail(s.sent, 2));
        assertTrue(s.committed.isEmpty());
        assertEquals(List.of("checkpoint 1 abandoned: rank 1 finished before reaching a safe point for it"), s.logged);
        c.onTick(100 * SECOND);
        assertEquals(BlockingCoordinator.State.DONE, c.state(), "no checkpoint can complete once a rank finished");
        c.onRankMessage(0, frozen(0, 20));
        assertEquals("0:Abandon[id=1, last=true]", s.sent.get(s.sent.size() - 1), "a rank that froze late is let go");
    }

    @Test
    void shouldLetTheRanksGoWithoutCommittingWhenTheStoreRefusesTheManifest() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of())) {
            @Override
            public boolean commit(Manifest manifest, long point, long[] blockedNanos) {
                return false;
            }
        };
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        c.onRankMessage(0, frozen(1, 2));
        c.onRankMessage(1, frozen(1, 2));
        c.onRankMessage(0, prepared(1, 2, 0));
        c.onRankMessage(1, prepared(1, 2, 1));
        assertEquals(List.of("0:Abandon[id=1, last=false]", "1:Abandon[id=1, last=false]"), tail(s.sent, 4));
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
    }

    /** Records what a rank's policy asks of the runtime; {@code await} fails unless the condition already holds. */
    static final class FakeRankServices extends ScriptedRankServices {
        final List<String> calls = new ArrayList<>();
        long now;
        Runnable duringAwait = () -> { };
        BlockingRank policy;
        long prepared;
        boolean waitingNow;
        boolean failWrites;

        @Override
        public void reportWait(io.snapline.runtime.checkpoint.WaitListener to) {
            to.waitingChanged(waitingNow, null);
        }

        FakeRankServices(PolicySettings settings) {
            super(settings);
        }

        @Override
        public void toCoordinator(byte[] message) {
            BlockingMessage m = BlockingMessage.decode(message);
            calls.add("send " + m);
            if (m instanceof BlockingMessage.Prepared p) {
                prepared = p.id();
            }
        }

        @Override
        public void flushChannels(CheckpointId id, int round) {
            calls.add("flush " + id + "/" + round);
        }

        @Override
        public RankImage capture(long point, Cut cut) {
            // The blocking policy captures at a fixed id and saves the messages its program has not received yet.
            calls.add("capture " + cut.fixedId() + "@" + point + (cut.savesUnreceived() ? "" : " leaving unreceived"));
            CheckpointId id = cut.decide();
            return new RankImage(1, 2, id.value(), point, 4, 0, List.of(), new byte[0],
                    new byte[0], java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }

        @Override
        public PieceRef writePiece(CheckpointId id, RankImage image) {
            if (failWrites) {
                throw new IllegalStateException("no space left on device");
            }
            calls.add("write " + id);
            now += 7;
            return new PieceRef(1, "rank-00001.piece", 36 + image.encode().length, 0);
        }

        @Override
        public void await(BooleanSupplier condition, String what) {
            calls.add("await " + what);
            duringAwait.run();
            if (prepared > 0 && policy != null) { // the coordinator commits what the rank prepared
                policy.onControl(control(new BlockingMessage.Committed(prepared)));
            }
            if (!condition.getAsBoolean()) {
                throw new AssertionError("would wait forever: " + what);
            }
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void aboutToWrite(CheckpointId id) {
            calls.add("about to write " + id);
        }

        /** The rank's writer: runs nothing until {@link HeldWriter#runAll} (a write is in flight meanwhile). */
        final HeldWriter writer = new HeldWriter();

        @Override
        public java.util.concurrent.ExecutorService writer() {
            return writer;
        }

        @Override
        public void deferred(io.snapline.runtime.checkpoint.CheckpointDeferred deferred) {
            calls.add("deferred " + deferred);
        }
    }

    /** An executor that queues its tasks until the test runs them. */
    static final class HeldWriter extends java.util.concurrent.AbstractExecutorService {
        final java.util.ArrayDeque<Runnable> queued = new java.util.ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            queued.add(task);
        }

        void runAll() {
            Runnable t;
            while ((t = queued.poll()) != null) {
                t.run();
            }
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
            return true;
        }
    }

    private static PolicySettings async(Duration interval, java.util.Map<String, String> options) {
        return new PolicySettings("coordinated", interval, 2, PolicySettings.DEFAULT_STALL_TIMEOUT, options, null,
                io.snapline.runtime.checkpoint.Compression.NONE, false, true);
    }

    @Test
    void shouldBeFrozenOnlyForTheCaptureAndPrepareOnceThePieceIsWrittenUnderAsync() {
        FakeRankServices s = new FakeRankServices(async(Duration.ofSeconds(1), java.util.Map.of()));
        BlockingRank r = new BlockingRank(s);
        r.onControl(control(new BlockingMessage.Request(1)));
        s.duringAwait = () -> {
            s.now += 3;
            r.onControl(control(new BlockingMessage.Go(1)));
        };
        r.atPoint(2);
        assertEquals(List.of("send Frozen[id=1, point=2]",
                "await safe point 2, frozen for checkpoint 1 until every rank reaches a safe point",
                "flush 1/0", "capture 1@2", "flush 1/1"), s.calls, "the program continues after the capture");
        assertEquals(BlockingRank.State.WRITING, r.state());
        assertEquals(1, s.writer.queued.size(), "the piece is handed to the writer");
        r.atPoint(3);
        assertEquals(5, s.calls.size(), "nothing is due: the program runs on while the piece is written");

        s.calls.clear();
        s.writer.runAll();
        assertEquals(List.of("about to write 1", "write 1", "send Prepared[id=1, point=2, blockedNanos=3, "
                + "piece=PieceRef[rank=1, fileName=rank-00001.piece, size=95, crc32c=0]]"), s.calls,
                "prepared only once durable; blocked only for the freeze and the capture, not the write");
        assertEquals(BlockingRank.State.WRITING, r.state(), "not committed before every rank's piece is durable");
        r.onControl(control(new BlockingMessage.Committed(1)));
        assertEquals(BlockingRank.State.RUNNING, r.state());
    }

    @Test
    void shouldWaitForTheCommitOfTheCheckpointBeingWrittenWhenItsNextEveryPointComesUnderAsync() {
        FakeRankServices s = new FakeRankServices(async(null, java.util.Map.of("--every", "3")));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        long[] next = {1};
        s.duringAwait = () -> {
            if (r.state() == BlockingRank.State.FROZEN) {
                r.onControl(control(new BlockingMessage.Open(next[0])));
                r.onControl(control(new BlockingMessage.Go(next[0]++)));
            } else if (!s.writer.queued.isEmpty()) {
                s.now += 11; // the rank waits 11 ns for its writer, which writes the piece in 7
                s.writer.runAll(); // the fake then commits what was prepared
            }
        };
        for (long p = 1; p <= 6; p++) {
            r.atPoint(p);
        }
        List<String> shown = s.calls.stream().filter(c -> c.startsWith("capture") || c.startsWith("send Frozen")
                || c.startsWith("deferred") || c.startsWith("write")).toList();
        assertEquals(List.of("send Frozen[id=0, point=3]", "capture 1@3", "write 1",
                "deferred CheckpointDeferred[local=false, point=6, inFlight=1, skipped=false, waitedNanos=18]",
                "send Frozen[id=0, point=6]", "capture 2@6"), shown,
                "checkpoint 2 waits for checkpoint 1's commit: every rank agreed on it, so none skips it");
        assertTrue(s.calls.contains("await safe point 6, waiting for checkpoint 1 to be committed before the next "
                + "one"), s.calls.toString());
    }

    @Test
    void shouldFailTheRankAtItsNextSafePointWhenItsBackgroundWriteFailedUnderAsync() {
        FakeRankServices s = new FakeRankServices(async(Duration.ofSeconds(1), java.util.Map.of()));
        BlockingRank r = new BlockingRank(s);
        r.onControl(control(new BlockingMessage.Request(1)));
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.Go(1)));
        r.atPoint(2);
        s.failWrites = true;
        s.writer.runAll();
        assertTrue(s.calls.stream().noneMatch(c -> c.startsWith("send Prepared")), "nothing durable, nothing "
                + "prepared: " + s.calls);
        io.snapline.checkpoint.CheckpointException e = assertThrows(io.snapline.checkpoint.CheckpointException.class,
                () -> r.atPoint(3));
        assertEquals("rank 1 could not write its checkpoint 1: no space left on device", e.getMessage());
    }

    @Test
    void shouldEndCheckpointingOnceTheCheckpointCommitsWhenARankFinishedWhileItWasWritten() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, async(Duration.ofSeconds(1), java.util.Map.of()));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        c.onRankMessage(0, frozen(1, 2));
        c.onRankMessage(1, frozen(1, 2));
        c.onRankMessage(0, prepared(1, 2, 0));
        c.onRankFinished(0); // under --async rank 0 ran on while rank 1 still wrote its piece
        assertEquals(BlockingCoordinator.State.TAKING, c.state());
        c.onRankMessage(1, prepared(1, 2, 1));
        assertEquals(1, s.committed.size(), "every piece is durable: the checkpoint commits");
        assertEquals(BlockingCoordinator.State.DONE, c.state());
        assertEquals(List.of("0:Committed[id=1]", "1:Committed[id=1]", "0:Abandon[id=1, last=true]",
                "1:Abandon[id=1, last=true]"), tail(s.sent, s.sent.size() - 4));
    }

    private static byte[] control(BlockingMessage m) {
        return BlockingMessage.encode(m);
    }

    @Test
    void shouldFreezeAtTheNextSafePointThenTakeTheCheckpointWhenTheCoordinatorSaysGo() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        r.atPoint(1);
        assertTrue(s.calls.isEmpty(), "nothing happens at a safe point while no checkpoint is requested");
        r.onControl(control(new BlockingMessage.Request(1)));
        assertEquals(BlockingRank.State.ARMED, r.state());
        s.duringAwait = () -> {
            s.now += 3;
            r.onControl(control(new BlockingMessage.Go(1)));
        };
        r.atPoint(2);
        assertEquals(List.of("send Frozen[id=1, point=2]",
                "await safe point 2, frozen for checkpoint 1 until every rank reaches a safe point",
                "flush 1/0", "capture 1@2", "flush 1/1", "about to write 1", "write 1",
                "send Prepared[id=1, point=2, blockedNanos=10, piece=PieceRef[rank=1, fileName=rank-00001.piece, "
                        + "size=95, crc32c=0]]", "await safe point 2, waiting for checkpoint 1 to be committed"), s.calls);
        assertEquals(BlockingRank.State.RUNNING, r.state());
    }

    @Test
    void shouldRunOnAndFreezeAgainAtItsNextSafePointWhenReleased() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        r.onControl(control(new BlockingMessage.Request(1)));
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.Release(1, 1)));
        r.atPoint(5);
        assertEquals(BlockingRank.State.ARMED, r.state());
        assertTrue(s.calls.stream().noneMatch(c -> c.startsWith("flush")), s.calls.toString());
        s.calls.clear();
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.Go(1)));
        r.atPoint(6);
        assertEquals("send Frozen[id=1, point=6]", s.calls.get(0));
        assertTrue(s.calls.contains("capture 1@6"), s.calls.toString());
    }

    @Test
    void shouldPassTheSafePointsItIsReleasedForBeforeFreezingAgain() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        r.onControl(control(new BlockingMessage.Request(1)));
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.Release(1, 4)));
        r.atPoint(5);
        s.calls.clear();
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.Go(1)));
        for (long p = 6; p <= 8; p++) {
            r.atPoint(p);
            assertEquals(BlockingRank.State.ARMED, r.state(), "passes point " + p);
            assertTrue(s.calls.isEmpty(), s.calls.toString());
        }
        r.atPoint(9);
        assertEquals("send Frozen[id=1, point=9]", s.calls.get(0), "freezes at the 4th point after the release");
    }

    @Test
    void shouldDoubleThePointsARankMayPassEachTimeOneCheckpointReleasesItAgain() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        long t = SECOND;
        List<String> releases = new java.util.ArrayList<>();
        for (int k = 0; k < 4; k++) {
            c.onRankMessage(0, frozen(1, 10 + k)); // a stage far ahead
            c.onRankMessage(1, waiting(1, true, 0)); // waits for its next item from it
            int before = s.sent.size();
            t += SECOND;
            quietMoment(c, t);
            releases.addAll(tail(s.sent, before));
            c.onRankMessage(1, waiting(1, false));
        }
        assertEquals(List.of("0:Release[id=1, points=1]", "0:Release[id=1, points=2]", "0:Release[id=1, points=4]",
                "0:Release[id=1, points=8]"), releases);
        c.onRankMessage(0, frozen(1, 30));
        c.onRankMessage(1, frozen(1, 7));
        assertEquals(BlockingCoordinator.State.TAKING, c.state());
    }

    @Test
    void shouldReleaseARankByOnePointWhenTheRanksWaitingForItFrozeSinceItsLastRelease() {
        // A chain 0 - 1 - 2 whose ranks freeze one step apart: each release lets one neighbour catch up, and doubling
        // the points would send every rank ever further past the others (the checkpoint was never placed).
        FakeCoordinatorServices s = new FakeCoordinatorServices(3, PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        long t = SECOND;
        List<String> releases = new java.util.ArrayList<>();
        for (int k = 0; k < 3; k++) {
            c.onRankMessage(0, frozen(1, 10 + 2 * k));
            c.onRankMessage(2, frozen(1, 10 + 2 * k));
            c.onRankMessage(1, waiting(1, true, 0)); // rank 1 waits for rank 0 ...
            int before = s.sent.size();
            t += SECOND;
            quietMoment(c, t);
            releases.addAll(tail(s.sent, before));
            c.onRankMessage(1, waiting(1, false));
            c.onRankMessage(1, frozen(1, 11 + 2 * k)); // ... gets its message and freezes
            c.onRankMessage(0, waiting(1, true, 1)); // and rank 0, one point on, waits for it
            before = s.sent.size();
            t += SECOND;
            quietMoment(c, t);
            releases.addAll(tail(s.sent, before));
            c.onRankMessage(0, waiting(1, false));
        }
        assertEquals(List.of("0:Release[id=1, points=1]", "1:Release[id=1, points=1]", "0:Release[id=1, points=1]",
                "1:Release[id=1, points=1]", "0:Release[id=1, points=1]", "1:Release[id=1, points=1]"), releases);
    }

    @Test
    void shouldStopWaitingAndContinueWhenTheCheckpointIsAbandoned() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        r.onControl(control(new BlockingMessage.Request(1)));
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.Abandon(1, false)));
        r.atPoint(6);
        assertEquals(BlockingRank.State.RUNNING, r.state());
        assertTrue(s.calls.stream().noneMatch(c -> c.startsWith("flush")), s.calls.toString());
        s.calls.clear();
        r.atPoint(7);
        assertTrue(s.calls.isEmpty(), "an abandoned checkpoint is not taken later: " + s.calls);
        r.onControl(control(new BlockingMessage.Request(1)));
        assertEquals(BlockingRank.State.RUNNING, r.state(), "a stale request for an abandoned checkpoint is ignored");
    }

    @Test
    void shouldTellTheCoordinatorWhenItWaitsOnlyWhileACheckpointIsOpenAndItRuns() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", Duration.ofSeconds(1), java.util.Map.of()));
        BlockingRank r = new BlockingRank(s);
        r.waitingChanged(true, null);
        r.waitingChanged(false, null);
        assertTrue(s.calls.isEmpty(), "no checkpoint is open: " + s.calls);
        s.waitingNow = true; // already blocked in a receive when the request comes
        r.onControl(control(new BlockingMessage.Request(3)));
        r.waitingChanged(true, null); // repeats are not sent again
        r.waitingChanged(false, null);
        r.waitingChanged(false, null);
        r.waitingChanged(true, new int[] {0});
        r.waitingChanged(true, new int[] {0});
        assertEquals(List.of("send Waiting[id=3, waiting=true, peers=any]",
                "send Waiting[id=3, waiting=false, peers=any]", "send Waiting[id=3, waiting=true, peers=[0]]"),
                s.calls);
        s.calls.clear();
        s.duringAwait = () -> {
            r.waitingChanged(true, null); // the frozen rank's own wait at the safe point is not reported
            r.onControl(control(new BlockingMessage.Abandon(3, true)));
        };
        r.atPoint(9);
        assertEquals(List.of("send Frozen[id=3, point=9]",
                "await safe point 9, frozen for checkpoint 3 until every rank reaches a safe point"), s.calls);
        assertEquals(BlockingRank.State.CLOSED, r.state());
        s.calls.clear();
        r.onControl(control(new BlockingMessage.Request(4)));
        r.atPoint(10);
        assertTrue(s.calls.isEmpty(), "no checkpoints after the last: " + s.calls);
    }

    @Test
    void shouldFreezeAtEveryNthPointAndLearnTheIdFromTheCoordinatorWhenGivenEvery() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", null, java.util.Map.of("--every", "3")));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        long[] next = {1};
        s.duringAwait = () -> {
            if (r.state() == BlockingRank.State.FROZEN) {
                r.onControl(control(new BlockingMessage.Open(next[0])));
                r.onControl(control(new BlockingMessage.Go(next[0]++)));
            }
        };
        for (long p = 1; p <= 7; p++) {
            r.atPoint(p);
        }
        assertEquals(List.of("send Frozen[id=0, point=3]", "capture 1@3", "send Frozen[id=0, point=6]", "capture 2@6"),
                s.calls.stream().filter(c -> c.startsWith("capture") || c.startsWith("send Frozen")).toList());
    }

    @Test
    void shouldRefuseAMessageMeantForTheCoordinatorWhenARankGetsIt() {
        BlockingRank r = new BlockingRank(new FakeRankServices(PolicySettings.of("coordinated", null, java.util.Map.of("--every", "3"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.onControl(control(new BlockingMessage.Frozen(1, 2))));
        assertTrue(e.getMessage().contains("a rank does not accept Frozen"), e.getMessage());
    }
}
