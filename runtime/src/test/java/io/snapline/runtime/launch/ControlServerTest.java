package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launcher's end of the control connections, over real loopback connections, with a recording handler. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ControlServerTest {
    private static final InetSocketAddress DATA = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_001);

    private final byte[] token = new byte[32];
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private volatile boolean admitRank1 = true;
    private ControlServer server;
    private InetSocketAddress address;

    @BeforeEach
    void open() throws IOException {
        token[3] = 7;
        server = new ControlServer(2, token, new PrintStream(errBytes, true, StandardCharsets.UTF_8), timer,
                new ControlServer.Handler() {
                    @Override
                    public boolean admits(int rank) {
                        return rank != 1 || admitRank1;
                    }

                    @Override
                    public void joined(int rank, ControlChannel ch) {
                        seen.add("joined " + rank);
                    }

                    @Override
                    public void message(int rank, ControlMessage m, ControlChannel from) {
                        seen.add(rank + ": " + m.getClass().getSimpleName());
                    }

                    @Override
                    public void closed(int rank, ControlChannel ch) {
                        seen.add("closed " + rank);
                    }
                });
        address = server.open(java.net.InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() {
        server.close();
        timer.shutdownNow();
    }

    private ControlChannel connect(int rank, byte[] withToken) throws IOException {
        ControlChannel ch = new ControlChannel(SocketChannel.open(address));
        ch.send(new ControlMessage.Hello(withToken, rank, DATA));
        return ch;
    }

    private String next() throws InterruptedException {
        String s = seen.poll(10, TimeUnit.SECONDS);
        assertTrue(s != null, "the handler heard nothing more; err: " + errBytes.toString(StandardCharsets.UTF_8));
        return s;
    }

    @Test
    void shouldHandARanksMessagesToTheHandlerInOrderWhenItPresentsTheToken() throws Exception {
        ControlChannel rank0 = connect(0, token);
        rank0.send(new ControlMessage.Ready());
        rank0.send(new ControlMessage.Finished());
        assertEquals("joined 0", next());
        assertEquals("0: Ready", next());
        assertEquals("0: Finished", next());
        rank0.close();
        assertEquals("closed 0", next());
        assertEquals(DATA, server.table(r -> false).get(0));
    }

    @Test
    void shouldRefuseAConnectionWithoutTheTokenOrForARankThatMayNotJoin() throws Exception {
        ControlChannel stranger = connect(0, new byte[32]);
        assertNull(stranger.receive(ControlChannel.MAX_FRAME), "the connection is closed");
        admitRank1 = false;
        ControlChannel early = connect(1, token);
        assertNull(early.receive(ControlChannel.MAX_FRAME), "the connection is closed");
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("it did not present the job's token"), err);
        assertTrue(err.contains("rank 1 is not a rank of this job or has already joined"), err);
        assertTrue(seen.isEmpty(), "the handler heard of neither: " + seen);
    }

    @Test
    void shouldSendWhatWasHeldForARankAfterItsGreetingOnceItsNextProcessJoins() throws Exception {
        server.hold(1);
        server.send(1, new ControlMessage.Policy(new byte[] {1}));
        server.sendIfJoined(1, new ControlMessage.Heartbeat()); // not held: nobody to send it to
        ControlChannel rank1 = connect(1, token);
        assertEquals("joined 1", next());
        server.greet(1, server.channel(1), List.of(new ControlMessage.Leave()));
        assertEquals(new ControlMessage.Leave(), rank1.receive(ControlChannel.MAX_FRAME));
        ControlMessage held = rank1.receive(ControlChannel.MAX_FRAME);
        assertTrue(held instanceof ControlMessage.Policy p && p.message()[0] == 1, String.valueOf(held));
        server.send(1, new ControlMessage.Stop("the job was aborted"));
        assertEquals(new ControlMessage.Stop("the job was aborted"), rank1.receive(ControlChannel.MAX_FRAME),
                "nothing is held once it has joined");
    }
}
