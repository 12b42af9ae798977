package io.snapline.benchmarks.raw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A ping-pong with the structure of a {@code tcp} wait for a message from a named rank, but no Snapline code: one
 * thread per process writes on a non-blocking channel and then reads it itself, polling (a {@code read} that may
 * return nothing, then a {@link Thread#yield()}) for up to 100 µs before it sleeps in a {@link Selector} until the
 * socket is readable. The difference to {@link NioPeer}'s blocking loop is what polling saves or costs on this
 * machine: a reply that arrives while the reader is still on its core needs no wake-up.
 */
final class PollingPingPong implements NioPeer.PingPongLoop {
    private static final long POLL_NANOS = 100_000;

    private final SocketChannel ch;
    private final ByteBuffer buf;
    private final Selector selector;

    PollingPingPong(SocketChannel ch, int size) throws IOException {
        this.ch = ch;
        this.buf = ByteBuffer.allocateDirect(size);
        ch.configureBlocking(false);
        this.selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
    }

    @Override
    public ByteBuffer buffer() {
        return buf;
    }

    @Override
    public void send() throws IOException {
        buf.clear();
        NioPeer.writeFully(ch, buf); // a few bytes: the socket always takes them at once
    }

    @Override
    public void await() throws IOException {
        buf.clear();
        long start = System.nanoTime();
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                throw new IOException("the other side closed the connection");
            }
            if (n > 0 || !buf.hasRemaining()) {
                continue;
            }
            if (System.nanoTime() - start < POLL_NANOS) {
                Thread.yield();
            } else {
                selector.select();
                selector.selectedKeys().clear();
            }
        }
    }

    @Override
    public void stop() {
        try {
            selector.close();
        } catch (IOException e) {
            // closing on the way out
        }
    }
}
