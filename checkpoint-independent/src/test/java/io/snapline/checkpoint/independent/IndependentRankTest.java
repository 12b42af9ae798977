package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.runtime.checkpoint.Cut;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.testing.ScriptedRankServices;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rank half of {@code independent} against a scripted runtime: when it checkpoints, and when it must not. */
@Timeout(10)
class IndependentRankTest {
    private FakeServices services = new FakeServices();

    @AfterEach
    void stopWriter() {
        services.writer.shutdownNow();
    }

    @Test
    void shouldCheckpointAtEveryDueSafePoint() {
        IndependentRank rank = new IndependentRank(services);
        rank.atPoint(1);
        rank.atPoint(2);
        rank.finish();

        assertEquals(List.of("capture 1@1", "write 1", "capture 2@2", "write 2"), services.calls);
        assertEquals(2, services.reports.size());
        assertEquals(1, LocalReport.decode(services.reports.get(0)).index());
        assertEquals(2, LocalReport.decode(services.reports.get(1)).point());
    }

    @Test
    void shouldStopWithACheckpointAtTheFirstSafePointAfterTheStopOrder() {
        IndependentRank rank = new IndependentRank(services);
        rank.atPoint(1);
        rank.onControl(LocalReport.stop());

        assertThrows(Stopped.class, () -> rank.atPoint(2));

        assertEquals(List.of("capture 1@1", "write 1", "capture 2@2", "write 2", "await stopped at safe point 2 for "
                + "the restart"), services.calls);
        assertArrayEquals(new long[] {2, 2}, LocalReport.stoppedAt(services.reports.get(2)));
    }

    @Test
    void shouldNotCheckpointAfterAnOperationWithADeadRankFailedEvenBeforeTheStopOrderArrives() {
        // On tcp the broken connection can tell the rank of the death before the launcher's stop order reaches it:
        // the rank caught the exception and went on, so its state at the next safe point depends on the failure.
        IndependentRank rank = new IndependentRank(services);
        rank.atPoint(1);
        services.peerFailure = true;

        assertThrows(Stopped.class, () -> rank.atPoint(2));

        assertEquals(List.of("capture 1@1", "write 1", "await stopped at safe point 2 for the restart"),
                services.calls);
        assertEquals(2, services.reports.size(), "the first checkpoint's report, then the stop");
        assertArrayEquals(new long[] {2, 0}, LocalReport.stoppedAt(services.reports.get(1)), "stopped without one");
    }

    @Test
    void shouldSkipACheckpointDueWhileThePreviousIsStillBeingWrittenUnderAsync() throws Exception {
        services.writer.shutdownNow();
        services = new FakeServices(new PolicySettings("independent", null, 2, PolicySettings.DEFAULT_STALL_TIMEOUT,
                java.util.Map.of("--every", "1"), null, io.snapline.runtime.checkpoint.Compression.NONE, false,
                true));
        services.gate = new java.util.concurrent.CountDownLatch(1); // the first write stays in flight
        IndependentRank rank = new IndependentRank(services);
        rank.atPoint(1);
        rank.atPoint(2);
        assertEquals(List.of("capture 1@1"), services.calls, "nothing captured while the write is in flight");
        assertEquals(List.of(new io.snapline.runtime.checkpoint.CheckpointDeferred(true, 2, 1, true, 0)),
                services.deferred);

        services.gate.countDown();
        services.writer.submit(() -> { }).get(); // the writer is idle: the first write is durable
        rank.atPoint(3);
        rank.finish();
        assertEquals(List.of("capture 1@1", "write 1", "capture 2@3", "write 2"), services.calls,
                "the skipped checkpoint takes no number: the next one is local checkpoint 2");
        assertEquals(1, services.deferred.size());
    }

    /** What the runtime's await throws when the stopped rank is ended. */
    static final class Stopped extends RuntimeException {
        Stopped(String what) {
            super(what);
        }
    }

    static final class FakeServices extends ScriptedRankServices {
        final List<String> calls = new ArrayList<>();
        final List<byte[]> reports = new ArrayList<>();
        final ExecutorService writer = Executors.newSingleThreadExecutor();
        volatile boolean peerFailure;
        /** Each write waits for it (open unless a test closes it). */
        volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);
        final List<io.snapline.runtime.checkpoint.CheckpointDeferred> deferred = new ArrayList<>();

        FakeServices() {
            this(PolicySettings.of("independent", null, java.util.Map.of("--every", "1")));
        }

        FakeServices(PolicySettings settings) {
            super(settings);
        }

        @Override
        public void deferred(io.snapline.runtime.checkpoint.CheckpointDeferred d) {
            deferred.add(d);
        }

        @Override
        public synchronized void toCoordinator(byte[] message) {
            reports.add(message);
        }

        @Override
        public synchronized RankImage capture(long point, Cut cut) {
            // Only what the program has received counts: unreceived messages are left in the mailbox.
            calls.add("capture " + cut.fixedId().value() + "@" + point
                    + (cut.savesUnreceived() ? " saving unreceived" : ""));
            CheckpointId id = cut.decide();
            return new RankImage(1, 2, id.value(), point, 4, 0, List.of(), new byte[0], new byte[0],
                    ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }

        @Override
        public boolean sawPeerFailure() {
            return peerFailure;
        }

        @Override
        public PieceRef writeLocal(long index, RankImage image) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            synchronized (this) {
                calls.add("write " + index);
            }
            return new PieceRef(1, "rank-00001.local", 36 + image.encode().length, 0);
        }

        @Override
        public ExecutorService writer() {
            return writer;
        }

        @Override
        public void await(BooleanSupplier condition, String what) {
            while (!condition.getAsBoolean()) {
                if (what.startsWith("stopped")) {
                    synchronized (this) {
                        calls.add("await " + what);
                    }
                    throw new Stopped(what);
                }
                Thread.onSpinWait();
            }
        }
    }
}
