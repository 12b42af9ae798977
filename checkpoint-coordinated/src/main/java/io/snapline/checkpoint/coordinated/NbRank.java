package io.snapline.checkpoint.coordinated;

import io.snapline.checkpoint.coordinated.nb.NbCapture;
import io.snapline.checkpoint.coordinated.nb.NbCheckpointRecord;
import io.snapline.checkpoint.coordinated.nb.NbClassification;
import io.snapline.checkpoint.coordinated.nb.NbRankAction;
import io.snapline.checkpoint.coordinated.nb.NbRankProtocol;
import io.snapline.checkpoint.coordinated.nb.NbRankState;
import io.snapline.checkpoint.coordinated.nb.RestartPlan;
import io.snapline.runtime.checkpoint.Cut;
import io.snapline.runtime.checkpoint.Envelope;
import io.snapline.runtime.checkpoint.Outgoing;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.SavedMessage;
import io.snapline.runtime.checkpoint.TrafficHook;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.determinant.DeterminantLog;
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
 * <p>Non-deterministic events: from the capture until every rank has taken the checkpoint the rank's determinant
 * recorder records them ({@link RankServices#determinants()}); the log goes into the piece, and a restart from it
 * replays the log before the program resumes (the reasoning is in the {@code nb} package documentation).
 *
 * <p>Locking: the protocol is guarded by this object's monitor. Hook calls arrive under the mailbox lock, so the
 * order is always mailbox, then this, then the recorder; nothing here calls into the engine while holding this
 * monitor. The policy data in the piece is {@link NbPolicyData}.
 */
final class NbRank implements RankPolicy, TrafficHook {
    private final RankServices services;
    private final int n;
    private final int me;
    private final ArrayDeque<NbRankAction> actions = new ArrayDeque<>();
    private final List<byte[]> earlyControl = new ArrayList<>();
    private final Map<Integer, CompletableFuture<RankImage>> images = new HashMap<>();
    /** Per open checkpoint: its safe point, how long the capture held the rank back, how long the write took. */
    private final Map<Integer, long[]> timing = new HashMap<>();
    private final Map<Integer, PieceRef> pieces = new HashMap<>();
    private final Map<Long, SavedMessage> late = new HashMap<>();
    /** The recorded events of each checkpoint whose recording has ended, until its piece is written. */
    private final Map<Integer, DeterminantLog> determinants = new HashMap<>();
    /** The messages sent while recording for the open checkpoint; moved to {@link #sentWhileRecording} at its end. */
    private SentDigests sending = new SentDigests();
    /** The messages sent while recording, of each checkpoint whose recording has ended, until its piece is written. */
    private final Map<Integer, SentDigests> sentWhileRecording = new HashMap<>();
    /**
     * After a restore: by {@link #key}, the digest of each message sent before the restart that its receiver already
     * holds and this rank will re-execute (suppressed); null when the checkpoint recorded none (older data).
     */
    private Map<Long, Integer> expected;
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    private byte[] scratch = new byte[256];
    /** The last safe point passed, for messages. */
    private long lastPoint;
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
            lastPoint = point;
            if (protocol == null) {
                throw new IllegalStateException("rank " + me + " reached a safe point before its restore");
            }
            if (protocol.state() != NbRankState.CHECKPOINT_REQUESTED || protocol.resending()) {
                return;
            }
        }
        long start = services.nanoTime();
        int[] epoch = new int[1];
        RankImage image = services.capture(point, Cut.decidedBy(() -> {
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
        }));
        if (image != null) {
            CompletableFuture<RankImage> f;
            synchronized (this) {
                timing.put(epoch[0], new long[] {point, services.nanoTime() - start, 0});
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
        determinants.remove(epoch);
        sentWhileRecording.remove(epoch);
    }

    // ------------------------------------------------------------------ TrafficHook

    @Override
    public synchronized boolean beforeSend(Outgoing m) {
        long seq = protocol.onSend(m.dest());
        if (seq == NbRankProtocol.SUPPRESSED) {
            checkReexecuted(m, protocol.sentTo(m.dest()));
            return false;
        }
        m.stamp(protocol.epoch(), seq);
        if (protocol.recording() && !m.objects()) {
            sending.add(m.dest(), seq, digest(m));
        }
        return true;
    }

    /** The most bytes of {@link #scratch} kept from one message to the next. */
    private static final int SCRATCH_KEPT = 1 << 20;

    /** The CRC-32C of {@code m}'s packed payload. */
    private int digest(Outgoing m) {
        int bytes = m.payloadBytes();
        byte[] into = scratch;
        if (into.length < bytes) {
            into = new byte[bytes];
            if (bytes <= SCRATCH_KEPT) {
                scratch = into;
            }
        }
        m.writePayload(into, 0);
        crc.reset();
        crc.update(into, 0, bytes);
        return (int) crc.getValue();
    }

    /**
     * A re-executed send that its receiver already holds must carry what it carried before the restart. Its digest
     * was recorded with the checkpoint (every message a receiver can hold early was sent while the sender recorded):
     * other content, or no digest at all, ends the job with an error instead of a state its receivers never saw.
     * Messages of objects are not checked: their encoding may differ between runs with equal content (a hash map's
     * order by identity hash codes).
     */
    private void checkReexecuted(Outgoing m, long seq) {
        if (expected == null || m.objects()) {
            return;
        }
        Integer want = expected.remove(key(m.dest(), seq));
        if (want != null && want == digest(m)) {
            return;
        }
        throw new IllegalStateException("coordinated-nb: rank " + me + " re-executed its send to rank " + m.dest()
                + " (tag " + m.tag() + ", message " + seq + " on that channel, after safe point " + lastPoint + "), "
                + "which rank " + m.dest() + " already holds, " + (want == null ? "but the checkpoint recorded no such"
                + " send while its events were recorded (a fault of the protocol, please report it)"
                : "with other content than it sent before the restart: it does not re-execute as it ran, so its "
                + "receivers and its own state would disagree. Make what it sends depend only on its messages and the "
                + "results of MPI calls, not on clocks, unseeded random numbers or thread timing "
                + "(docs/checkpointing.md, the piecewise-deterministic contract)"));
    }

    @Override
    public synchronized int onAccept(Envelope e) {
        NbClassification c = protocol.onAccept(e.source(), e.epoch(), e.seq());
        drain();
        return c == NbClassification.LATE ? LOG : KEEP;
    }

    @Override
    public synchronized void log(Envelope e, SavedMessage saved) {
        late.put(key(e.source(), e.seq()), saved);
        protocol.onLateLogged(e.source(), e.seq());
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
            } else if (a instanceof NbRankAction.RecordDeterminants) {
                services.determinants().record();
                sending = new SentDigests();
            } else if (a instanceof NbRankAction.DeterminantsComplete c) {
                determinants.put(c.epoch(), services.determinants().endRecording());
                sentWhileRecording.put(c.epoch(), sending);
                sending = new SentDigests();
            } else if (a instanceof NbRankAction.DropDeterminants) {
                services.determinants().dropRecording();
                sending = new SentDigests();
            } else if (a instanceof NbRankAction.WritePiece w) {
                NbCheckpointRecord record = w.record();
                List<SavedMessage> logged = new ArrayList<>(record.late().size());
                long[] seqs = new long[record.late().size()];
                for (NbCheckpointRecord.Late l : record.late()) {
                    seqs[logged.size()] = l.seq();
                    logged.add(late.remove(key(l.from(), l.seq())));
                }
                NbPolicyData data = new NbPolicyData(record.epoch(), record.sentUpTo(), record.acceptedUpTo(),
                        record.sentWhenAllTook(), seqs, logged, java.util.Objects.requireNonNull(
                        determinants.remove(record.epoch()), "the recorded events of checkpoint " + record.epoch()),
                        java.util.Objects.requireNonNull(sentWhileRecording.remove(record.epoch()),
                                "the sends recorded for checkpoint " + record.epoch()));
                CompletableFuture<RankImage> image = images.computeIfAbsent(record.epoch(),
                        e -> new CompletableFuture<>());
                try {
                    writer.execute(() -> write(data, image));
                } catch (RejectedExecutionException e) {
                    return; // the rank's part in the attempt is over: its writer is gone, as with its process
                }
            } else if (a instanceof NbRankAction.Deferred d) {
                services.toCoordinator(NbMessage.deferred(d.epoch(), d.resends()));
            } else if (a instanceof NbRankAction.Prepared p) {
                long[] t = timing.getOrDefault(p.epoch(), new long[3]);
                PieceRef piece = pieces.get(p.epoch());
                if (piece != null) {
                    services.toCoordinator(NbMessage.prepared(p.epoch(), t[0], t[1], t[1] + t[2], piece));
                }
            }
        }
    }

    /** On the writer thread: waits for the captured image, adds the policy data, writes the piece. */
    private void write(NbPolicyData data, CompletableFuture<RankImage> image) {
        RankImage captured;
        try {
            captured = image.get();
        } catch (java.util.concurrent.CancellationException e) {
            return; // abandoned meanwhile
        } catch (InterruptedException e) {
            return; // the rank's part in the attempt is over
        } catch (ExecutionException e) {
            throw new IllegalStateException("the image of epoch " + data.epoch() + " failed", e.getCause());
        }
        CheckpointId id = CheckpointId.of(data.epoch());
        RankImage complete = captured.withPolicyData(data.encode());
        services.aboutToWrite(id);
        long writing = services.nanoTime();
        PieceRef piece = services.writePiece(id, complete);
        long wrote = services.nanoTime() - writing;
        synchronized (this) {
            long[] t = timing.get(data.epoch());
            if (t != null) {
                t[2] = wrote;
            }
            pieces.put(data.epoch(), piece);
            protocol.onPieceWritten(data.epoch(), piece.size());
            drain();
        }
    }

    // ------------------------------------------------------------------ restore

    @Override
    public List<SavedMessage> onRestore(RankImage image) {
        NbPolicyData data = NbPolicyData.decode(image.policyData(), "the piece of rank " + me + " in checkpoint "
                + image.id());
        if (data.ranks() != n) {
            throw new IllegalStateException("checkpoint " + image.id() + " was taken with " + data.ranks() + " ranks");
        }
        List<NbCheckpointRecord.Late> lateIds = new ArrayList<>(data.late().size());
        long[] acceptedWithLate = data.acceptedUpTo().clone();
        for (int k = 0; k < data.late().size(); k++) {
            int from = data.late().get(k).source();
            lateIds.add(new NbCheckpointRecord.Late(from, data.lateSeqs()[k]));
            acceptedWithLate[from] = Math.max(acceptedWithLate[from], data.lateSeqs()[k]);
        }
        long[] suppress = services.exchange(data.acceptedUpTo(), 0); // what every peer already accepted from this rank
        Map<Long, Integer> digests = null;
        if (data.sent() != null) {
            digests = new HashMap<>();
            for (int k = 0; k < data.sent().size(); k++) {
                int to = data.sent().to(k);
                if (data.sent().seq(k) <= suppress[to]) {
                    digests.put(key(to, data.sent().seq(k)), data.sent().crc(k));
                }
            }
        }
        // What every peer had sent this rank when all had taken the checkpoint: it repeats exactly that much.
        long[] reproducible = services.exchange(data.sentWhenAllTook(), 4);
        services.determinants().replay(data.determinants(), reproducible);
        synchronized (this) {
            expected = digests;
            protocol = new NbRankProtocol(me, n, actions::add);
            // Epochs count on from the attempt's first checkpoint id less one, which is the restored epoch unless the
            // store holds newer (damaged) checkpoints: every rank restores the same checkpoint, so they agree.
            int base = Math.toIntExact(services.firstCheckpointId() - 1);
            protocol.restore(new RestartPlan.RankPlan(me, base, data.sentUpTo(), acceptedWithLate, suppress,
                    reproducible, lateIds));
            for (byte[] m : earlyControl) {
                apply(NbMessage.decode(m));
            }
            earlyControl.clear();
            drain();
        }
        services.installHook(this);
        services.exchange(new long[n], 1); // nobody sends restored traffic before every rank numbers it again
        return data.late();
    }
}
