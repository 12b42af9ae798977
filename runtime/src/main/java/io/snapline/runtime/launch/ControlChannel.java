package io.snapline.runtime.launch;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import io.snapline.runtime.checkpoint.Compression;
import io.snapline.runtime.checkpoint.Interval;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One end of a {@code -dev tcp} control connection: {@link ControlMessage}s framed over a blocking
 * {@link SocketChannel}. One thread may {@link #receive} while others {@link #send} (sends are serialised).
 *
 * <pre>
 *  0                   4       5
 *  +-------------------+-------+---------------------------+
 *  | length (int32 BE) | type  | body (length - 1 bytes)   |
 *  +-------------------+-------+---------------------------+
 *
 *  Hello      token-length u16, token, rank i32, host str, port i32
 *  Table      count i32, count x (host str, port i32)
 *  Heartbeat  (empty)        Finished (empty)
 *  Failed     report str     Abort    code i32, reason str
 *  PeerDied   rank i32, reason str     Stop  reason str
 *  CheckpointSetup  policy str, interval-nanos i64 (-1: none), retain i32, stall-nanos i64, option-count i32,
 *                   option-count x (flag str, value str), auto u8, [formula str, mttf-nanos i64, h-bits i64
 *                   (--interval auto only)], compression u8 (its ordinal), incremental u8, async u8, has-store u8, [store-directory str, has-fingerprint u8, [format i32,
 *                   main-class str, argument-count i32, the arguments (str each), class-path str, policy str,
 *                   policy-options str, ranks i32], first-checkpoint-id i64], restore u8 (0: none, 1: a piece
 *                   of a global checkpoint, 2: a local checkpoint), [id i64], [piece: rank i32, file-name str,
 *                   size i64, crc32c i32 (restore 1 only)], kill-at-point i64, kill-during-write-of i64,
 *                   incarnation i32, restarts-alone u8
 *  Policy     message blob         Restored  id i64, point i64, nanos i64
 *  Finalizing (empty)              KillRequest  at-safe-point u8, reason str
 *  Crashed    report str           Progress  blocked-epoch i64, bytes-read i64, waiting str
 *  OutputMark id i64 (-1: resumed), bytes i64
 *  Ready      (empty)              CannotRestartAlone  why str
 *  Leaving    (empty)              Leave      (empty)
 *  PieceWritten  local u8, id i64, stored-bytes i64, raw-bytes i64, write-nanos i64, background u8, full-bytes i64
 *  CheckpointDeferred  local u8, point i64, in-flight i64, skipped u8, waited-nanos i64
 *  ReplicaWritten  id i64, size i64, crc32c i32
 *  PieceRead  id i64, fast-failure str (empty: read from the host's copy)      ReplicaFailed  why str
 *  PeerUnreachable  rank i32, reason str
 *  str        byte-length i32, UTF-8 bytes       blob  length i32, bytes
 * </pre>
 *
 * A frame longer than the receiver's limit, an unknown type or a malformed body is an {@link IOException}; the
 * connection is then useless and should be closed.
 */
public final class ControlChannel implements AutoCloseable {
    /** Largest frame accepted once a peer is authenticated. */
    public static final int MAX_FRAME = 1 << 20;
    /** Largest frame accepted from a peer that has not shown the token yet. */
    public static final int MAX_HELLO_FRAME = 1024;
    /** Longest text carried (a failure report is cut to this many characters). */
    static final int MAX_TEXT = 200_000;

    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(4);

    public ControlChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(true);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    /** Connects to a launcher's control address. */
    public static ControlChannel connect(InetSocketAddress launcher) throws IOException {
        return new ControlChannel(SocketChannel.open(launcher));
    }

    /** The peer's address, for log messages; "unknown" when the channel is closed. */
    public String peer() {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Sends one message; safe to call from several threads. */
    public void send(ControlMessage m) throws IOException {
        ByteBuffer frame = encode(m);
        synchronized (this) {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }
    }

    /**
     * Reads the next message, waiting for it.
     *
     * @param maxFrame the largest frame accepted
     * @return the message, or null when the peer closed the connection between messages
     * @throws IOException on a connection error, a frame cut short, or a frame that is not a valid message
     */
    public ControlMessage receive(int maxFrame) throws IOException {
        header.clear();
        if (!readFully(header, true)) {
            return null;
        }
        int length = header.getInt(0);
        if (length < 1 || length > maxFrame) {
            throw new IOException("control frame of " + length + " bytes (limit " + maxFrame + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(body, false);
        body.flip();
        try {
            return decode(body);
        } catch (RuntimeException e) {
            throw new IOException("malformed control frame: " + e, e);
        }
    }

    private boolean readFully(ByteBuffer b, boolean eofAllowed) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                if (eofAllowed && b.position() == 0) {
                    return false;
                }
                throw new EOFException("control connection closed in the middle of a frame");
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket: nothing left to release
        }
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    static ByteBuffer encode(ControlMessage m) {
        Body b = new Body();
        if (m instanceof ControlMessage.Hello h) {
            b.u16(h.token().length).bytes(h.token()).i32(h.rank()).address(h.dataAddress());
        } else if (m instanceof ControlMessage.Table t) {
            b.i32(t.addresses().size());
            t.addresses().forEach(b::address);
        } else if (m instanceof ControlMessage.Failed f) {
            b.str(f.report());
        } else if (m instanceof ControlMessage.Abort a) {
            b.i32(a.code()).str(a.reason());
        } else if (m instanceof ControlMessage.PeerDied p) {
            b.i32(p.rank()).str(p.reason());
        } else if (m instanceof ControlMessage.PeerUnreachable p) {
            b.i32(p.rank()).str(p.reason());
        } else if (m instanceof ControlMessage.Stop s) {
            b.str(s.reason());
        } else if (m instanceof ControlMessage.CheckpointSetup c) {
            setup(b, c);
        } else if (m instanceof ControlMessage.Policy p) {
            b.i32(p.message().length).bytes(p.message());
        } else if (m instanceof ControlMessage.Restored r) {
            b.i64(r.id()).i64(r.point()).i64(r.nanos());
        } else if (m instanceof ControlMessage.KillRequest k) {
            b.u8(k.atSafePoint() ? 1 : 0).str(k.reason());
        } else if (m instanceof ControlMessage.Crashed c) {
            b.str(c.report());
        } else if (m instanceof ControlMessage.Progress p) {
            b.i64(p.blockedEpoch()).i64(p.bytesRead()).str(p.waiting());
        } else if (m instanceof ControlMessage.OutputMark o) {
            b.i64(o.id()).i64(o.bytes());
        } else if (m instanceof ControlMessage.CannotRestartAlone c) {
            b.str(c.why());
        } else if (m instanceof ControlMessage.ReplicaWritten w) {
            b.i64(w.id()).i64(w.size()).i32(w.crc32c());
        } else if (m instanceof ControlMessage.ReplicaFailed f) {
            b.str(f.why());
        } else if (m instanceof ControlMessage.PieceRead r) {
            b.i64(r.id()).str(r.fastFailure());
        } else if (m instanceof ControlMessage.PieceWritten p) {
            var w = p.written();
            b.u8(w.local() ? 1 : 0).i64(w.id()).i64(w.storedBytes()).i64(w.rawBytes()).i64(w.writeNanos())
                    .u8(w.background() ? 1 : 0).i64(w.fullBytes());
        } else if (m instanceof ControlMessage.CheckpointDeferred d) {
            var x = d.deferred();
            b.u8(x.local() ? 1 : 0).i64(x.point()).i64(x.inFlight()).u8(x.skipped() ? 1 : 0).i64(x.waitedNanos());
        }
        // Heartbeat, Finished, Finalizing, Ready, Leaving and Leave have no body.
        ByteBuffer frame = ByteBuffer.allocate(5 + b.size());
        frame.putInt(1 + b.size()).put(m.type()).put(b.array(), 0, b.size()).flip();
        return frame;
    }

    static ControlMessage decode(ByteBuffer in) throws IOException {
        byte type = in.get();
        ControlMessage m = switch (type) {
            case ControlMessage.HELLO -> {
                byte[] token = new byte[Short.toUnsignedInt(in.getShort())];
                in.get(token);
                yield new ControlMessage.Hello(token, in.getInt(), address(in));
            }
            case ControlMessage.TABLE -> {
                int n = in.getInt();
                if (n < 0 || n > LaunchOptions.MAX_RANKS) {
                    throw new IOException("rank table of " + n + " entries");
                }
                List<InetSocketAddress> a = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    a.add(address(in));
                }
                yield new ControlMessage.Table(a);
            }
            case ControlMessage.HEARTBEAT -> new ControlMessage.Heartbeat();
            case ControlMessage.FINISHED -> new ControlMessage.Finished();
            case ControlMessage.FAILED -> new ControlMessage.Failed(str(in));
            case ControlMessage.ABORT -> new ControlMessage.Abort(in.getInt(), str(in));
            case ControlMessage.PEER_DIED -> new ControlMessage.PeerDied(in.getInt(), str(in));
            case ControlMessage.STOP -> new ControlMessage.Stop(str(in));
            case ControlMessage.CHECKPOINT_SETUP -> setup(in);
            case ControlMessage.POLICY -> new ControlMessage.Policy(blob(in));
            case ControlMessage.RESTORED -> new ControlMessage.Restored(in.getLong(), in.getLong(), in.getLong());
            case ControlMessage.FINALIZING -> new ControlMessage.Finalizing();
            case ControlMessage.KILL_REQUEST -> new ControlMessage.KillRequest(flag(in), str(in));
            case ControlMessage.CRASHED -> new ControlMessage.Crashed(str(in));
            case ControlMessage.PROGRESS -> new ControlMessage.Progress(in.getLong(), in.getLong(), str(in));
            case ControlMessage.OUTPUT_MARK -> new ControlMessage.OutputMark(in.getLong(), in.getLong());
            case ControlMessage.READY -> new ControlMessage.Ready();
            case ControlMessage.LEAVING -> new ControlMessage.Leaving();
            case ControlMessage.LEAVE -> new ControlMessage.Leave();
            case ControlMessage.CANNOT_RESTART_ALONE -> new ControlMessage.CannotRestartAlone(str(in));
            case ControlMessage.REPLICA_WRITTEN -> new ControlMessage.ReplicaWritten(in.getLong(), in.getLong(),
                    in.getInt());
            case ControlMessage.PIECE_READ -> new ControlMessage.PieceRead(in.getLong(), str(in));
            case ControlMessage.REPLICA_FAILED -> new ControlMessage.ReplicaFailed(str(in));
            case ControlMessage.PEER_UNREACHABLE -> new ControlMessage.PeerUnreachable(in.getInt(), str(in));
            case ControlMessage.PIECE_WRITTEN -> new ControlMessage.PieceWritten(new io.snapline.runtime.checkpoint
                    .PieceWritten(flag(in), in.getLong(), in.getLong(), in.getLong(), in.getLong(), flag(in),
                    in.getLong()));
            case ControlMessage.CHECKPOINT_DEFERRED -> deferred(in);
            default -> throw new IOException("unknown control message type " + type);
        };
        if (in.hasRemaining()) {
            throw new IOException(in.remaining() + " stray bytes after a control message of type " + type);
        }
        return m;
    }

    private static void setup(Body b, ControlMessage.CheckpointSetup c) {
        PolicySettings s = c.settings();
        b.str(s.policy()).i64(s.interval() == null ? -1 : s.interval().toNanos()).i32(s.retain())
                .i64(s.stallTimeout().toNanos()).i32(s.options().size());
        s.options().forEach((flag, value) -> b.str(flag).str(value));
        b.u8(s.auto() == null ? 0 : 1);
        if (s.auto() != null) {
            b.str(s.auto().formula().flag()).i64(s.auto().mttf().toNanos())
                    .i64(Double.doubleToLongBits(s.auto().h()));
        }
        b.u8(s.compression().ordinal());
        b.u8(s.incremental() ? 1 : 0);
        b.u8(s.async() ? 1 : 0);
        b.u8(c.storeDirectory() == null ? 0 : 1);
        if (c.storeDirectory() != null) {
            b.str(c.storeDirectory());
            JobFingerprint f = c.fingerprint();
            b.u8(f == null ? 0 : 1);
            if (f != null) {
                b.i32(f.format()).str(f.mainClass()).i32(f.arguments().size());
                f.arguments().forEach(b::str);
                b.str(f.classPath()).str(f.policy()).str(f.policyOptions()).i32(f.ranks());
            }
            b.i64(c.firstCheckpointId());
        }
        RestoreFrom from = c.restoreFrom();
        b.u8(from == null ? 0 : from.isLocal() ? 2 : 1);
        if (from != null) {
            b.i64(from.id().value());
            if (!from.isLocal()) {
                b.i32(from.piece().rank()).str(from.piece().fileName()).i64(from.piece().size()).i32(from.piece().crc32c());
            }
        }
        b.i64(c.killAtPoint()).i64(c.killDuringWriteOf()).i32(c.incarnation()).u8(c.restartsAlone() ? 1 : 0);
    }

    private static ControlMessage.CheckpointDeferred deferred(ByteBuffer in) throws IOException {
        boolean local = flag(in);
        long point = in.getLong();
        long inFlight = in.getLong();
        boolean skipped = flag(in);
        long waited = in.getLong();
        try {
            return new ControlMessage.CheckpointDeferred(new io.snapline.runtime.checkpoint.CheckpointDeferred(local,
                    point, inFlight, skipped, waited));
        } catch (IllegalArgumentException e) {
            throw new IOException("a malformed deferred checkpoint: " + e.getMessage(), e);
        }
    }

    private static ControlMessage.CheckpointSetup setup(ByteBuffer in) throws IOException {
        String policy = str(in);
        long interval = in.getLong();
        int retain = in.getInt();
        long stall = in.getLong();
        int count = in.getInt();
        if (count < 0 || count > PolicySettings.MAX_OPTIONS) {
            throw new IOException("a checkpoint setup with " + count + " policy options");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int k = 0; k < count; k++) {
            options.put(str(in), str(in));
        }
        Interval.Auto auto = null;
        if (flag(in)) {
            String name = str(in);
            Interval.Formula formula = Interval.Formula.byFlag(name);
            if (formula == null) {
                throw new IOException("a checkpoint setup with the unknown interval formula '" + name + "'");
            }
            long mttf = in.getLong();
            double h = Double.longBitsToDouble(in.getLong());
            try {
                auto = new Interval.Auto(formula, Duration.ofNanos(mttf), h);
            } catch (IllegalArgumentException e) {
                throw new IOException("a checkpoint setup with a bad automatic interval: " + e.getMessage(), e);
            }
        }
        int compressed = in.get();
        if (compressed < 0 || compressed >= Compression.values().length) {
            throw new IOException("a checkpoint setup with the unknown compression " + compressed);
        }
        boolean incremental = flag(in);
        boolean async = flag(in);
        PolicySettings settings = new PolicySettings(policy, interval < 0 ? null : Duration.ofNanos(interval), retain,
                Duration.ofNanos(stall), options, auto, Compression.values()[compressed], incremental, async);
        String store = null;
        JobFingerprint fingerprint = null;
        long firstId = 1;
        if (flag(in)) {
            store = str(in);
            if (flag(in)) {
                fingerprint = fingerprint(in);
            }
            firstId = in.getLong();
        }
        RestoreFrom from;
        byte kind = in.get();
        switch (kind) {
            case 0 -> from = null;
            case 1 -> {
                CheckpointId id = CheckpointId.of(in.getLong());
                from = new RestoreFrom(id, new PieceRef(in.getInt(), str(in), in.getLong(), in.getInt()));
            }
            case 2 -> from = RestoreFrom.local(in.getLong());
            default -> throw new IOException("unknown restore kind " + kind);
        }
        long killAt = in.getLong();
        long killWrite = in.getLong();
        int incarnation = in.getInt();
        if (incarnation < 0) {
            throw new IOException("a checkpoint setup for incarnation " + incarnation);
        }
        return new ControlMessage.CheckpointSetup(settings, store, fingerprint, firstId, from, killAt, killWrite,
                incarnation, flag(in));
    }

    private static JobFingerprint fingerprint(ByteBuffer in) throws IOException {
        int format = in.getInt();
        String main = str(in);
        int argc = in.getInt();
        if (argc < 0 || argc > in.remaining()) {
            throw new IOException("a fingerprint with " + argc + " arguments");
        }
        List<String> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            args.add(str(in));
        }
        try {
            return new JobFingerprint(format, main, args, str(in), str(in), str(in), in.getInt());
        } catch (RuntimeException e) {
            throw new IOException("a malformed fingerprint: " + e.getMessage(), e);
        }
    }

    private static boolean flag(ByteBuffer in) throws IOException {
        byte b = in.get();
        if (b != 0 && b != 1) {
            throw new IOException("flag byte " + b + " is neither 0 nor 1");
        }
        return b == 1;
    }

    private static byte[] blob(ByteBuffer in) throws IOException {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IOException("blob of " + n + " bytes in a frame with " + in.remaining() + " left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static InetSocketAddress address(ByteBuffer in) throws IOException {
        String host = str(in);
        int port = in.getInt();
        if (port < 0 || port > 0xFFFF) {
            throw new IOException("port " + port + " out of range");
        }
        // The host is a literal address, so this does no name lookup.
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private static String str(ByteBuffer in) throws IOException {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IOException("string of " + n + " bytes in a frame with " + in.remaining() + " left");
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    /** A growable big-endian body being written. */
    private static final class Body extends java.io.ByteArrayOutputStream {
        Body u16(int v) {
            write(v >>> 8);
            write(v);
            return this;
        }

        Body i32(int v) {
            write(v >>> 24);
            write(v >>> 16);
            write(v >>> 8);
            write(v);
            return this;
        }

        Body u8(int v) {
            write(v);
            return this;
        }

        Body i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Body bytes(byte[] b) {
            write(b, 0, b.length);
            return this;
        }

        Body str(String s) {
            String t = s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "\n... (cut)" : s;
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            return i32(b.length).bytes(b);
        }

        Body address(InetSocketAddress a) {
            return str(a.getAddress().getHostAddress()).i32(a.getPort());
        }

        byte[] array() {
            return buf;
        }
    }
}
