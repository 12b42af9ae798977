package io.snapline.runtime.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntPredicate;

/**
 * The launcher's end of the control connections of one {@code tcp} attempt: listens on one address (loopback unless
 * the ranks run on a cluster's agents), admits a rank process that presents the job's token in its hello
 * ({@link ControlMessage.Hello}), keeps each rank's current connection and data-plane address (the table every rank
 * gets is how ranks find each other, on one host or on a cluster), reads what each says and hands it to a
 * {@link Handler} on the connection's own thread, and sends to the ranks. Messages for a rank whose new process has not joined yet are held ({@link #hold})
 * and sent once it has. Knows nothing of what the messages mean. Thread-safe.
 */
final class ControlServer {
    /** What the attempt does with the connections. */
    interface Handler {
        /** Whether rank {@code rank} may join now (its process is not being replaced). */
        boolean admits(int rank);

        /** Rank {@code rank} joined on {@code ch}: tell it what it needs first. Runs before its messages are read. */
        void joined(int rank, ControlChannel ch);

        /** Rank {@code rank} said {@code m} on {@code from}, its current connection. */
        void message(int rank, ControlMessage m, ControlChannel from) throws InterruptedException;

        /** The current connection {@code ch} of rank {@code rank} has been read to its end. */
        void closed(int rank, ControlChannel ch);
    }

    private final int np;
    private final byte[] token;
    private final PrintStream err;
    private final ScheduledExecutorService timer;
    private final Handler handler;
    private final AtomicReferenceArray<ControlChannel> channels;
    /** Per rank: counted down once its current control connection has been read to its end. */
    private final AtomicReferenceArray<CountDownLatch> readersDone;
    /** Each rank's data-plane address, that of its latest process; guarded by itself. */
    private final InetSocketAddress[] dataAddresses;
    /** Per rank whose new process has not joined yet: what is to be sent to it once it has (guarded by itself). */
    private final List<List<ControlMessage>> held = new ArrayList<>();
    private ServerSocketChannel server;

    ControlServer(int np, byte[] token, PrintStream err, ScheduledExecutorService timer, Handler handler) {
        this.np = np;
        this.token = token;
        this.err = err;
        this.timer = timer;
        this.handler = handler;
        this.channels = new AtomicReferenceArray<>(np);
        this.readersDone = new AtomicReferenceArray<>(np);
        this.dataAddresses = new InetSocketAddress[np];
        for (int r = 0; r < np; r++) {
            readersDone.set(r, new CountDownLatch(1));
            held.add(null);
        }
    }

    /** Starts listening on {@code address} (any port); returns where the ranks connect. */
    InetSocketAddress open(InetAddress address) throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(address, 0), np);
        RankControl.daemon(this::accept, "snaprun-control-accept").start();
        return (InetSocketAddress) server.getLocalAddress();
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel sc;
            try {
                sc = server.accept();
            } catch (IOException e) {
                return;
            }
            RankControl.daemon(() -> serve(sc), "snaprun-control").start();
        }
    }

    /** Authenticates a new control connection, lets the handler greet the rank, then reads its messages. */
    private void serve(SocketChannel sc) {
        ControlChannel ch;
        try {
            ch = new ControlChannel(sc);
        } catch (IOException e) {
            return;
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(ch::close, TcpJob.HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException attemptOver) {
            ch.close();
            return;
        }
        ControlMessage first;
        try {
            first = ch.receive(ControlChannel.MAX_HELLO_FRAME);
        } catch (IOException e) {
            refuse(ch, "no valid hello (" + e.getMessage() + ")");
            return;
        } finally {
            deadline.cancel(false);
        }
        if (!(first instanceof ControlMessage.Hello h) || !MessageDigest.isEqual(h.token(), token)) {
            refuse(ch, "it did not present the job's token");
            return;
        }
        int r = h.rank();
        if (r < 0 || r >= np || !handler.admits(r) || !channels.compareAndSet(r, null, ch)) {
            refuse(ch, "rank " + r + " is not a rank of this job or has already joined");
            return;
        }
        CountDownLatch done = readersDone.get(r);
        synchronized (dataAddresses) {
            dataAddresses[r] = h.dataAddress();
        }
        handler.joined(r, ch);
        try {
            ControlMessage m;
            while ((m = ch.receive(ControlChannel.MAX_FRAME)) != null && channels.get(r) == ch) {
                handler.message(r, m, ch);
            }
        } catch (IOException e) {
            // the rank is gone or spoke nonsense; its process exit tells which
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            handler.closed(r, ch);
            done.countDown();
        }
    }

    private void refuse(ControlChannel ch, String why) {
        err.println("snaprun: refused a control connection from " + ch.peer() + ": " + why);
        ch.close();
    }

    /** Rank {@code r}'s current connection, or null before it joined. */
    ControlChannel channel(int r) {
        return channels.get(r);
    }

    /** The ranks' data-plane addresses as they are now, with {@code hidden} ones (dead, to be replaced) as port 0. */
    List<InetSocketAddress> table(IntPredicate hidden) {
        List<InetSocketAddress> table = new ArrayList<>();
        synchronized (dataAddresses) {
            for (int x = 0; x < np; x++) {
                table.add(hidden.test(x) ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)
                        : dataAddresses[x]);
            }
        }
        return table;
    }

    /** Sends {@code m} to rank {@code r}'s current connection, or holds it while {@link #hold} is in force. */
    void send(int r, ControlMessage m) {
        synchronized (held) {
            List<ControlMessage> h = held.get(r);
            if (h != null) {
                h.add(m); // for a new process that has not joined yet
                return;
            }
        }
        sendIfJoined(r, m);
    }

    /** Sends {@code m} to rank {@code r}'s current connection, if it has one (nothing is held). */
    void sendIfJoined(int r, ControlMessage m) {
        ControlChannel ch = channels.get(r);
        if (ch != null && ch.isOpen()) {
            try {
                ch.send(m);
            } catch (IOException e) {
                // its reader sees the broken connection and its exit watcher the process's end
            }
        }
    }

    /** Holds what is sent to rank {@code r} from now until its next process joins ({@link #greet}). */
    void hold(int r) {
        synchronized (held) {
            held.set(r, new ArrayList<>());
        }
    }

    /** Sends {@code first} on {@code ch}, then what was held for rank {@code r}, and stops holding. */
    void greet(int r, ControlChannel ch, List<ControlMessage> first) {
        synchronized (held) {
            try {
                for (ControlMessage m : first) {
                    ch.send(m);
                }
                List<ControlMessage> h = held.get(r);
                for (ControlMessage m : h == null ? List.<ControlMessage>of() : h) {
                    ch.send(m);
                }
            } catch (IOException e) {
                // the reader sees the broken connection
            }
            held.set(r, null);
        }
    }

    /**
     * Ends rank {@code r}'s current connection once what it carried has been read and handled (waiting at most
     * {@code millis} for each), so that the rank's next process can join.
     */
    void retire(int r, long millis) throws InterruptedException {
        readersDone.get(r).await(millis, TimeUnit.MILLISECONDS);
        ControlChannel old = channels.get(r);
        if (old != null) {
            old.close();
            readersDone.get(r).await(millis, TimeUnit.MILLISECONDS);
        }
        readersDone.set(r, new CountDownLatch(1));
        channels.set(r, null);
    }

    /** Waits (at most {@code millis}) until what rank {@code r} sent on its connection has been read. */
    void awaitReader(int r, long millis) throws InterruptedException {
        if (channels.get(r) != null) {
            readersDone.get(r).await(millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Waits (at most {@code millis} in all) until what every rank sent before it ended has been read. */
    void awaitReaders(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            for (int r = 0; r < np; r++) {
                if (channels.get(r) != null) {
                    readersDone.get(r).await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void close() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // a listening socket: nothing left to release
        }
        for (int r = 0; r < np; r++) {
            ControlChannel ch = channels.get(r);
            if (ch != null) {
                ch.close();
            }
        }
    }
}
