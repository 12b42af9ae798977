package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.PeerFailedException;
import io.snapline.runtime.engine.Ranks;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpFailureTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);

    @Test
    void shouldFailPendingOperationsNamingTheRankWhenPeerConnectionClosesAbruptly() throws Exception {
        try (TcpCluster c = TcpCluster.start(3)) {
            Communicator w0 = c.world(0);
            Communicator w1 = c.world(1);
            Communicator w2 = c.world(2);
            // rank 1 sends one eager message before it dies: it has arrived whole and stays receivable
            w1.endpoint().await(w1.isend(SendMode.STANDARD, new int[] {41}, 0, 1, INT, 0, 7));
            TcpCluster.awaitTrue(() -> c.mailboxes[0].unexpectedCount() == 1, "the eager message from rank 1 to arrive");

            Request fromOne = w0.irecv(new int[1], 0, 1, INT, 1, 0);
            Request fromAny = w0.irecv(new int[1], 0, 1, INT, Ranks.ANY_SOURCE, 3);
            // larger than the eager window: announced by RTS (not pushed), so it waits for rank 1's CTS
            int large = (int) (TcpConfig.DEFAULT_EAGER_WINDOW / 4 + 1);
            Request toOne = w0.isend(SendMode.STANDARD, new int[large], 0, large, INT, 1, 0);
            Request ssendToOne = w0.isend(SendMode.SYNCHRONOUS, new int[1], 0, 1, INT, 1, 0);
            c.devices[1].terminate();

            for (Request r : new Request[] {fromOne, toOne, ssendToOne}) {
                PeerFailedException e = assertThrows(PeerFailedException.class, () -> w0.endpoint().await(r));
                assertEquals(1, e.rank());
                assertTrue(e.getMessage().startsWith("rank 1 has failed"), e.getMessage());
            }
            TcpCluster.awaitTrue(() -> !c.failures[2].isEmpty(), "rank 2 to notice");
            assertTrue(c.failures[0].get(0).startsWith("1: "), c.failures[0].toString());
            assertEquals(1, c.failures[0].size(), "a failure is reported once");
            assertFalse(fromAny.isComplete(), "an ANY_SOURCE receive can still be satisfied by rank 2");

            w2.endpoint().await(w2.isend(SendMode.STANDARD, new int[] {2}, 0, 1, INT, 0, 3));
            w0.endpoint().await(fromAny);
            assertEquals(2, fromAny.statusSource());

            int[] early = new int[1];
            w0.endpoint().await(w0.irecv(early, 0, 1, INT, 1, 7));
            assertEquals(41, early[0], "a message rank 1 sent before failing is still delivered");
            Request later = w0.irecv(new int[1], 0, 1, INT, 1, 7);
            assertTrue(later.isComplete(), "a receive from a failed rank must fail at once");
            assertThrows(PeerFailedException.class, () -> w0.endpoint().await(later));
            EngineException e = assertThrows(EngineException.class,
                    () -> w0.isend(SendMode.STANDARD, new int[1], 0, 1, INT, 1, 0));
            assertTrue(e.getMessage().contains("rank 1 has failed"), e.getMessage());
            assertThrows(PeerFailedException.class, () -> w0.endpoint().probe(1, 99, w0.context()),
                    "a blocking probe for a failed rank must not hang");
        }
    }

    @Test
    void shouldRefuseAndLogConnectionWhenJobTokenIsWrong() throws Exception {
        ServerSocketChannel[] listeners = TcpCluster.listeners(2);
        List<java.net.InetSocketAddress> peers = TcpCluster.addresses(listeners);
        PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        TcpDevice[] devices = new TcpDevice[2];
        try {
            io.snapline.runtime.engine.Mailbox box1 = new io.snapline.runtime.engine.Mailbox();
            CompletableFuture<TcpDevice> rank1 = CompletableFuture.supplyAsync(() -> TcpDevice.start(
                    new TcpConfig(1, 2, TcpCluster.TOKEN, listeners[1], peers, Duration.ofSeconds(10)), box1,
                    (r, why) -> { }));
            try (SocketChannel intruder = SocketChannel.open(peers.get(1))) {
                ByteBuffer hello = TcpDescriptor.hello(0, 2, "not-the-token".getBytes(StandardCharsets.UTF_8));
                while (hello.hasRemaining()) {
                    intruder.write(hello);
                }
                intruder.socket().setSoTimeout(10_000);
                assertEquals(-1, intruder.socket().getInputStream().read(), "the intruder must be disconnected");
            }
            io.snapline.runtime.engine.Mailbox box0 = new io.snapline.runtime.engine.Mailbox();
            devices[0] = TcpDevice.start(new TcpConfig(0, 2, TcpCluster.TOKEN, listeners[0], peers,
                    Duration.ofSeconds(10)), box0, (r, why) -> { });
            devices[1] = rank1.get(20, TimeUnit.SECONDS);
            assertEquals(0, box1.unexpectedCount(), "nothing from the intruder may be delivered");

            io.snapline.runtime.engine.Endpoint e0 = new io.snapline.runtime.engine.Endpoint(0, devices[0], box0,
                    new io.snapline.runtime.engine.JobState(2));
            io.snapline.runtime.engine.Endpoint e1 = new io.snapline.runtime.engine.Endpoint(1, devices[1], box1,
                    new io.snapline.runtime.engine.JobState(2));
            e0.await(Communicator.world(e0).isend(SendMode.STANDARD, new int[] {5}, 0, 1, INT, 1, 0));
            int[] got = new int[1];
            e1.await(Communicator.world(e1).irecv(got, 0, 1, INT, 0, 0));
            assertEquals(5, got[0], "the real ranks still connect");
        } finally {
            System.setErr(savedErr);
            for (TcpDevice d : devices) {
                if (d != null) {
                    CompletableFuture.runAsync(d::close);
                }
            }
        }
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("rank 1 refused a connection from") && log.contains("wrong job token"), log);
    }

    @Test
    void shouldFailStartWithMessageWhenPeerNeverConnects() throws Exception {
        ServerSocketChannel[] listeners = TcpCluster.listeners(2);
        List<java.net.InetSocketAddress> peers = TcpCluster.addresses(listeners);
        listeners[1].close();
        io.snapline.runtime.device.DeviceException e = assertThrows(io.snapline.runtime.device.DeviceException.class,
                () -> TcpDevice.start(new TcpConfig(0, 2, TcpCluster.TOKEN, listeners[0], peers,
                        Duration.ofMillis(500)), new io.snapline.runtime.engine.Mailbox(), (r, why) -> { }));
        assertTrue(e.getMessage().startsWith("rank 0 could not connect to rank 1 at "), e.getMessage());
    }

}
