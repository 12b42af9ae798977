package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.CoordinatorServices;
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
    static final class FakeCoordinatorServices implements CoordinatorServices {
        final List<String> sent = new ArrayList<>();
        final List<Manifest> committed = new ArrayList<>();
        final List<Long> committedPoints = new ArrayList<>();
        final List<String> logged = new ArrayList<>();
        final PolicySettings settings;
        final int n;

        FakeCoordinatorServices(int n, PolicySettings settings) {
            this.n = n;
            this.settings = settings;
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

    private static byte[] position(long id, long point) {
        return BlockingMessage.encode(new BlockingMessage.Position(id, point));
    }

    private static byte[] prepared(long id, long point, int rank) {
        return BlockingMessage.encode(new BlockingMessage.Prepared(id, point, 5,
                new PieceRef(rank, "rank-" + rank + ".piece", 100, 7)));
    }

    @Test
    void shouldPlaceTheCheckpointAfterTheFurthestRankWhenTheIntervalHasPassed() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(3, PolicySettings.of("coordinated", Duration.ofSeconds(10), 0));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(9 * SECOND);
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        c.onTick(10 * SECOND);
        assertEquals(BlockingCoordinator.State.POLLING, c.state());
        assertEquals(List.of("0:Request[id=1]", "1:Request[id=1]", "2:Request[id=1]"), s.sent);
        c.onRankMessage(1, position(1, 40));
        c.onRankMessage(0, position(1, 42));
        assertEquals(BlockingCoordinator.State.POLLING, c.state(), "rank 2 has not answered");
        c.onRankMessage(2, position(1, 41));
        assertEquals(BlockingCoordinator.State.ALIGNED, c.state());
        assertEquals(List.of("0:At[id=1, point=43]", "1:At[id=1, point=43]", "2:At[id=1, point=43]"),
                s.sent.subList(3, 6));
        c.onRankMessage(2, prepared(1, 43, 2));
        c.onRankMessage(0, prepared(1, 43, 0));
        assertTrue(s.committed.isEmpty(), "phase two waits for every rank");
        c.onRankMessage(1, prepared(1, 43, 1));
        assertEquals(1, s.committed.size());
        assertEquals(List.of(0, 1, 2), s.committed.get(0).pieces().stream().map(PieceRef::rank).toList());
        assertEquals(43L, s.committedPoints.get(0));
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        c.onTick(11 * SECOND); // the interval restarts at the first tick after the commit
        c.onTick(20 * SECOND);
        assertEquals(BlockingCoordinator.State.IDLE, c.state());
        c.onTick(21 * SECOND);
        assertEquals(BlockingCoordinator.State.POLLING, c.state());
        assertTrue(s.sent.get(s.sent.size() - 1).endsWith("Request[id=2]"), s.sent.toString());
    }

    @Test
    void shouldEndTheJobNamingTheRanksWhenSomeWaitAtTheCheckpointLongerThanTheTimeout() {
        PolicySettings settings = new PolicySettings("coordinated", null, 4, 2, Duration.ofSeconds(30));
        FakeCoordinatorServices s = new FakeCoordinatorServices(3, settings);
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onRankMessage(0, BlockingMessage.encode(new BlockingMessage.Frozen(1, 4)));
        c.onRankMessage(2, BlockingMessage.encode(new BlockingMessage.Frozen(1, 4)));
        c.onTick(29 * SECOND);
        assertTrue(s.failed.isEmpty(), "rank 1 may only be slow");
        c.onTick(30 * SECOND);
        assertEquals(1, s.failed.size());
        assertTrue(s.failed.get(0).startsWith("checkpoint 1: rank(s) 0, 2 have waited 30 s at safe point 4 for "
                + "rank(s) 1, which have not reached it."), s.failed.get(0));
    }

    @Test
    void shouldNotComplainWhenEveryRankReachesTheCheckpointInTime() {
        PolicySettings settings = new PolicySettings("coordinated", null, 4, 2, Duration.ofSeconds(30));
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, settings);
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onRankMessage(0, BlockingMessage.encode(new BlockingMessage.Frozen(1, 4)));
        c.onTick(20 * SECOND);
        c.onRankMessage(1, BlockingMessage.encode(new BlockingMessage.Frozen(1, 4)));
        c.onTick(100 * SECOND);
        assertTrue(s.failed.isEmpty(), s.failed.toString());
    }

    @Test
    void shouldAbandonWhenARankFinishesBeforeReachingThePlacedCheckpoint() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, PolicySettings.of("coordinated", Duration.ofSeconds(1), 0));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onTick(0);
        c.onTick(SECOND);
        c.onRankMessage(0, position(1, 7));
        c.onRankMessage(1, position(1, 9));
        c.onRankMessage(0, prepared(1, 10, 0));
        c.onRankFinished(1);
        assertEquals(BlockingCoordinator.State.DONE, c.state());
        assertEquals("0:Abandon[id=1]", s.sent.get(s.sent.size() - 2));
        assertTrue(s.committed.isEmpty());
        assertTrue(s.logged.get(0).contains("checkpoint 1 abandoned: rank 1 finished before reaching it"), s.logged.toString());
        c.onTick(100 * SECOND);
        assertEquals(BlockingCoordinator.State.DONE, c.state(), "no checkpoint can complete once a rank finished");
    }

    @Test
    void shouldCommitCheckpointsInIdOrderWhenRanksPrepareThemAtEveryNthPoint() {
        FakeCoordinatorServices s = new FakeCoordinatorServices(2, PolicySettings.of("coordinated", null, 5));
        BlockingCoordinator c = new BlockingCoordinator(s);
        c.onRankMessage(0, prepared(1, 5, 0));
        c.onRankMessage(0, prepared(2, 10, 0));
        c.onRankMessage(1, prepared(1, 5, 1));
        c.onRankFinished(0); // rank 0 prepared both; finishing does not cancel them
        c.onRankMessage(1, prepared(2, 10, 1));
        assertEquals(List.of(1L, 2L), s.committed.stream().map(m -> m.id().value()).toList());
        assertEquals(List.of("0:Committed[id=1]", "1:Committed[id=1]", "0:Committed[id=2]", "1:Committed[id=2]"), s.sent,
                "no placement messages with --every, only the commits that release the ranks");
    }

    /** Records what a rank's policy asks of the runtime; {@code await} fails unless the condition already holds. */
    static final class FakeRankServices extends ScriptedRankServices {
        final List<String> calls = new ArrayList<>();
        long now;
        Runnable duringAwait = () -> { };
        BlockingRank policy;
        long prepared;

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
        public RankImage capture(CheckpointId id, long point) {
            calls.add("capture " + id + "@" + point);
            return new RankImage(1, 2, id.value(), point, 4, 0, List.of(), new byte[0],
                    new byte[0], java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }

        @Override
        public PieceRef writePiece(CheckpointId id, RankImage image) {
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
    }

    private static byte[] control(BlockingMessage m) {
        return BlockingMessage.encode(m);
    }

    @Test
    void shouldReportItsPositionThenTakeTheCheckpointAtThePlacedPoint() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", Duration.ofSeconds(1), 0));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        r.atPoint(1);
        assertTrue(s.calls.isEmpty(), "nothing happens at a safe point while no checkpoint is requested");
        r.onControl(control(new BlockingMessage.Request(1)));
        r.atPoint(2);
        assertEquals(List.of("send Position[id=1, point=2]"), s.calls);
        assertEquals(BlockingRank.State.REPORTED, r.state());
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.At(1, 4)));
        r.atPoint(3); // K unknown yet: waits here until the coordinator places it (at 4)
        assertEquals(BlockingRank.State.ARMED, r.state());
        s.calls.clear();
        r.atPoint(4);
        assertEquals(List.of("send Frozen[id=1, point=4]", "flush 1/0", "capture 1@4", "flush 1/1", "about to write 1",
                "write 1",
                "send Prepared[id=1, point=4, blockedNanos=7, piece=PieceRef[rank=1, fileName=rank-00001.piece, "
                        + "size=95, crc32c=0]]", "await safe point 4, waiting for checkpoint 1 to be committed"), s.calls);
        assertEquals(BlockingRank.State.RUNNING, r.state());
    }

    @Test
    void shouldStopWaitingAndContinueWhenTheCheckpointIsAbandoned() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", Duration.ofSeconds(1), 0));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        r.onControl(control(new BlockingMessage.Request(1)));
        r.atPoint(5);
        s.duringAwait = () -> r.onControl(control(new BlockingMessage.Abandon(1)));
        r.atPoint(6);
        assertEquals(BlockingRank.State.RUNNING, r.state());
        assertTrue(s.calls.stream().noneMatch(c -> c.startsWith("flush")), s.calls.toString());
    }

    @Test
    void shouldCheckpointAtEveryNthPointWithoutTheCoordinatorWhenGivenEvery() {
        FakeRankServices s = new FakeRankServices(PolicySettings.of("coordinated", null, 3));
        BlockingRank r = new BlockingRank(s);
        s.policy = r;
        for (long p = 1; p <= 7; p++) {
            r.atPoint(p);
        }
        assertEquals(List.of("capture 1@3", "capture 2@6"),
                s.calls.stream().filter(c -> c.startsWith("capture")).toList());
    }

    @Test
    void shouldRefuseAMessageMeantForTheCoordinatorWhenARankGetsIt() {
        BlockingRank r = new BlockingRank(new FakeRankServices(PolicySettings.of("coordinated", null, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.onControl(control(new BlockingMessage.Position(1, 2))));
        assertTrue(e.getMessage().contains("a rank does not accept Position"), e.getMessage());
    }
}
