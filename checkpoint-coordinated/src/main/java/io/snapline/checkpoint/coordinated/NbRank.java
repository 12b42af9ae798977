package io.snapline.checkpoint.coordinated;

import io.snapline.checkpoint.coordinated.nb.NbCapture;
import io.snapline.checkpoint.coordinated.nb.NbCheckpointRecord;
import io.snapline.checkpoint.coordinated.nb.NbClassification;
import io.snapline.checkpoint.coordinated.nb.NbRankAction;
import io.snapline.checkpoint.coordinated.nb.NbRankProtocol;
import io.snapline.checkpoint.coordinated.nb.NbRankState;
import io.snapline.checkpoint.coordinated.nb.RestartPlan;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.CommSnapshot;
import io.snapline.runtime.engine.Message;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The rank half of {@code coordinated-nb}: binds the engine-free {@link NbRankProtocol} to the runtime. Every message
 * is numbered and stamped with this rank's epoch ({@link #beforeSend}); arriving messages are classified
 * ({@link #onAccept}) and late ones logged ({@link #log}); at a requested safe point the state is captured in memory
 * in one step with the mailbox (so the saved messages are exactly those the protocol counted as accepted), and the
 * piece is written by a background thread once every late message has been logged — the program never waits for
 * another rank or for the disk.
 *
 * <p>Locking: the protocol is guarded by this object's monitor. Hook calls arrive under the mailbox lock, so the
 * order is always mailbox, then this; nothing here calls into the engine while holding this monitor.
 *
 * <p>Policy data in the piece: epoch i32, n i32, sentUpTo n x i64, acceptedUpTo n x i64, then L late messages
 * (from i32, seq i64, context i32, tag i32, base u8, elements i32, payload length i32, payload).
 */
final class NbRank implements RankPolicy, ChannelHook {
    private final RankServices services;
    private final int n;
    private final int me;
    private final ArrayDeque<NbRankAction> actions = new ArrayDeque<>();
    private final List<byte[]> earlyControl = new ArrayList<>();
    private final Map<Integer, CompletableFuture<RankImage>> images = new HashMap<>();
    private final Map<Integer, long[]> timing = new HashMap<>();
    private final Map<Integer, PieceRef> pieces = new HashMap<>();
    private final Map<Long, CommSnapshot.Saved> late = new HashMap<>();
    private final ExecutorService writer;
    private NbRankProtocol protocol;

    NbRank(RankServices services) {
        this.services = services;
        this.n = services.size();
        this.me = services.rank();
        this.writer = services.writer();
        if (services.restoredId() == 0) {
            protocol = new NbRankProtocol(me, n, actions::add);
            services.installHook(this);
            services.exchange(new long[n], 2); // nobody sends before every rank numbers its traffic
        }
    }

    // ------------------------------------------------------------------ safe points and control

    @Override
    public void atPoint(long point) {
        synchronized (this) {
            if (protocol == null) {
                throw new IllegalStateException("rank " + me + " reached a safe point before its restore");
            }
            if (protocol.state() != NbRankState.CHECKPOINT_REQUESTED) {
                return;
            }
        }
        long start = services.nanoTime();
        int[] epoch = new int[1];
        RankImage image = services.captureIf(point, () -> {
            synchronized (this) {
                Optional<NbCapture> c = protocol.atSafePoint();
                if (c.isEmpty()) {
                    return null;
                }
                epoch[0] = c.get().epoch();
                images.computeIfAbsent(epoch[0], e -> new CompletableFuture<>());
                drain();
                return CheckpointId.of(epoch[0]);
            }
        });
        if (image != null) {
            CompletableFuture<RankImage> f;
            synchronized (this) {
                timing.put(epoch[0], new long[] {point, services.nanoTime() - start});
                f = images.get(epoch[0]);
            }
            if (f != null) {
                f.complete(image);
            }
        }
    }

    @Override
    public void onControl(byte[] message) {
        synchronized (this) {
            if (protocol == null) {
                earlyControl.add(message);
                return;
            }
            apply(NbMessage.decode(message));
            drain();
        }
    }

    private void apply(NbMessage.Decoded m) {
        switch (m.type()) {
            case NbMessage.REQUEST -> protocol.onRequest(m.epoch());
            case NbMessage.PROMISE -> protocol.onPromise(m.peer(), m.epoch(), m.count());
            case NbMessage.COMMITTED -> {
                protocol.onCommitted(m.epoch());
                forget(m.epoch());
            }
            case NbMessage.ABANDONED -> {
                protocol.onAbandoned(m.epoch());
                forget(m.epoch());
            }
            default -> throw new IllegalArgumentException("a rank does not accept message type " + m.type());
        }
    }

    private void forget(int epoch) {
        CompletableFuture<RankImage> f = images.remove(epoch);
        if (f != null) {
            f.cancel(false);
        }
        timing.remove(epoch);
        pieces.remove(epoch);
    }

    // ------------------------------------------------------------------ ChannelHook

    @Override
    public synchronized boolean beforeSend(Message m) {
        long seq = protocol.onSend(m.dest());
        if (seq == NbRankProtocol.SUPPRESSED) {
            return false;
        }
        m.stamp(protocol.epoch(), seq);
        return true;
    }

    @Override
    public synchronized boolean onAccept(Message m) {
        NbClassification c = protocol.onAccept(m.source(), m.epoch(), m.seq());
        drain();
        return c == NbClassification.LATE;
    }

    @Override
    public synchronized void log(Message m, byte[] payload) {
        late.put(key(m.source(), m.seq()),
                new CommSnapshot.Saved(m.source(), m.context(), m.tag(), m.base(), m.elements(), payload));
        protocol.onLateLogged(m.source(), m.seq());
        drain();
    }

    private static long key(int from, long seq) {
        return ((long) from << 40) | seq;
    }

    // ------------------------------------------------------------------ actions

    /** Carries out what the protocol asked for; called with this monitor held, right after each protocol call. */
    private void drain() {
        NbRankAction a;
        while ((a = actions.poll()) != null) {
            if (a instanceof NbRankAction.Taken t) {
                services.toCoordinator(NbMessage.epochOnly(NbMessage.TAKEN, t.epoch()));
            } else if (a instanceof NbRankAction.Promise p) {
                services.toCoordinator(NbMessage.promise(p.to(), p.epoch(), p.sentUpTo()));
            } else if (a instanceof NbRankAction.WritePiece w) {
                NbCheckpointRecord record = w.record();
                List<CommSnapshot.Saved> logged = new ArrayList<>(record.late().size());
                for (NbCheckpointRecord.Late l : record.late()) {
                    logged.add(late.remove(key(l.from(), l.seq())));
                }
                CompletableFuture<RankImage> image = images.computeIfAbsent(record.epoch(),
                        e -> new CompletableFuture<>());
                try {
                    writer.execute(() -> write(record, logged, image));
                } catch (RejectedExecutionException e) {
                    return; // the rank's part in the attempt is over: its writer is gone, as with its process
                }
            } else if (a instanceof NbRankAction.Prepared p) {
                long[] t = timing.getOrDefault(p.epoch(), new long[2]);
                PieceRef piece = pieces.get(p.epoch());
                if (piece != null) {
                    services.toCoordinator(NbMessage.prepared(p.epoch(), t[0], t[1], piece));
                }
            }
        }
    }

    /** On the writer thread: waits for the captured image, adds the record and late messages, writes the piece. */
    private void write(NbCheckpointRecord record, List<CommSnapshot.Saved> logged,
            CompletableFuture<RankImage> image) {
        RankImage captured;
        try {
            captured = image.get();
        } catch (java.util.concurrent.CancellationException e) {
            return; // abandoned meanwhile
        } catch (InterruptedException e) {
            return; // the rank's part in the attempt is over
        } catch (ExecutionException e) {
            throw new IllegalStateException("the image of epoch " + record.epoch() + " failed", e.getCause());
        }
        CheckpointId id = CheckpointId.of(record.epoch());
        RankImage complete = captured.withPolicyData(encode(record, logged));
        services.aboutToWrite(id);
        PieceRef piece = services.writePiece(id, complete);
        synchronized (this) {
            pieces.put(record.epoch(), piece);
            protocol.onPieceWritten(record.epoch(), piece.size());
            drain();
        }
    }

    // ------------------------------------------------------------------ restore

    @Override
    public List<CommSnapshot.Saved> onRestore(RankImage image) {
        ByteBuffer b = ByteBuffer.wrap(image.policyData());
        b.getInt(); // the epoch the checkpoint was taken in: epochs continue from the attempt's first id (below)
        int ranks = b.getInt();
        if (ranks != n) {
            throw new IllegalStateException("checkpoint " + image.id() + " was taken with " + ranks + " ranks");
        }
        long[] sent = new long[n];
        long[] accepted = new long[n];
        for (int i = 0; i < n; i++) {
            sent[i] = b.getLong();
        }
        for (int i = 0; i < n; i++) {
            accepted[i] = b.getLong();
        }
        int count = b.getInt();
        List<CommSnapshot.Saved> logged = new ArrayList<>(count);
        List<NbCheckpointRecord.Late> lateIds = new ArrayList<>(count);
        long[] acceptedWithLate = accepted.clone();
        for (int k = 0; k < count; k++) {
            int from = b.getInt();
            long seq = b.getLong();
            int context = b.getInt();
            int tag = b.getInt();
            BaseType base = BaseType.values()[b.get()];
            int elements = b.getInt();
            byte[] payload = new byte[b.getInt()];
            b.get(payload);
            logged.add(new CommSnapshot.Saved(from, context, tag, base, elements, payload));
            lateIds.add(new NbCheckpointRecord.Late(from, seq));
            acceptedWithLate[from] = Math.max(acceptedWithLate[from], seq);
        }
        long[] suppress = services.exchange(accepted, 0); // what every peer already accepted from this rank
        synchronized (this) {
            protocol = new NbRankProtocol(me, n, actions::add);
            // Epochs count on from the attempt's first checkpoint id less one, which is the restored epoch unless the
            // store holds newer (damaged) checkpoints: every rank restores the same checkpoint, so they agree.
            int base = Math.toIntExact(services.firstCheckpointId() - 1);
            protocol.restore(new RestartPlan.RankPlan(me, base, sent, acceptedWithLate, suppress, lateIds));
            for (byte[] m : earlyControl) {
                apply(NbMessage.decode(m));
            }
            earlyControl.clear();
            drain();
        }
        services.installHook(this);
        services.exchange(new long[n], 1); // nobody sends restored traffic before every rank numbers it again
        return logged;
    }

    private byte[] encode(NbCheckpointRecord record, List<CommSnapshot.Saved> logged) {
        long size = 8L + 16L * n + 4;
        for (CommSnapshot.Saved s : logged) {
            size += 29 + s.payload().length;
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size));
        b.putInt(record.epoch()).putInt(n);
        for (long s : record.sentUpTo()) {
            b.putLong(s);
        }
        for (long a : record.acceptedUpTo()) {
            b.putLong(a);
        }
        b.putInt(logged.size());
        for (int k = 0; k < logged.size(); k++) {
            CommSnapshot.Saved s = logged.get(k);
            NbCheckpointRecord.Late id = record.late().get(k);
            b.putInt(id.from()).putLong(id.seq()).putInt(s.context()).putInt(s.tag()).put((byte) s.base().ordinal())
                    .putInt(s.elements()).putInt(s.payload().length).put(s.payload());
        }
        return b.array();
    }
}
