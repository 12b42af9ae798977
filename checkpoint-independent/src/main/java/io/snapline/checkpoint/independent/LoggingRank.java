package io.snapline.checkpoint.independent;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.checkpoint.independent.logging.EventRecord;
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
    /** {@code --log-memory}: the most the log may hold. */
    private final long logLimit;
    /**
     * The log's size when the receivers were last asked to checkpoint (they are asked again past twice that); 0 once
     * a drop answered it.
     */
    private volatile long askedAt;
    /** Whether {@code --log-memory} was given: only then does a full log hold sends back. */
    private final boolean hardLimit;
    /** How many drops have come from the supervisor; a waiting sender re-asks after each. */
    private volatile long drops;

    LoggingRank(RankServices services) {
        this.services = services;
        this.n = services.size();
        this.me = services.rank();
        this.next = services.restoredId() + 1;
        this.schedule = Schedule.of(services.settings(), me, services.restoredId(), services.nanoTime());
        this.write = new LocalWrite(services);
        this.logLimit = IndependentPolicy.logMemory(services.settings(),
                Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4 / services.ranksInThisProcess()));
        this.hardLimit = services.settings().option(IndependentPolicy.LOG_MEMORY.flag()) != null;
        if (services.restoredId() == 0) {
            log = new SenderLog(n);
            sentTo = new long[n];
            acceptedFrom = new long[n];
            services.determinants().record();
            services.installHook(this);
            services.exchange(new long[n], 2); // nobody sends before every rank numbers and counts its traffic
        }
    }

    // ------------------------------------------------------------------ TrafficHook

    @Override
    public boolean beforeSend(Outgoing m) {
        makeStable();
        int dest = m.dest();
        long seq = ++sentTo[dest];
        if (suppressTo != null && seq <= suppressTo[dest]) {
            checkReexecuted(m, dest, seq);
            return false; // re-executed: the receiver's restored checkpoint holds it already
        }
        waitWhileLogFull();
        int crc = log.append(dest, seq, me, m.context(), m.tag(), m.type(), m.elements(), m.payloadBytes(),
                m::writePayload);
        m.stamp(0, seq);
        if (!m.objects()) { // equal objects need not encode equally (a map's order), so they are not checked
            digests.add(dest, seq, crc);
            if (digests.size() >= DIGESTS_PER_BATCH) {
                shipDigests();
            }
        }
        askWhenFillingUp();
        return true;
    }

    /** Digests sent to the supervisor at once (and at every safe point). */
    static final int DIGESTS_PER_BATCH = 1024;

    private void shipDigests() {
        services.toCoordinator(LoggingMessage.digests(digests.drain()));
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
        if ((int) crc.getValue() != want) {
            String reason = "rank " + me + " re-executed its send to rank " + dest + " (tag " + m.tag() + ", message "
                    + seq + " on that channel, after safe point " + lastPoint + ") with other content than it sent "
                    + "before the restart: it does not re-execute as it ran, so its receivers and its own state would "
                    + "disagree. Make what it sends depend only on its messages and the results of MPI calls, not on "
                    + "clocks, unseeded random numbers or thread timing (docs/checkpointing.md, the "
                    + "piecewise-deterministic contract)";
            services.toCoordinator(LoggingMessage.fail(reason));
            services.await(() -> false, "ending the job: a re-executed send differs from the original");
        }
    }

    @Override
    public boolean onAccept(Envelope e) {
        if (e.seq() > 0) {
            acceptedFrom[e.source()] = e.seq();
        }
        return false;
    }

    @Override
    public void log(Envelope e, SavedMessage saved) {
        throw new IllegalStateException("sender-based logging asks the receiver to log nothing");
    }

    /**
     * Past a quarter of the log's bound the receivers are asked to checkpoint at their next safe point (their verified
     * checkpoints let the log drop what they hold), and again each time the log has grown by an eighth of the bound
     * since the last ask or drop, so that they are asked before it is full.
     */
    private void askWhenFillingUp() {
        long bytes = log.bytes();
        if (bytes > logLimit / 4 && bytes >= askedAt + logLimit / 8) {
            askedAt = bytes;
            services.toCoordinator(LoggingMessage.logFull(log.destinations()));
        }
    }

    /**
     * With {@code --log-memory} given, a full log holds the rank's next send back until drops make room, asking the
     * receivers again after each drop that left it full: memory stays bounded, and a program whose receivers never
     * pass a safe point ends in a deadlock report that names this wait, rather than running out of memory. Without
     * it nothing is held back (a correct program must not deadlock for a bound it did not ask for); the receivers are
     * still asked to checkpoint as the log fills.
     */
    private void waitWhileLogFull() {
        while (hardLimit && log.bytes() > logLimit) {
            long seen = drops;
            services.toCoordinator(LoggingMessage.logFull(log.destinations()));
            services.await(() -> log.bytes() <= logLimit || drops != seen, "waiting until ranks "
                    + java.util.Arrays.toString(log.destinations()) + " checkpoint, so that its message log, full at "
                    + "--log-memory " + logLimit + " bytes, can drop what they hold (they checkpoint at their next "
                    + "Checkpoint.point)");
        }
    }

    /**
     * Sends what was recorded since the last send to the event logger and waits until it is stable. A re-executing
     * rank records again what it had logged before the restore: that part is skipped, except the matches of receives
     * that were logged unmatched.
     */
    private void makeStable() {
        Determinants.Drained d = services.determinants().drainAll();
        if (!d.isEmpty()) {
            EventRecord record = unlogged(d);
            if (record != null) {
                long number = ++recordsSent;
                services.toCoordinator(LoggingMessage.events(number, record.encode()));
            }
        }
        if (recordsStable < recordsSent) {
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
        if (!schedule.due(point, start) && !checkpointSoon) {
            return;
        }
        checkpointSoon = false;
        write.await();
        long index = next++;
        Taken taken = take(point, index);
        long blocked = services.nanoTime() - start;
        schedule.taken(services.nanoTime());
        write.start(index, () -> {
            services.aboutToWrite(CheckpointId.of(index));
            PieceRef piece = services.writeLocal(index, taken.image());
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
        LoggingData data = new LoggingData(sent, accepted[0], mark, logged);
        return new Taken(image.withPolicyData(data.encode()), data);
    }

    /**
     * Another rank died and the job will restart: this rank checkpoints here, at its first safe point since (unless
     * an operation of its own failed because of the death), and waits to be stopped.
     */
    private void stopForRestart(long point) {
        long index = 0;
        write.await();
        if (!services.sawPeerFailure()) {
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
                services.wake();
            }
            case LoggingMessage.CHECKPOINT_SOON -> checkpointSoon = true;
            case LoggingMessage.DROP -> {
                long[] d = LoggingMessage.dropOf(message);
                SenderLog l = log;
                if (l != null) {
                    l.dropThrough((int) d[0], d[1]);
                    askedAt = l.bytes();
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
    }

    // ------------------------------------------------------------------ restore

    @Override
    public List<SavedMessage> onRestore(RankImage image) {
        String where = "rank " + me + "'s local checkpoint " + image.id();
        LoggingData data = LoggingData.decode(image.policyData(), n, where);
        lastPoint = image.point();
        log = SenderLog.decode(data.log(), me, n, where);
        sentTo = data.sentTo().clone();
        acceptedFrom = data.acceptedFrom().clone();
        suppressTo = services.exchange(acceptedFrom, 0); // what each peer's restored checkpoint holds from this rank

        List<EventRecord> records = new ArrayList<>();
        List<byte[]> stored = services.readEvents();
        Map<Integer, Map<Long, Integer>> sentBefore = new HashMap<>();
        for (int k = 0; k < stored.size(); k++) {
            String what = "record " + (k + 1) + " of rank " + me + "'s event stream";
            if (SendDigests.is(stored.get(k))) {
                SendDigests.read(stored.get(k), data.sentTo(), suppressTo, sentBefore, what);
            } else {
                records.add(EventRecord.decode(stored.get(k), what));
            }
        }
        expected = sentBefore;
        Determinants.Mark mark = data.mark();
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
        services.installHook(this);
        services.exchange(new long[n], 1); // every rank counts what it accepts before anything is sent again
        for (int dest = 0; dest < n; dest++) {
            List<SenderLog.Entry> again;
            try {
                again = log.after(dest, suppressTo[dest]);
            } catch (IllegalStateException e) {
                throw new CheckpointException("rank " + me + " cannot restart exactly: " + e.getMessage(), e);
            }
            for (SenderLog.Entry e : again) {
                services.resend(dest, e.message(), e.seq());
            }
        }
        return List.of();
    }
}
