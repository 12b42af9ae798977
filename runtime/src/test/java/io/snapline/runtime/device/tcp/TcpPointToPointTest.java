package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Ranks;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.engine.collective.Collectives;
import io.snapline.runtime.engine.collective.PredefinedOps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpPointToPointTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);
    private static final TypeMap DOUBLE = TypeMap.basic(BaseType.DOUBLE);
    private static final TypeMap OBJECT = TypeMap.basic(BaseType.OBJECT);

    /** Message sizes (ints) crossing the eager limit both ways, several rendezvous chunks for the largest. */
    private static final int[] SIZES = {0, 1, 100, Endpoint.EAGER_LIMIT / 4, Endpoint.EAGER_LIMIT / 4 + 1, 50_000, 3,
        300_000, 7, Endpoint.EAGER_LIMIT / 4 - 1, 1_000_000, 2};

    private static int[] pattern(int n, int seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = seed * 1_000_003 + i * 31;
        }
        return a;
    }

    @Test
    void shouldDeliverInSendOrderWhenEagerAndRendezvousSizesAreMixed() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                List<Request> sends = new ArrayList<>();
                for (int i = 0; i < SIZES.length; i++) {
                    sends.add(world.isend(SendMode.STANDARD, pattern(SIZES[i], i), 0, SIZES[i], INT, 1, 5));
                }
                for (Request r : sends) {
                    world.endpoint().await(r);
                }
            }, world -> {
                Thread.sleep(200); // let everything arrive unexpected first
                for (int i = 0; i < SIZES.length; i++) {
                    int[] got = new int[1_000_000];
                    Request r = world.irecv(got, 0, got.length, INT, 0, 5);
                    world.endpoint().await(r);
                    assertEquals(SIZES[i], r.statusElements(), "message " + i + " arrived out of order");
                    assertArrayEquals(pattern(SIZES[i], i), java.util.Arrays.copyOf(got, SIZES[i]), "message " + i);
                }
            });
        }
    }

    @Test
    void shouldDecodeLargeMessagesIntoDerivedReceiveLayoutWhenChunksEndMidRun() throws Exception {
        int n = 210_000; // 1.7 MB of doubles: rendezvous, DATA chunks of 8192 doubles end inside runs of 3 and 7
        TypeMap sendLayout = TypeMap.vector(n / 3, 3, 5, DOUBLE);
        TypeMap recvLayout = TypeMap.vector(n / 7, 7, 9, DOUBLE);
        double[] src = new double[n / 3 * 5];
        for (int i = 0; i < src.length; i++) {
            src[i] = i % 5 >= 3 ? -1 : i;
        }
        double[] expected = new double[n / 7 * 9 + 3];
        java.util.Arrays.fill(expected, Double.NaN);
        for (int k = 0; k < n; k++) {
            expected[3 + (k / 7) * 9 + k % 7] = (k / 3) * 5 + k % 3;
        }
        for (boolean postFirst : new boolean[] {true, false}) {
            try (TcpCluster c = TcpCluster.start(2)) {
                c.run(world -> {
                    if (!postFirst) {
                        Thread.sleep(100);
                    }
                    world.endpoint().await(world.isend(SendMode.STANDARD, src, 0, 1, sendLayout, 1, 9));
                }, world -> {
                    if (postFirst) {
                        Thread.sleep(100);
                    }
                    double[] dst = new double[expected.length];
                    java.util.Arrays.fill(dst, Double.NaN);
                    Request r = world.irecv(dst, 3, 1, recvLayout, 0, 9);
                    world.endpoint().await(r);
                    assertEquals(n, r.statusElements());
                    assertArrayEquals(expected, dst, "posted first: " + postFirst);
                });
            }
        }
    }

    @Test
    void shouldCompleteSsendOnlyWhenMatchedWhenSmallOrLarge() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            java.util.concurrent.CountDownLatch posted = new java.util.concurrent.CountDownLatch(1);
            c.run(world -> {
                for (int size : new int[] {4, 100_000}) {
                    Request s = world.isend(SendMode.SYNCHRONOUS, pattern(size, size), 0, size, INT, 1, size);
                    Thread.sleep(300);
                    assertFalse(s.isComplete(), "Ssend of " + size + " ints completed before a receive matched it");
                }
                posted.countDown();
            }, world -> {
                posted.await();
                for (int size : new int[] {4, 100_000}) {
                    int[] got = new int[size];
                    world.endpoint().await(world.irecv(got, 0, size, INT, 0, size));
                    assertArrayEquals(pattern(size, size), got);
                }
            });
        }
    }

    /**
     * Asynchronous progress: once rank 1 has posted its receives it makes no runtime call at all (it sleeps), yet
     * both the small and the large (rendezvous) message arrive and rank 0's sends complete meanwhile, because the
     * progress thread matches, answers and decodes on its own.
     */
    @Test
    void shouldProgressWhileReceiverMakesNoRuntimeCalls() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            java.util.concurrent.CountDownLatch posted = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch sendsDone = new java.util.concurrent.CountDownLatch(1);
            c.run(world -> {
                posted.await();
                Request small = world.isend(SendMode.STANDARD, pattern(4, 7), 0, 4, INT, 1, 1);
                Request large = world.isend(SendMode.STANDARD, pattern(300_000, 8), 0, 300_000, INT, 1, 2);
                world.endpoint().await(small);
                world.endpoint().await(large);
                sendsDone.countDown();
            }, world -> {
                int[] a = new int[4];
                int[] b = new int[300_000];
                Request ra = world.irecv(a, 0, 4, INT, 0, 1);
                Request rb = world.irecv(b, 0, 300_000, INT, 0, 2);
                posted.countDown();
                assertTrue(sendsDone.await(20, java.util.concurrent.TimeUnit.SECONDS),
                        "the sends did not complete while the receiver made no runtime calls");
                // A send completes once its bytes are on the wire; the progress thread may still be decoding the
                // large one. Reading isComplete() is a plain volatile read, not a runtime call that drives progress.
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                while (!(ra.isComplete() && rb.isComplete()) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(ra.isComplete() && rb.isComplete(), "receives not complete without runtime calls");
                assertArrayEquals(pattern(4, 7), a);
                assertArrayEquals(pattern(300_000, 8), b);
            });
        }
    }

    @Test
    void shouldCompleteSsendWhenReceiverMatchesIt() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                for (int size : new int[] {4, 100_000}) {
                    Request s = world.isend(SendMode.SYNCHRONOUS, pattern(size, 1), 0, size, INT, 1, 0);
                    world.endpoint().await(s);
                    assertTrue(s.isComplete());
                }
            }, world -> {
                for (int size : new int[] {4, 100_000}) {
                    int[] got = new int[size];
                    world.endpoint().await(world.irecv(got, 0, size, INT, 0, 0));
                    assertArrayEquals(pattern(size, 1), got);
                }
            });
        }
    }

    @Test
    void shouldCarryObjectsWhenSmallOrLarge() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                List<Object> node = new ArrayList<>();
                node.add("cycle");
                node.add(node);
                Object[] small = {"hello", 42, node};
                Object[] large = {new int[100_000], "tail"};
                ((int[]) large[0])[99_999] = 7;
                world.endpoint().await(world.isend(SendMode.STANDARD, small, 0, 3, OBJECT, 1, 1));
                world.endpoint().await(world.isend(SendMode.STANDARD, large, 0, 2, OBJECT, 1, 2));
            }, world -> {
                Object[] small = new Object[3];
                Object[] large = new Object[2];
                Request rs = world.irecv(small, 0, 3, OBJECT, 0, 1);
                world.endpoint().await(rs);
                world.endpoint().await(world.irecv(large, 0, 2, OBJECT, 0, 2));
                assertEquals("hello", small[0]);
                assertEquals(42, small[1]);
                List<?> node = (List<?>) small[2];
                assertSame(node, node.get(1), "the cycle was not kept");
                assertEquals(7, ((int[]) large[0])[99_999]);
                assertEquals("tail", large[1]);
                assertEquals(3, rs.statusElements());
            });
        }
    }

    @Test
    void shouldMatchAnySourceFromEveryRankWhenFourRanks() throws Exception {
        try (TcpCluster c = TcpCluster.start(4)) {
            TcpCluster.Program sender = world -> {
                for (int i = 0; i < 20; i++) {
                    int size = i % 5 == 0 ? 20_000 : 3;
                    int[] data = pattern(size, world.rank() * 100 + i);
                    world.endpoint().await(world.isend(SendMode.STANDARD, data, 0, size, INT, 0, 3));
                }
            };
            c.run(world -> {
                int[] next = new int[4];
                for (int k = 0; k < 60; k++) {
                    int[] got = new int[20_000];
                    Request r = world.irecv(got, 0, got.length, INT, Ranks.ANY_SOURCE, Ranks.ANY_TAG);
                    world.endpoint().await(r);
                    int from = r.statusSource();
                    int i = next[from]++;
                    int size = i % 5 == 0 ? 20_000 : 3;
                    assertEquals(size, r.statusElements(), "message " + i + " from rank " + from);
                    assertArrayEquals(pattern(size, from * 100 + i), java.util.Arrays.copyOf(got, size));
                }
                assertArrayEquals(new int[] {0, 20, 20, 20}, next);
            }, sender, sender, sender);
        }
    }

    @Test
    void shouldReportTruncationAndReleaseSenderWhenLargeMessageDoesNotFit() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                world.endpoint().await(world.isend(SendMode.STANDARD, new int[50_000], 0, 50_000, INT, 1, 0));
                world.endpoint().await(world.isend(SendMode.STANDARD, pattern(5, 5), 0, 5, INT, 1, 0));
            }, world -> {
                Request r = world.irecv(new int[10], 0, 10, INT, 0, 0);
                EngineException e = assertThrows(EngineException.class, () -> world.endpoint().await(r));
                assertTrue(e.getMessage().contains("message truncated"), e.getMessage());
                int[] got = new int[5];
                world.endpoint().await(world.irecv(got, 0, 5, INT, 0, 0));
                assertArrayEquals(pattern(5, 5), got);
            });
        }
    }

    @Test
    void shouldAllreduceOverThreeTcpRanks() throws Exception {
        try (TcpCluster c = TcpCluster.start(3)) {
            c.runAll(world -> {
                long[] mine = new long[5000];
                for (int i = 0; i < mine.length; i++) {
                    mine[i] = (long) (world.rank() + 1) * i;
                }
                long[] sum = new long[mine.length];
                Collectives.allreduce(world, mine, 0, sum, 0, mine.length, TypeMap.basic(BaseType.LONG), PredefinedOps.SUM);
                for (int i = 0; i < sum.length; i++) {
                    assertEquals(6L * i, sum[i], "element " + i);
                }
                Collectives.barrier(world);
            });
        }
    }

    @Test
    void shouldDeliverSelfAddressedMessagesWhenOverTcp() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.runAll(world -> {
                int[] got = new int[100_000];
                Request r = world.irecv(got, 0, got.length, INT, world.rank(), 0);
                world.endpoint().await(world.isend(SendMode.STANDARD, pattern(100_000, 9), 0, 100_000, INT,
                        world.rank(), 0));
                world.endpoint().await(r);
                assertArrayEquals(pattern(100_000, 9), got);
            });
        }
    }
}
