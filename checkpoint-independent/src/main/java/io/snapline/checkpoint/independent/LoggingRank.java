package io.snapline.checkpoint.independent;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.checkpoint.independent.logging.EventRecord;
import io.snapline.checkpoint.independent.logging.HeldEvents;
import io.snapline.checkpoint.independent.logging.LoggingData;
import io.snapline.checkpoint.independent.logging.LoggingMessage;
import io.snapline.checkpoint.independent.logging.SendDigests;
import io.snapline.checkpoint.independent.logging.SenderLog;
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
import io.snapline.runtime.determinant.Determinant;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.determinant.Determinants;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rank half of {@code independent --logging pessimistic}: sender-based pessimistic message logging.
 *
 * <ul>
 *   <li><b>Sender log.</b> Every message the program sends is numbered on its channel and a copy of it is kept in
 *       this rank's {@link SenderLog} ({@link #beforeSend}); the log is saved with each local checkpoint, and the
 *       messages a receiver's verified checkpoint holds are dropped from it when the supervisor says so.</li>
 *   <li><b>Events made stable before every send.</b> The rank's determinant recorder records every non-deterministic
 *       outcome as one stream with positions; before a message leaves, what was recorded since the last send goes to
 *       the supervisor's event logger and the send waits until it is stable. No message can then depend on an
 *       outcome a restarted rank would not replay: no orphan.</li>
 *   <li><b>Restart.</b> Each rank restores its own newest checkpoint; the ranks exchange how many messages each has
 *       accepted from each; every rank sends again from its log what a peer has not accepted, suppresses the
 *       re-executed sends a peer already has, and replays its stream from its checkpoint's position, so that it
 *       re-executes exactly as before.</li>
 *   <li><b>A rank restarted alone</b> ({@link RankServices#incarnation()} above 0) while the others run on: the others
 *       drop what its dead incarnation still sends and say how much of its traffic they hold; it runs its setup code
 *       again against the messages its setup received (kept in its checkpoints, since nobody sends them again),
 *       restores its checkpoint, replays its stream, and the others send it again from their logs what it has not
 *       accepted, then go on. Messages carry the incarnations of sender and receiver ({@link #epoch}), so that
 *       whatever an incarnation that was superseded sent, or was sent, is dropped.</li>
 * </ul>
 *
 * <p>Threads: {@link #beforeSend}, {@link #atPoint} and {@link #onRestore} run on the program's thread;
 * {@link #onAccept} under the mailbox lock on any thread; {@link #onControl} on any thread.
 */
final class LoggingRank implements RankPolicy, TrafficHook {
    private final RankServices services;
    private final int n;
    private final int me;
    private final Schedule schedule;
    /** The cost of the last local checkpoint written, not yet given to the schedule: {index, nanos}, or null. */
    private final java.util.concurrent.atomic.AtomicReference<long[]> cost =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Replaced at the restore; read by {@link #onControl} on other threads. */
    private volatile SenderLog log;
    /** Messages numbered on each channel so far; program thread. */
    private long[] sentTo;
    /** Messages accepted from each rank so far; under the mailbox lock (hook calls and the capture's cut). */
    private long[] acceptedFrom;
    /** After a restore: what each peer had accepted from this rank (re-executed sends up to it are suppressed). */
    private long[] suppressTo;
    /** Positions below this were logged before the restore; a re-execution records them again and skips them. */
    private long loggedEnd;
    /** Receives logged unmatched before the restore whose match a replay decides freely, so it must be logged. */
    private Set<Long> loggedUnresolved = new HashSet<>();
    private long recordsSent;
    private volatile long recordsStable;
    /** {@code --logging causal}: the records this rank holds (its own until stable, and others'); null otherwise. */
    private final HeldEvents held;
    /** Per sender: its datums being put back together; under the mailbox lock. */
    private final HeldEvents.Assembler[] assemblers;
    /** The number of the last {@link LoggingMessage#CONTRIBUTE} sent, and of the last one acknowledged. */
    private long contributions;
    private volatile long contributed;
    private long next;
    private final LocalWrite write;
    private volatile boolean stopRequested;
    /** Digests of the messages sent since the last batch went to the supervisor; program thread. */
    private final SendDigests digests = SendDigests.batch();
    /** After a restore: by destination, by number, the digest of each message sent before that may be re-executed. */
    private Map<Integer, Map<Long, Integer>> expected = Map.of();
    /** The safe point the program passed last, for messages. */
    private long lastPoint;
    /** The supervisor asked for a checkpoint at the next safe point (a sender's log is filling up). */
    private volatile boolean checkpointSoon;
    /** A checkpoint asked for soon was skipped for the write in flight (reported once). */
    private boolean skippedSoon;
    /** {@code --log-memory}: the most the log keeps in memory; beyond it, it spills to disk. */
    private final long logLimit;
    /** {@code --log-disk}: the most the log may spill before the rank's sends wait; {@link Long#MAX_VALUE} if absent. */
    private final long diskLimit;
    /**
     * The log's size when the receivers were last asked to checkpoint (they are asked again past twice that); 0 once
     * a drop answered it.
     */
    private volatile long askedAt;
    /** How many drops have come from the supervisor; a waiting sender re-asks after each. */
    private volatile long drops;
    /** This rank's incarnation (0 unless it was restarted alone). */
    private final int myIncarnation;
    /** Per rank: its incarnation as this rank knows it, stamped on what is sent there; under the log's lock. */
    private int[] toIncarnation;
    /** Per rank: the oldest incarnation whose messages this rank accepts; under the mailbox lock. */
    private int[] fromIncarnation;
    /**
     * Per rank: 1 while it restarts alone and this rank has not been asked to send it again what it needs
     * ({@link LoggingMessage#RESEND}): nothing is sent to it from the log before then.
     */
    private final java.util.concurrent.atomic.AtomicIntegerArray awaitingResend;
    /**
     * Until the program's setup code ends ({@link #onSetupDone}): what the rank accepts is kept, by sender and number,
     * in the order it came ({@link #setupLog}), for a restart of this rank alone.
     */
    private volatile boolean inSetup;
    /** Guarded by itself. Values are null until a remote payload has been fetched. */
    private final java.util.LinkedHashMap<Long, SavedMessage> setupLog = new java.util.LinkedHashMap<>();
    /** What the rank had accepted from each when its setup ended; set then, or restored. */
    private long[] setupAccepted;
    /** Why the rank cannot restart alone; empty when it can. */
    private String setupRefusal = "";
    /** The messages of {@link #setupLog} once the setup ended, or restored. */
    private List<SavedMessage> setup = List.of();
    /** For a rank restarted alone: what the others said they hold ({@link LoggingMessage#REJOINED}). */
    private volatile LoggingMessage.Rejoined rejoined;

    LoggingRank(RankServices services) {
        this.services = services;
        this.n = services.size();
        this.me = services.rank();
        this.next = services.restoredId() + 1;
        this.schedule = Schedule.of(services.settings(), me, services.restoredId(), services.nanoTime());
        this.write = new LocalWrite(services);
        this.logLimit = IndependentPolicy.logMemory(services.settings(),
                Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4 / services.ranksInThisProcess()));
        this.diskLimit = IndependentPolicy.logDisk(services.settings());
        this.ownResent = new long[n][2];
        this.recorder = services.determinants();
        long heapForLog = Runtime.getRuntime().maxMemory() / Math.max(1, services.ranksInThisProcess()) / 6;
        this.checkpointLimit = Math.min(Math.min(Math.max(8 * logLimit, 256L << 20), CHECKPOINT_LOG), heapForLog);
        this.myIncarnation = services.incarnation();
        this.recordsSent = (long) myIncarnation << 40; // numbers follow those of the incarnations that died
        this.recordsStable = recordsSent;
        this.toIncarnation = new int[n];
        this.fromIncarnation = new int[n];
        this.awaitingResend = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        boolean causal = IndependentPolicy.logging(services.settings()).equals(IndependentPolicy.CAUSAL);
        this.held = causal ? new HeldEvents(n, me) : null;
        this.assemblers = new HeldEvents.Assembler[n];
        for (int s = 0; s < n; s++) {
            assemblers[s] = new HeldEvents.Assembler();
        }
        if (myIncarnation == 0 && services.restoredId() == 0) {
            log = newLog();
            sentTo = new long[n];
            acceptedFrom = new long[n];
            inSetup = true;
            services.determinants().record(new Determinants.Mark(0, null)); // a stream, continued after restores
            services.installHook(this);
            services.exchange(new long[n], 2); // nobody sends before every rank numbers and counts its traffic
        }
    }

    /** A rank restarted alone rejoins the others (see {@link #rejoin}). */
    @Override
    public void onStart() {
        if (myIncarnation > 0) {
            rejoin();
        }
    }

    /** Where this rank's log keeps what does not fit in {@code --log-memory}. */
    private SenderLog.Bound bound() {
        return new SenderLog.Bound(logLimit, services.scratchDirectory(), "rank-" + me + "-log-",
                services.settings().compression());
    }

    private SenderLog newLog() {
        return new SenderLog(n, bound());
    }

    /** Puts {@code next} in place of the log (under the new log's lock) and frees the old one's spill files. */
    private void replaceLog(SenderLog next) {
        SenderLog old = log;
        next.lock();
        try {
            log = next;
        } finally {
            next.unlock();
        }
        if (old != null && old != next) {
            old.close();
        }
    }

    /** The stamp of a message from incarnation {@code from} of its sender to incarnation {@code to} of its receiver. */
    static int epoch(int to, int from) {
        return to << 16 | from;
    }

    /**
     * This rank restarts alone: waits until the others have said what they hold from it (they drop whatever its dead
     * incarnation still sends from then on), then either starts from the beginning (the others send it again
     * everything they sent it, and its stream is replayed from its start) or runs its setup code again against what
     * its setup received, until the restore at {@code Checkpoint.restoreOr} ({@link #onRestore}). Until the others
     * learn of it at the restore, everything they send this incarnation is dropped: their logs hold it.
     */
    private void rejoin() {
        LoggingData restored = services.restoredId() == 0 ? null : LoggingData.decode(
                services.restoredImage().policyData(), n, "rank " + me + "'s local checkpoint " + services.restoredId());
        if (restored != null) {
            // Causal: before its answer, so that a rank restarting at the same time replays what it depends on.
            contribute(restored.held());
        }
        // What this incarnation will hold once restored: the others' answer about it if they restart too.
        services.toCoordinator(LoggingMessage.holds(restored == null ? new long[n] : restored.acceptedFrom(),
                restored == null ? 0 : restored.mark().position()));
        services.await(() -> rejoined != null, "waiting for the other ranks to say which of its messages they hold, "
                + "to restart alone");
        LoggingMessage.Rejoined j = rejoined;
        suppressTo = j.accepted().clone();
        int[] to = j.incarnations().clone();
        for (int s = 0; s < n; s++) {
            if (j.restarting()[s]) {
                // Restarting too: what is sent to its new incarnation before it asks waits in the log (it would drop
                // it at its restore, and whatever came after would overtake it).
                to[s]--;
                awaitingResend.set(s, 1);
            }
        }
        to[me] = myIncarnation;
        toIncarnation = to;
        services.atomically(() -> {
            // A peer that began restarting since the answer was sent has told this rank already (PEER_RESTARTING).
            int[] from = j.incarnations().clone();
            for (int s = 0; s < n; s++) {
                from[s] = Math.max(from[s], fromIncarnation[s]);
            }
            from[me] = myIncarnation;
            fromIncarnation = from;
            return null;
        });
        sentTo = new long[n];
        if (services.restoredId() == 0) {
            replaceLog(newLog());
            acceptedFrom = new long[n];
            inSetup = true;
            readStream(sentTo, new Determinants.Mark(0, null));
            services.installHook(this);
            services.toCoordinator(LoggingMessage.restored(acceptedFrom));
            return;
        }
        LoggingData data = LoggingData.decode(services.restoredImage().policyData(), n,
                "rank " + me + "'s local checkpoint " + services.restoredId());
        replaceLog(newLog()); // the setup's own sends, if a peer does not hold them yet
        acceptedFrom = data.setupAccepted().clone();
        suppressTo[me] = acceptedFrom[me]; // what it sent itself in its setup is in the refill
        services.refill(data.setup());
        services.installHook(this);
    }

    // ------------------------------------------------------------------ TrafficHook

    @Override
    public boolean beforeSend(Outgoing m) {
        makeStable();
        int dest = m.dest();
        long seq = sentTo[dest] + 1;
        SenderLog l = log;
        boolean suppressed = false;
        // Only after a restart is anything suppressed (the program thread sets suppressTo); a resend to a receiver
        // that restarted lowers what it holds (resendTo) under the log's lock, so the decision is taken under it.
        if (suppressTo != null) {
            l.lock();
            try {
                suppressed = seq <= suppressTo[dest];
                if (suppressed) {
                    sentTo[dest] = seq;
                    // Logged all the same: should the receiver fail and restart from an older checkpoint before one
                    // that holds it is verified, it needs it again. Nothing is logged twice or after it was dropped.
                    if (l.accepts(dest, seq)) {
                        l.appendHeld(dest, seq, me, m.context(), m.tag(), m.type(), m.elements(), m.payloadBytes(),
                                payloadOf(m));
                    }
                }
            } finally {
                l.unlock();
            }
        }
        if (suppressed) {
            checkReexecuted(m, dest, seq);
            return false; // re-executed: the receiver's restored checkpoint holds it already
        }
        waitWhileLogFull();
        l = log;
        // Numbered, logged and stamped under the log's lock, which a resend to a restarted rank holds throughout: a
        // message stamped with the receiver's new incarnation goes after everything sent to it again. A small
        // message on shm is logged after it went into the ring (afterSend), the lock held from its numbering until
        // then: the copy into the log overlaps with the receiver taking the message, and no resend, drop or
        // checkpoint of the log comes between.
        boolean after = m.followedByAfterSend();
        l.lock();
        int crc = 0;
        try {
            sentTo[dest] = seq;
            if (!after) {
                crc = l.appendHeld(dest, seq, me, m.context(), m.tag(), m.type(), m.elements(), m.payloadBytes(),
                        payloadOf(m));
            }
            int stamp = epoch(toIncarnation[dest], myIncarnation);
            if (held != null && dest != me && !held.isEmpty()) {
                giveHeld(dest, stamp);
            }
            m.stamp(stamp, seq);
            if (after) {
                pendingDest = dest;
                pendingSeq = seq;
                if (pendingLog != l) {
                    pendingLog = l;
                }
                return true; // the lock is released in afterSend
            }
        } catch (RuntimeException | Error e) {
            if (after) {
                l.unlock();
            }
            throw e;
        } finally {
            if (!after) {
                l.unlock();
            }
        }
        logged(m, dest, seq, crc);
        return true;
    }

    /** The log a small message is being sent under (its lock held since beforeSend); program thread. */
    private SenderLog pendingLog;
    /** The destination and number of that message, to log in afterSend; {@code pendingSeq} 0 when none is pending. */
    private int pendingDest;
    private long pendingSeq;

    /** The small message beforeSend numbered and stamped is out: logs it and releases the log's lock. */
    @Override
    public void afterSend(Outgoing m) {
        long seq = pendingSeq;
        if (seq == 0) {
            return;
        }
        pendingSeq = 0;
        int dest = pendingDest;
        SenderLog l = pendingLog;
        int crc;
        try {
            crc = l.appendHeld(dest, seq, me, m.context(), m.tag(), m.type(), m.elements(), m.payloadBytes(),
                    payloadOf(m));
        } finally {
            l.unlock();
        }
        logged(m, dest, seq, crc);
    }

    /** A message sent was logged with digest {@code crc}: its digest goes into the batch, and the log's size is watched. */
    private void logged(Outgoing m, int dest, long seq, int crc) {
        if (!m.objects()) { // equal objects need not encode equally (a map's order), so they are not checked
            digests.add(dest, seq, crc);
            if (digests.size() >= DIGESTS_PER_BATCH) {
                shipDigests();
            }
        }
        askWhenFillingUp();
    }

    /**
     * {@code m}'s payload as the log takes it: one writer for every send (program thread), pointed at the message for
     * the duration of {@link #beforeSend}, rather than an object per message.
     */
    private SenderLog.Payload payloadOf(Outgoing m) {
        sending.message = m;
        return sending;
    }

    private final OutgoingPayload sending = new OutgoingPayload();

    /** Writes the payload of the message being sent into the log. */
    private static final class OutgoingPayload implements SenderLog.Payload {
        Outgoing message;

        @Override
        public void writeTo(byte[] dst, int offset) {
            Outgoing m = message;
            message = null; // the log writes a payload once; the message is not kept beyond the send
            m.writePayload(dst, offset);
        }
    }

    /**
     * Causal: sends {@code dest}, ahead of what follows on the channel and stamped as it, the records it may not have
     * (see {@link HeldEvents}).
     */
    private void giveHeld(int dest, int stamp) {
        List<HeldEvents.Held> give = held.toGive(dest);
        if (!give.isEmpty()) {
            for (byte[] datum : HeldEvents.datums(give, stamp)) {
                services.sendDatum(dest, datum);
            }
        }
    }

    /**
     * Causal: records that come ahead of a message from {@code source}. Those sent to an incarnation of this rank that
     * died, or by an incarnation of the sender that died, are dropped with the messages they came with.
     */
    @Override
    public void onDatum(int source, byte[] datum) {
        if (held == null) {
            return;
        }
        int stamp = HeldEvents.stampOf(datum);
        if (stamp >>> 16 < myIncarnation || (stamp & 0xffff) < fromIncarnation[source]) {
            assemblers[source].reset();
            return;
        }
        List<HeldEvents.Held> records = assemblers[source].take(datum, "the event records from rank " + source);
        if (records != null) {
            List<HeldEvents.Held> late = held.add(records, origin -> (long) fromIncarnation[origin] << 40);
            if (!late.isEmpty()) {
                reportLate(late);
            }
        }
    }

    /**
     * Records of failed incarnations that this rank had not held when it said what it held of them: a rank that has
     * failed since passed them on before it failed. A restart that has begun without them may replay those outcomes
     * otherwise, so the supervisor checks them against what it gave the restarted rank (from a thread of its own:
     * this runs under the mailbox lock).
     */
    private void reportLate(List<HeldEvents.Held> late) {
        Thread t = new Thread(() -> {
            for (List<HeldEvents.Held> piece : LoggingMessage.pieces(late)) {
                services.toCoordinator(LoggingMessage.late(piece));
            }
        }, "snapline-late-" + me);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Causal: hands the event logger the other ranks' records that a restored checkpoint held ({@code encoded}), and
     * waits until they are in its streams: the restored state may depend on them, and this rank does not hold them
     * again.
     */
    private void contribute(byte[] encoded) {
        if (held == null || encoded.length == 0) {
            return;
        }
        List<HeldEvents.Held> records = HeldEvents.decode(encoded, "rank " + me + "'s held event records");
        if (records.isEmpty()) {
            return;
        }
        long number = ++contributions;
        sendRecords(records, number);
        services.await(() -> contributed >= number, "handing the event logger the other ranks' events its "
                + "checkpoint held");
    }

    /**
     * Sends the supervisor {@code records} to append to their origins' streams, in messages that fit a control frame;
     * the last one numbered {@code number} (0: not answered).
     */
    private void sendRecords(List<HeldEvents.Held> records, long number) {
        List<List<HeldEvents.Held>> pieces = LoggingMessage.pieces(records);
        for (int k = 0; k < pieces.size(); k++) {
            services.toCoordinator(LoggingMessage.contribute(k == pieces.size() - 1 ? number : 0, pieces.get(k)));
        }
    }

    /** Digests sent to the supervisor at once (and at every safe point). */
    static final int DIGESTS_PER_BATCH = 1024;

    private void shipDigests() {
        services.toCoordinator(LoggingMessage.digests(digests));
    }

    /**
     * A re-executed send that its receiver already has must carry what it carried before the restart: the
     * piecewise-deterministic contract. One whose digest reached the supervisor is checked; other content ends the
     * job, naming the send, rather than letting the rank go on in a state its receivers never saw.
     */
    private void checkReexecuted(Outgoing m, int dest, long seq) {
        Map<Long, Integer> byNumber = expected.get(dest);
        Integer want = byNumber == null ? null : byNumber.remove(seq);
        if (want == null) {
            return;
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(m.save().payload());
        // A part of agreeing a new communicator's context id is the rank's count of communicators created so far, which
        // a rank restarted alone has fewer of: it differs, and the agreement still gives the context agreed before
        // (it takes the others' results, which it gets again from their logs). The id agreed is checked.
        if ((int) crc.getValue() == want || m.agreesContext()) {
            return;
        }
        String reason = m.confirmsContext()
                ? "rank " + me + ", restarted, created a communicator again after safe point " + lastPoint
                    + " (Dup, Split, Create, Create_cart or the like) and agreed another context id for it than "
                    + "before: more than two ranks next to each other in the communicator restarted together while "
                    + "creating it, and the others' logs cannot give them the id agreed then. Create communicators "
                    + "in setup code, before the first Checkpoint.point, and keep them, or use a coordinated policy, "
                    + "whose restarts re-create them on every rank"
                : "rank " + me + " re-executed its send to rank " + dest + " (tag " + m.tag() + ", message " + seq
                    + " on that channel, after safe point " + lastPoint + ") with other content than it sent before "
                    + "the restart: it does not re-execute as it ran, so its receivers and its own state would "
                    + "disagree. Make what it sends depend only on its messages and the results of MPI calls, not on "
                    + "clocks, unseeded random numbers or thread timing (docs/checkpointing.md, the "
                    + "piecewise-deterministic contract)";
        services.toCoordinator(LoggingMessage.fail(reason));
        services.await(() -> false, "ending the job: a re-executed send differs from the original");
    }

    @Override
    public int onAccept(Envelope e) {
        int source = e.source();
        int stamp = e.epoch();
        if (stamp == SETUP_TRAFFIC) {
            // A peer's setup code re-executed in a whole restart, before its restore: neither numbered nor counted.
            // A rank restarted alone gets its setup messages from its own checkpoint, never from the wire.
            return myIncarnation > 0 ? DROP : KEEP;
        }
        if (stamp >>> 16 < myIncarnation || (stamp & 0xffff) < fromIncarnation[source]
                || e.seq() > 0 && e.seq() <= acceptedFrom[source]) {
            // Sent to an incarnation of this rank that died, or by one of the sender's that died, or sent again:
            // what the current incarnations need comes again from their logs and re-executions.
            return DROP;
        }
        if (e.seq() > acceptedFrom[source] + 1) {
            // A message numbered past one this rank never got: taking it would lose that one for good. It cannot
            // happen while the protocol holds; should it, the job ends rather than computing without it.
            gap(source, acceptedFrom[source] + 1, e.seq());
            return DROP;
        }
        if (e.seq() > 0) {
            acceptedFrom[source] = e.seq();
        }
        if (inSetup) {
            synchronized (setupLog) {
                if (setupLog.size() >= SETUP_MESSAGES) {
                    endSetupLog(SETUP_MESSAGES + " messages");
                    return KEEP;
                }
                setupLog.put(setupKey(source, e.seq()), null);
            }
            return LOG;
        }
        return KEEP;
    }

    /** The most messages, and bytes, the setup's log keeps: a setup beyond them cannot be repeated alone. */
    static final int SETUP_MESSAGES = 65_536;
    static final long SETUP_BYTES = 64L << 20;
    /** Bytes the setup's log holds; under its lock. */
    private long setupBytes;

    /**
     * The setup has received more than its log keeps (a program that registers its state late, or never): the log is
     * dropped, and the rank cannot restart alone.
     */
    private void endSetupLog(String what) {
        inSetup = false;
        setupLog.clear();
        refuseAlone("its setup code (before its first Checkpoint.restoreOr or safe point) received more than " + what
                + ", which a restart of it alone would need kept in every checkpoint");
    }

    /** The stamp of messages of setup code re-executed in a whole restart (the dependency tracker's). */
    private static final int SETUP_TRAFFIC = -1;

    private static long setupKey(int source, long seq) {
        return (long) source << 40 | seq;
    }

    /** Ends the job (from a thread of its own: this runs under the mailbox lock) over a gap in a channel, once. */
    private void gap(int source, long expected, long got) {
        if (gapReported) {
            return;
        }
        gapReported = true;
        String reason = "rank " + me + " (incarnation " + myIncarnation + ") got message " + got + " from rank "
                + source + " before message " + expected + ": a message would be lost, so the job ends";
        Thread t = new Thread(() -> services.toCoordinator(LoggingMessage.fail(reason)), "snapline-gap-" + me);
        t.setDaemon(true);
        t.start();
    }

    /** Whether a gap was reported (under the mailbox lock). */
    private boolean gapReported;

    /** A message accepted during the setup: kept for a restart of this rank alone. */
    @Override
    public void log(Envelope e, SavedMessage saved) {
        synchronized (setupLog) {
            if (setupLog.replace(setupKey(e.source(), e.seq()), saved) == null && inSetup) {
                setupBytes += saved.payload().length;
                if (setupBytes > SETUP_BYTES) {
                    endSetupLog((SETUP_BYTES >> 20) + " MiB");
                }
            }
        }
    }

    /**
     * The setup is over: what it accepted is kept with every checkpoint from now on, since a restart of this rank
     * alone runs the setup code again and nobody sends those messages again. A setup that made a non-deterministic
     * call (a wildcard receive, a probe, a test) cannot be repeated alone exactly: the whole job restarts instead.
     */
    @Override
    public void onSetupDone() {
        if (!inSetup) {
            return;
        }
        services.atomically(() -> {
            inSetup = false;
            setupAccepted = acceptedFrom.clone();
            return null;
        });
        if (services.hasPendingReceives()) {
            refuseAlone("a receive its setup code posted (before its first Checkpoint.restoreOr) was still pending "
                    + "then: what completes it afterwards is not among the messages its setup kept");
            return;
        }
        Determinants.Mark mark = services.determinants().mark();
        if (mark.position() > 0 || mark.open() != null) {
            refuseAlone("its setup code, before its first Checkpoint.restoreOr, made a non-deterministic call (a "
                    + "wildcard receive, a probe or a test), which a restart of it alone could not repeat exactly");
        }
    }

    private void refuseAlone(String why) {
        setupRefusal = why;
        services.cannotRestartAlone(why);
    }

    /** The setup's messages, once all have arrived whole. */
    private List<SavedMessage> setupMessages() {
        synchronized (setupLog) {
            if (setupLog.isEmpty()) {
                return setup;
            }
            if (setupLog.containsValue(null)) {
                return null;
            }
            setup = List.copyOf(setupLog.values());
            setupLog.clear();
            return setup;
        }
    }

    /**
     * A quarter of the log's memory bound, or of what a checkpoint may hold of it ({@link #checkpointLimit}) when that
     * is less: the receivers are asked well before the rank would skip its checkpoints for the size of its log.
     */
    private long askStep() {
        return Math.max(1, Math.min(logLimit, checkpointLimit) / 4);
    }

    /**
     * Past {@link #askStep} (memory and spilled together) the receivers are asked to checkpoint at their next safe
     * point (their verified checkpoints let the log drop what they hold), and again each time the log has grown by
     * another step since the last ask or drop: before the log spills when they pass safe points often enough, and no
     * more often than that when they do not.
     */
    private void askWhenFillingUp() {
        SenderLog l = log;
        long bytes = l.totalBytes();
        long step = askStep();
        if (bytes > step && bytes >= askedAt + step) {
            askedAt = bytes;
            services.toCoordinator(LoggingMessage.logFull(l.destinations()));
        }
    }

    /**
     * With {@code --log-disk} given, a log whose spilled part is full holds the rank's next send back until drops make
     * room, asking the receivers again after each drop that left it full: the disk it takes stays bounded, and a
     * program whose receivers never pass a safe point ends in a deadlock report that names this wait, rather than
     * filling the disk. Without it nothing is held back (a correct program must not deadlock for a bound it did not ask
     * for): the log spills for as long as the disk has room.
     */
    private void waitWhileLogFull() {
        while (diskLimit != Long.MAX_VALUE && log.spilledBytes() > diskLimit) {
            long seen = drops;
            services.toCoordinator(LoggingMessage.logFull(log.destinations()));
            services.await(() -> log.spilledBytes() <= diskLimit || drops != seen, "waiting until ranks "
                    + java.util.Arrays.toString(log.destinations()) + " checkpoint, so that its message log, full at "
                    + "--log-memory " + logLimit + " bytes in memory and --log-disk " + diskLimit + " bytes spilled, "
                    + "can drop what they hold (they checkpoint at their next Checkpoint.point)");
        }
    }

    /**
     * Sends what was recorded since the last send to the event logger and waits until it is stable. A re-executing
     * rank records again what it had logged before the restore: that part is skipped, except the matches of receives
     * that were logged unmatched.
     */
    private void makeStable() {
        Determinants recorder = this.recorder;
        if (!recorder.undrained() && (held != null || recordsStable >= recordsSent)) {
            return; // nothing recorded since the last send, and that is stable or causal: no lock taken
        }
        Determinants.Drained d = recorder.drainAll();
        if (!d.isEmpty()) {
            EventRecord record = unlogged(d);
            if (record != null) {
                long number = ++recordsSent;
                byte[] encoded = record.encode();
                if (held != null) {
                    held.own(number, encoded); // causal: goes ahead of the next messages until it is stable
                }
                services.toCoordinator(LoggingMessage.events(number, encoded));
            }
        }
        if (held == null && recordsStable < recordsSent) {
            long wanted = recordsSent;
            services.await(() -> recordsStable >= wanted, "making its recorded events stable before it sends");
        }
    }

    private EventRecord unlogged(Determinants.Drained d) {
        List<Determinant> events = d.events().events();
        List<Determinants.Resolution> resolved = new ArrayList<>();
        for (Determinants.Resolution r : d.resolved()) {
            if (r.position() >= loggedEnd || loggedUnresolved.remove(r.position())) {
                resolved.add(r);
            }
        }
        long first = d.first();
        if (first < loggedEnd) {
            int skip = (int) Math.min(events.size(), loggedEnd - first);
            for (int k = 0; k < skip; k++) {
                long p = first + k;
                if (events.get(k) instanceof Determinant.Received rc && rc.matched() != null
                        && loggedUnresolved.remove(p)) {
                    resolved.add(new Determinants.Resolution(p, rc.matched()));
                }
            }
            events = events.subList(skip, events.size());
            first += skip;
        }
        if (events.isEmpty() && resolved.isEmpty()) {
            return null;
        }
        return new EventRecord(first, new DeterminantLog(List.copyOf(events)), resolved);
    }

    // ------------------------------------------------------------------ safe points

    @Override
    public void atPoint(long point) {
        lastPoint = point;
        if (digests.size() > 0) {
            shipDigests();
        }
        if (stopRequested || services.sawPeerFailure()) {
            stopForRestart(point);
        }
        long start = services.nanoTime();
        LocalWrite.measured(cost, schedule, start, services);
        if (!schedule.due(point, start) && !checkpointSoon) {
            return;
        }
        boolean soon = checkpointSoon;
        checkpointSoon = false;
        if (!write.admit(point, soon && skippedSoon)) { // skipped (--async): the previous one is still being written
            checkpointSoon = soon; // asked for: taken as soon as the write is done, reported skipped once
            skippedSoon = soon;
            schedule.taken(services.nanoTime());
            return;
        }
        skippedSoon = false;
        SenderLog l = log;
        services.toCoordinator(LoggingMessage.logSize(l.bytes(), l.peakBytes(), l.spilledBytes(),
                l.spilledPeakBytes()));
        if (tooLargeToCheckpoint(l, point)) {
            return;
        }
        long index = next++;
        Taken taken = take(point, index);
        long blocked = services.nanoTime() - start;
        schedule.taken(services.nanoTime());
        write.start(index, () -> {
            services.aboutToWrite(CheckpointId.of(index));
            long writing = services.nanoTime();
            PieceRef piece = services.writeLocal(index, taken.image());
            cost.set(new long[] {index, blocked + services.nanoTime() - writing});
            services.toCoordinator(taken.report(index, point, piece.size(), blocked));
            services.wake();
        });
    }

    private record Taken(RankImage image, LoggingData data) {
        /** The report of the checkpoint once written: {@code bytes} long, holding the rank back {@code blocked}. */
        byte[] report(long index, long point, long bytes, long blocked) {
            return new LoggingMessage.Checkpointed(index, point, bytes, blocked, data.mark().position(),
                    data.acceptedFrom(), data.sentTo()).encode();
        }
    }

    /**
     * Captures the image with what the policy adds: the counts, the stream's position and the sender log. The
     * accepted counts are taken under the mailbox lock, at the instant the unreceived messages saved in the image are.
     */
    private Taken take(long point, long index) {
        Determinants.Mark mark = services.determinants().mark();
        long[] sent = sentTo.clone();
        byte[] logged = log.encode();
        long[][] accepted = new long[1][];
        RankImage image = services.capture(point, Cut.decidedBy(() -> {
            accepted[0] = acceptedFrom.clone();
            return CheckpointId.of(index);
        }));
        List<SavedMessage> setupNow = setupMessages();
        String refusal = setupNow != null ? setupRefusal
                : "a message its setup received had not arrived whole when it checkpointed";
        byte[] heldNow = held == null ? new byte[0] : HeldEvents.encode(held.others());
        LoggingData data = new LoggingData(sent, accepted[0], mark, setupAccepted == null ? new long[n] : setupAccepted,
                refusal, setupNow == null ? List.of() : setupNow, heldNow, logged);
        return new Taken(image.withPolicyData(data.encode()), data);
    }

    /**
     * Whether the log holds more than a checkpoint takes of it ({@link #checkpointLimit}: a checkpoint reads the
     * spilled part back into memory and is one piece of at most 2 GiB). That is at least four times the size at which
     * the receivers are first asked to checkpoint ({@link #askStep}), so that ranks sending to each other do not all skip at once unless they
     * send each other that much between safe points. The rank then skips its checkpoints, saying so once and asking
     * its receivers to checkpoint, until their checkpoints let the log drop what they hold. Skipping is safe: the
     * others' logs keep what it needs to go back to its previous checkpoint.
     */
    private boolean tooLargeToCheckpoint(SenderLog l, long point) {
        long bytes = l.totalBytes();
        long limit = checkpointLimit;
        if (bytes <= limit) {
            toldTooLarge = false;
            return false;
        }
        if (!toldTooLarge) {
            toldTooLarge = true;
            services.toCoordinator(LoggingMessage.logFull(l.destinations()));
            services.toCoordinator(LoggingMessage.warn("rank " + me + " skips its checkpoints from safe point " + point
                    + " on: its message log holds " + bytes + " bytes, more than a checkpoint takes (" + limit
                    + " bytes); it checkpoints again once the ranks it sent them to have checkpointed (they are asked "
                    + "to)"));
        }
        return true;
    }

    /** Whether the rank has said it skips checkpoints for the size of its log (said again after it checkpointed). */
    private boolean toldTooLarge;

    /** The most of its message log a checkpoint ever holds (memory and spilled). */
    static final long CHECKPOINT_LOG = 1L << 30;

    /**
     * The most of its log a checkpoint holds ({@link #tooLargeToCheckpoint}): eight times {@code --log-memory}, at
     * least 256 MiB, at most {@link #CHECKPOINT_LOG}, and at most a sixth of the rank's share of the heap, since the
     * capture holds the log about three times over (read back, in the policy's data, in the encoded image) while the
     * log itself keeps up to {@code --log-memory} (by default a quarter of the share).
     */
    private final long checkpointLimit;

    /**
     * Another rank died and the job will restart: this rank checkpoints here, at its first safe point since (unless
     * an operation of its own failed because of the death), and waits to be stopped.
     */
    private void stopForRestart(long point) {
        long index = 0;
        write.await();
        if (!services.sawPeerFailure() && !tooLargeToCheckpoint(log, point)) {
            long start = services.nanoTime();
            index = next++;
            Taken taken = take(point, index);
            long blocked = services.nanoTime() - start;
            PieceRef piece = services.writeLocal(index, taken.image());
            services.toCoordinator(taken.report(index, point, piece.size(), blocked));
        }
        services.toCoordinator(LocalReport.stopped(point, index));
        services.await(() -> false, "stopped at safe point " + point + " for the restart");
    }

    @Override
    public void onControl(byte[] message) {
        if (LocalReport.isStop(message)) {
            stopRequested = true;
            services.wake();
            return;
        }
        switch (LoggingMessage.type(message)) {
            case LoggingMessage.STABLE -> {
                long k = LoggingMessage.number(message);
                if (k > recordsStable) {
                    recordsStable = k;
                }
                if (held != null) {
                    held.stable(me, k);
                }
                services.wake();
            }
            case LoggingMessage.STABLE_ALL -> {
                if (held != null) {
                    held.stableAll(LoggingMessage.stableAllOf(message));
                }
            }
            case LoggingMessage.CONTRIBUTED -> {
                contributed = Math.max(contributed, LoggingMessage.number(message));
                services.wake();
            }
            case LoggingMessage.CHECKPOINT_SOON -> checkpointSoon = true;
            case LoggingMessage.PEER_RESTARTING -> {
                LoggingMessage.Peer p = LoggingMessage.Peer.decode(message);
                awaitingResend.set(p.rank(), 1);
                long[] count = new long[1];
                List<HeldEvents.Held> records = services.atomically(() -> {
                    fromIncarnation[p.rank()] = Math.max(fromIncarnation[p.rank()], p.incarnation());
                    assemblers[p.rank()].reset();
                    // A rank restarting alone itself has no counts yet: the supervisor takes its HOLDS instead.
                    count[0] = acceptedFrom == null ? 0 : acceptedFrom[p.rank()];
                    // Causal: what it replays of what this rank's state depends on (taken with the count).
                    return held == null ? List.<HeldEvents.Held>of() : held.of(p.rank());
                });
                if (held != null) {
                    held.resetGiven(p.rank());
                }
                List<List<HeldEvents.Held>> pieces = LoggingMessage.pieces(records);
                for (int k = 0; k < pieces.size() - 1; k++) {
                    services.toCoordinator(LoggingMessage.contribute(0, pieces.get(k)));
                }
                services.toCoordinator(LoggingMessage.accepted(new LoggingMessage.Peer(p.rank(), p.incarnation(),
                        count[0]), pieces.get(pieces.size() - 1)));
            }
            case LoggingMessage.RESEND -> {
                LoggingMessage.Peer p = LoggingMessage.Peer.decode(message);
                Thread t = new Thread(() -> resendTo(p.rank(), p.incarnation(), p.number()),
                        "snapline-resend-" + me + "-to-" + p.rank());
                t.setDaemon(true);
                t.start();
            }
            case LoggingMessage.REJOINED -> {
                rejoined = LoggingMessage.Rejoined.decode(message);
                services.wake();
            }
            case LoggingMessage.DROP -> {
                long[] d = LoggingMessage.dropOf(message);
                SenderLog l = log;
                if (l != null) {
                    l.dropThrough((int) d[0], d[1]);
                    askedAt = l.totalBytes();
                    drops++;
                    services.wake();
                }
            }
            default -> throw new IllegalArgumentException("a logging rank does not accept message type "
                    + (message.length == 0 ? "(empty)" : message[0]));
        }
    }

    @Override
    public void finish() {
        write.await();
        SenderLog l = log;
        if (l != null) {
            services.toCoordinator(LoggingMessage.logSize(l.bytes(), l.peakBytes(), l.spilledBytes(),
                    l.spilledPeakBytes()));
        }
        if (held != null) {
            services.toCoordinator(LoggingMessage.heldSize(held.size()[1]));
        }
    }

    /**
     * Rank {@code rank} restarted alone as {@code incarnation} and has restored what it had accepted from this rank up
     * to message {@code after}: sends it again what the log holds beyond, then stamps what follows for the new
     * incarnation, all under the log's lock, so that nothing new overtakes what is sent again.
     */
    private void resendTo(int rank, int incarnation, long after) {
        SenderLog l = log;
        try {
            l.lock();
            try {
                if (incarnation < toIncarnation[rank]) {
                    return; // the resend to an incarnation that has died since: the newer one's does it
                }
                if (incarnation == toIncarnation[rank] && awaitingResend.get(rank) == 0 && suppressTo != null
                        && after >= suppressTo[rank]) {
                    // One this rank did already when it restored itself (it learnt of the other's restore before).
                    services.toCoordinator(new LoggingMessage.Resent(rank, incarnation, ownResent[rank][0],
                            ownResent[rank][1]).encode());
                    return;
                }
                toIncarnation[rank] = incarnation;
                awaitingResend.set(rank, 0);
                if (suppressTo != null) {
                    // It restored less than it had said it held (it failed in turn): re-executed sends beyond what it
                    // holds now go to it.
                    suppressTo[rank] = Math.min(suppressTo[rank], after);
                }
                try {
                    l.requireAfter(rank, after);
                } catch (IllegalStateException e) {
                    services.toCoordinator(LoggingMessage.fail("rank " + rank + " cannot restart exactly: rank " + me
                            + "'s log " + e.getMessage()));
                    return;
                }
                long[] sent = new long[2];
                if (held != null) {
                    held.resetGiven(rank);
                    giveHeld(rank, epoch(incarnation, myIncarnation)); // what the messages sent again depend on
                }
                resendFromLog(l, rank, after, epoch(incarnation, myIncarnation), sent);
                services.toCoordinator(new LoggingMessage.Resent(rank, incarnation, sent[0], sent[1]).encode());
            } finally {
                l.unlock();
            }
        } catch (CheckpointException e) {
            // The spilled log could not be read back: what the rank needs is lost, so the job ends.
            services.toCoordinator(LoggingMessage.fail("rank " + rank + " cannot restart exactly: rank " + me
                    + "'s log " + e.getMessage()));
        } catch (RuntimeException | Error e) {
            // This rank died or the job ended meanwhile: what it did not send again comes with its own restart.
        }
    }

    // ------------------------------------------------------------------ restore

    @Override
    public List<SavedMessage> onRestore(RankImage image) {
        String where = "rank " + me + "'s local checkpoint " + image.id();
        LoggingData data = LoggingData.decode(image.policyData(), n, where);
        lastPoint = image.point();
        setupAccepted = data.setupAccepted().clone();
        setup = data.setup();
        setupRefusal = data.setupRefusal();
        if (!setupRefusal.isEmpty()) {
            services.cannotRestartAlone(setupRefusal);
        }
        if (myIncarnation > 0) {
            restoreAlone(data);
            return List.of();
        }
        replaceLog(SenderLog.decode(data.log(), me, n, where, bound()));
        sentTo = data.sentTo().clone();
        acceptedFrom = data.acceptedFrom().clone();
        contribute(data.held()); // causal: in the streams before any rank reads its own (after the exchange)
        suppressTo = services.exchange(acceptedFrom, 0); // what each peer's restored checkpoint holds from this rank
        readStream(data.sentTo(), data.mark());
        services.installHook(this);
        services.exchange(new long[n], 1); // every rank counts what it accepts before anything is sent again
        resendOwn();
        return List.of();
    }

    /**
     * This rank, restarted alone, has run its setup code again and restores its checkpoint: what the setup left
     * unreceived is dropped (the image holds what was unreceived at the checkpoint), the counts become the
     * checkpoint's, its stream is replayed from the checkpoint's position, the others are told what it holds from each
     * (they send it the rest again), and it sends again from its own log what they do not hold.
     */
    private void restoreAlone(LoggingData data) {
        String where = "rank " + me + "'s local checkpoint " + services.restoredId();
        services.dropUnreceived();
        replaceLog(SenderLog.decode(data.log(), me, n, where, bound()));
        sentTo = data.sentTo().clone();
        services.atomically(() -> {
            acceptedFrom = data.acceptedFrom().clone();
            return null;
        });
        suppressTo[me] = acceptedFrom[me]; // what it sent itself is in its image, or received
        readStream(data.sentTo(), data.mark());
        services.toCoordinator(LoggingMessage.restored(acceptedFrom));
        resendOwn();
    }

    /**
     * Reads this rank's event stream and digests, and replays the stream from {@code mark}; {@code sentBefore}: what
     * the rank had sent on each channel at that point (later sends a peer holds are checked against their digests).
     */
    private void readStream(long[] sentBefore, Determinants.Mark mark) {
        List<EventRecord> records = new ArrayList<>();
        List<byte[]> stored = services.readEvents();
        Map<Integer, Map<Long, Integer>> digestsOf = new HashMap<>();
        for (int k = 0; k < stored.size(); k++) {
            String what = "record " + (k + 1) + " of rank " + me + "'s event stream";
            if (SendDigests.is(stored.get(k))) {
                SendDigests.read(stored.get(k), sentBefore, suppressTo, digestsOf, what);
            } else {
                records.add(EventRecord.decode(stored.get(k), what));
            }
        }
        expected = digestsOf;
        EventRecord.Stream stream = EventRecord.join(me, records, mark.position());
        loggedEnd = stream.end();
        loggedUnresolved = new HashSet<>(stream.unresolved());
        List<Determinant> events = stream.log().events();
        long skip = mark.open() == null ? 0 : mark.open().times();
        if (skip > 0 && !events.isEmpty() && events.get(0) instanceof Determinant.Idle i && i.times() == skip) {
            events = events.subList(1, events.size()); // the idle run ended before the checkpoint's next event
            skip = 0;
        }
        services.determinants().record(mark);
        if (!events.isEmpty()) {
            // Every message another rank accepted from this one was sent after the events before it were stable, so
            // the replay reproduces each of them: nothing is left unreproducible.
            services.determinants().replay(new DeterminantLog(events), null, skip);
        }
    }

    /** Sends again from this rank's log, before anything new, what each peer does not hold ({@link #suppressTo}). */
    private void resendOwn() {
        SenderLog l = log;
        l.lock();
        try {
            for (int dest = 0; dest < n; dest++) {
                if (awaitingResend.get(dest) != 0) {
                    continue; // restarting itself: its RESEND comes once it has restored
                }
                try {
                    l.requireAfter(dest, suppressTo[dest]);
                } catch (IllegalStateException e) {
                    throw new CheckpointException("rank " + me + " cannot restart exactly: " + e.getMessage(), e);
                }
                if (held != null && dest != me) {
                    held.resetGiven(dest);
                    giveHeld(dest, epoch(toIncarnation[dest], myIncarnation));
                }
                resendFromLog(l, dest, suppressTo[dest], epoch(toIncarnation[dest], myIncarnation), ownResent[dest]);
            }
        } finally {
            l.unlock();
        }
    }

    /**
     * Sends {@code dest} again, stamped {@code stamp}, what {@code l} holds for it after message {@code after}, adding
     * the messages and their payload bytes to {@code sent} (for the supervisor's {@code RESENT}).
     */
    private void resendFromLog(SenderLog l, int dest, long after, int stamp, long[] sent) {
        l.forEachAfter(dest, after, e -> {
            services.resend(dest, e.message(), stamp, e.seq());
            sent[0]++;
            sent[1] += e.message().payload().length;
        });
    }

    /** The rank's determinant recorder (made once per rank), kept so that a send takes no lock to find it. */
    private final Determinants recorder;

    /** By destination: the messages and payload bytes {@link #resendOwn} sent it again (for its {@code RESENT}). */
    private final long[][] ownResent;
}
