package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.ControlChannel;
import io.snapline.runtime.launch.ControlMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The control channel's framing over a real loopback connection. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControlChannelTest {
    private ServerSocketChannel server;
    private SocketChannel client;
    private ControlChannel a;
    private ControlChannel b;

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(server.getLocalAddress());
        a = new ControlChannel(client);
        b = new ControlChannel(server.accept());
    }

    @AfterEach
    void close() throws IOException {
        a.close();
        b.close();
        server.close();
    }

    @Test
    void shouldCarryEveryMessageUnchangedWhenSentInOrder() throws IOException {
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40123);
        byte[] token = new byte[32];
        token[5] = 9;
        List<ControlMessage> sent = List.of(
                new ControlMessage.Table(List.of(addr, new InetSocketAddress(InetAddress.getLoopbackAddress(), 1))),
                new ControlMessage.Heartbeat(), new ControlMessage.Finished(),
                new ControlMessage.Failed("rank 2 failed with an uncaught exception:\nä ünïcode"),
                new ControlMessage.Abort(-7, "rank 1 called Abort(-7)"),
                new ControlMessage.PeerDied(3, "its process was killed by signal 9 (SIGKILL)"),
                new ControlMessage.Stop("the job was aborted"));
        a.send(new ControlMessage.Hello(token, 4, addr));
        for (ControlMessage m : sent) {
            a.send(m);
        }
        ControlMessage.Hello hello = (ControlMessage.Hello) b.receive(ControlChannel.MAX_HELLO_FRAME);
        assertArrayEquals(token, hello.token());
        assertEquals(4, hello.rank());
        assertEquals(addr, hello.dataAddress());
        for (ControlMessage m : sent) {
            assertEquals(m, b.receive(ControlChannel.MAX_FRAME));
        }
        a.close();
        assertNull(b.receive(ControlChannel.MAX_FRAME), "a close between frames is a clean end");
    }

    @Test
    void shouldRejectFrameLongerThanTheLimitWhenPeerIsNotAuthenticated() throws IOException {
        a.send(new ControlMessage.Failed("x".repeat(2000)));
        IOException e = assertThrows(IOException.class, () -> b.receive(ControlChannel.MAX_HELLO_FRAME));
        assertEquals("control frame of 2005 bytes (limit 1024)", e.getMessage());
    }

    @Test
    void shouldRejectUnknownType() throws IOException {
        client.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 99}));
        assertEquals("unknown control message type 99",
                assertThrows(IOException.class, () -> b.receive(ControlChannel.MAX_FRAME)).getMessage());
    }

    @Test
    void shouldRejectStrayBytesAfterMessage() throws IOException {
        client.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 2, ControlMessage.HEARTBEAT, 1}));
        assertEquals("1 stray bytes after a control message of type 3",
                assertThrows(IOException.class, () -> b.receive(ControlChannel.MAX_FRAME)).getMessage());
    }

    @Test
    void shouldFailWhenConnectionClosesInsideFrame() throws IOException {
        client.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 9, ControlMessage.STOP, 0}));
        a.close();
        IOException e = assertThrows(IOException.class, () -> b.receive(ControlChannel.MAX_FRAME));
        assertEquals("control connection closed in the middle of a frame", e.getMessage());
    }
}
