package io.snapline.benchmarks.raw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * A ping-pong with the thread structure of the {@code tcp} device but no Snapline code: a reader thread waits in a
 * {@link Selector}, reads into a heap buffer, copies each complete message into the main thread's buffer and
 * publishes it through a volatile counter (unparking the main thread if it sleeps); the main thread writes on the
 * non-blocking channel itself and waits as {@code Endpoint} does on tcp: spin 10 µs when the four threads of the two
 * processes can each own a core (not on 2 CPUs), yield until 100 µs, then park. The
 * difference to {@link NioPeer}'s blocking loop is the cost of that structure (selector wake-up and hand-off).
 */
final class HandoffPingPong implements NioPeer.PingPongLoop {
    private static final long SPIN_NANOS = Runtime.getRuntime().availableProcessors() >= 4 ? 10_000 : 0;
    private static final long YIELD_NANOS = 100_000;

    private final SocketChannel ch;
    private final int size;
    private final ByteBuffer out;
    private final ByteBuffer delivered;
    private final Selector selector;
    private final Thread reader;
    private volatile long arrivals;
    private volatile Thread waiter;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long consumed;

    HandoffPingPong(SocketChannel ch, int size) throws IOException {
        this.ch = ch;
        this.size = size;
        this.out = ByteBuffer.allocate(size);
        this.delivered = ByteBuffer.allocate(size);
        ch.configureBlocking(false);
        this.selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
        this.reader = new Thread(this::read, "nio-reader");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public ByteBuffer buffer() {
        return delivered;
    }

    @Override
    public void send() throws IOException {
        out.clear();
        out.put(0, delivered.get(0));
        NioPeer.writeFully(ch, out);
    }

    @Override
    public void await() throws IOException {
        long target = consumed + 1;
        long start = System.nanoTime();
        while (arrivals < target) {
            long elapsed = System.nanoTime() - start;
            if (elapsed < SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (elapsed < YIELD_NANOS) {
                Thread.yield();
            } else {
                waiter = Thread.currentThread();
                if (arrivals < target) {
                    LockSupport.parkNanos(this, 20_000_000L);
                }
                waiter = null;
            }
            if (failure != null) {
                throw new IOException("reader failed: " + failure, failure);
            }
        }
        consumed = target;
    }

    private void read() {
        ByteBuffer in = ByteBuffer.allocate(Math.max(64 << 10, 2 * size));
        try {
            while (running) {
                selector.select(100);
                selector.selectedKeys().clear();
                if (ch.read(in) < 0) {
                    return;
                }
                in.flip();
                while (in.remaining() >= size) {
                    in.get(delivered.array(), 0, size);
                    arrivals++;
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
                in.compact();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                failure = e;
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        selector.wakeup();
    }
}
