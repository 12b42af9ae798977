package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.CheckpointDeferred;
import io.snapline.runtime.checkpoint.PieceWritten;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.launch.ControlChannel;
import io.snapline.runtime.launch.ControlMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                new ControlMessage.PeerUnreachable(4, "its connection broke: Connection reset"),
                new ControlMessage.Stop("the job was aborted"),
                new ControlMessage.Progress(0, 0, ""),
                new ControlMessage.Progress(41, 5L << 33, "Recv(source world rank 1, tag 9, context 0)"));
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
    void shouldCarryCheckpointMessagesUnchangedWhenSentInOrder() throws IOException {
        Manifest manifest = new Manifest(CheckpointId.of(7), 2, List.of(new PieceRef(0, "rank-0.piece", 100, -5),
                new PieceRef(1, "rank-1.piece", 4096, 0x7abc)));
        List<ControlMessage> sent = List.of(
                new ControlMessage.CheckpointSetup(new PolicySettings("coordinated", Duration.ofMillis(250), 3,
                        Duration.ofSeconds(9), Map.of(), null, io.snapline.runtime.checkpoint.Compression.ZSTD),
                        "/tmp/store ä", new JobFingerprint(2, "demo.Main",
                        List.of("20", "", "a b ü"), "sha256:" + "c0".repeat(32), "coordinated", "logging=none", 2), 9,
                        RestoreFrom.global(manifest, 1), 12, 0, 0, false),
                new ControlMessage.CheckpointSetup(PolicySettings.of("none", null, Map.of()), null, null, 1, null, 0, 4,
                        0, false),
                new ControlMessage.CheckpointSetup(new PolicySettings("independent", null, 2, Duration.ofSeconds(3),
                        new LinkedHashMap<>(Map.of("--every", "40", "--logging", "none ü"))), "/s", null, 1, RestoreFrom.local(9), 0, 0, 3, true),
                new ControlMessage.CheckpointSetup(new PolicySettings("independent", null, 2, Duration.ofSeconds(3),
                        Map.of(), new io.snapline.runtime.checkpoint.Interval.Auto(
                                io.snapline.runtime.checkpoint.Interval.Formula.WONG_FRANKLIN, Duration.ofHours(6),
                                0.3)), "/s", null, 1, null, 0, 0, 0, false),
                new ControlMessage.CheckpointSetup(new PolicySettings("coordinated", null, 2, Duration.ofSeconds(3),
                        Map.of(), null, io.snapline.runtime.checkpoint.Compression.NONE, true), "/s", null, 1, null, 0,
                        0, 0, false),
                new ControlMessage.CheckpointSetup(new PolicySettings("coordinated", null, 2, Duration.ofSeconds(3),
                        Map.of(), null, io.snapline.runtime.checkpoint.Compression.LZ4, false, true), "/s", null, 1,
                        null, 0, 0, 0, false),
                new ControlMessage.CheckpointDeferred(new CheckpointDeferred(true, 40, 3, true, 0)),
                new ControlMessage.CheckpointDeferred(new CheckpointDeferred(false, 41, 7, false, 2_500_000L)),
                new ControlMessage.Ready(),
                new ControlMessage.Leaving(),
                new ControlMessage.Leave(),
                new ControlMessage.CannotRestartAlone("its setup code waited on a wildcard receive"),
                new ControlMessage.Restored(7, 21, 1_234_567_890_123L),
                new ControlMessage.PieceWritten(new PieceWritten(false, 7, 4096, 65_536, 3_000_000L, true)),
                new ControlMessage.PieceWritten(new PieceWritten(true, 12, 100, 100, 0, false)),
                new ControlMessage.PieceWritten(new PieceWritten(true, 13, 150, 9_000, 0, true, 8_000)),
                new ControlMessage.ReplicaWritten(9, 4_096, 0xCAFE_F00D),
                new ControlMessage.PieceRead(9, ""),
                new ControlMessage.PieceRead(10, "/srv/ck/ckpt-10/rank-0001.piece: CRC32C mismatch"),
                new ControlMessage.ReplicaFailed("writing rank 1's piece of checkpoint 4 to the replica failed (x)"),
                new ControlMessage.Finalizing(),
                new ControlMessage.KillRequest(true, "injected failure at safe point 12"),
                new ControlMessage.KillRequest(false, "injected failure while writing checkpoint 4"),
                new ControlMessage.Crashed("rank 1 failed with an uncaught exception:\njava.lang.OutOfMemoryError"));
        for (ControlMessage m : sent) {
            a.send(m);
        }
        byte[] policy = {1, 0, -1, 42};
        a.send(new ControlMessage.Policy(policy));
        a.send(new ControlMessage.Policy(new byte[0]));
        for (ControlMessage m : sent) {
            assertEquals(m, b.receive(ControlChannel.MAX_FRAME));
        }
        assertArrayEquals(policy, ((ControlMessage.Policy) b.receive(ControlChannel.MAX_FRAME)).message());
        assertArrayEquals(new byte[0], ((ControlMessage.Policy) b.receive(ControlChannel.MAX_FRAME)).message());
    }

    @Test
    void shouldRejectSetupWhenItsRestoreKindIsUnknown() throws IOException {
        // type, policy "x", interval -1, retain 1, stall 1 ns, one option "n"="", no auto, no compression, not
        // incremental, not async, no store, restore kind 7
        ByteBuffer f = ByteBuffer.allocate(4 + 1 + 5 + 8 + 4 + 8 + 4 + 5 + 4 + 1 + 1 + 1 + 1 + 1 + 1 + 8 + 8);
        f.putInt(f.capacity() - 4).put(ControlMessage.CHECKPOINT_SETUP).putInt(1).put((byte) 'x').putLong(-1)
                .putInt(1).putLong(1).putInt(1).putInt(1).put((byte) 'n').putInt(0).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 7)
                .putLong(0).putLong(0).flip();
        client.write(f);
        IOException e = assertThrows(IOException.class, () -> b.receive(ControlChannel.MAX_FRAME));
        assertEquals("unknown restore kind 7", e.getMessage());
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
