package io.snapline.checkpoint.independent;

import io.snapline.checkpoint.independent.logging.EventRecord;
import io.snapline.checkpoint.independent.logging.HeldEvents;
import io.snapline.checkpoint.independent.logging.LoggingMessage;
import io.snapline.checkpoint.independent.logging.SendDigests;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The supervisor half of {@code independent --logging pessimistic}: the event logger, and garbage collection.
 *
 * <ul>
 *   <li>Each record of events a rank sends is appended to the rank's event stream in the store and acknowledged:
 *       from then on it survives the failure of the rank (and of this launcher).</li>
 *   <li>When a rank reports a local checkpoint, it is read back and verified (on a thread of its own, so that
 *       acknowledgements never wait behind it); then it becomes the rank's restart
 *       point (recorded in the store's recovery line), the rank's older checkpoints are deleted, its event stream
 *       keeps only the records a replay from it needs, and every other rank is told which of the messages it sent
 *       the checkpoint holds, so that its log drops them.</li>
 *   <li>When a rank restarts alone ({@link #onRankRestarting}), every other rank is asked what it holds from it (and
 *       drops whatever its dead incarnation still sends); the answers go to the restarted rank, which suppresses its
 *       re-executed sends up to them; once it has restored, every other rank is asked to send it again what it has
 *       not accepted.</li>
 *   <li>Ranks that restart alone at the same time: for a rank that is restarting itself, the answer is what its new
 *       incarnation will hold once restored ({@link LoggingMessage#HOLDS}, sent at its start, read from the
 *       checkpoint it restores), not what it holds now; and it is asked to send again what another restarting rank
 *       needs only once it has restored itself (its log is then the restored one), the requests waiting until
 *       then.</li>
 * </ul>
 */
final class LoggingCoordinator implements PolicyCoordinator {
    private final CoordinatorServices services;
    private final long[] line;
    private final boolean[] toldFull;
    private final boolean[] digestsLost;
    /** {@code --logging causal}: ranks learn how far each rank's records are stable ({@link #stableOf}). */
    private final boolean causal;
    /** Per rank: the number of its last record in its stream. */
    private final long[] stableOf;
    /** Whether {@link #stableOf} changed since the ranks were last told. */
    private boolean stableChanged;
    /**
     * Per rank restarted alone: the position in its event stream its current incarnation restores (0 until it says,
     * and from the beginning); outcomes before it are not replayed.
     */
    private final long[] restorePosition;
    /** Causal, per rank: the most bytes of event records it held at once, as its incarnations finished. */
    private final long[] heldPeak;
    /** Causal, per rank restarted alone: the records its stream held when its current incarnation was let go. */
    private final java.util.Map<Integer, java.util.Set<String>> givenAtRejoin = new java.util.HashMap<>();
    /**
     * By rank: digest records not yet in the store. They are written together every {@link #DIGESTS_EVERY_NANOS},
     * before the rank's stream is shortened, and when the attempt ends: a send's digest is needed only after a
     * restart, and writing each batch at once would cost the ranks' processor time in a tight loop.
     */
    private final List<List<byte[]>> pendingDigests = new ArrayList<>();
    private long digestsWritten;
    private boolean digestsTimed;
    static final long DIGESTS_EVERY_NANOS = 250_000_000L;
    private int finished;
    /** Per rank: whether its current incarnation has finished (a rank restarted alone finishes again). */
    private final boolean[] hasFinished;
    /** Per rank: its incarnation (see {@link #onRankRestarting}). */
    private final int[] incarnation;
    /** Per rank restarting alone: what each other rank holds from it, as the answers come; null entries to come. */
    private final java.util.Map<Integer, Long[]> rejoining = new java.util.HashMap<>();
    /** Per rank: restarting alone, from {@link #onRankRestarting} until its new incarnation has restored. */
    private final boolean[] restarting;
    /** Per restarting rank: what its new incarnation will hold from each once restored ({@code HOLDS}), or null. */
    private final long[][] holds;
    /** Per restarting rank: the {@code RESEND} requests it gets once it has restored. */
    private final java.util.Map<Integer, List<byte[]>> resendsAfterRestore = new java.util.HashMap<>();
    /** Reads back each reported checkpoint; one daemon thread, ended with the attempt. */
    private final java.util.concurrent.ExecutorService verifier = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "snapline-log-verifier");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.ConcurrentLinkedQueue<Verified> results =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /**
     * By rank: the newest checkpoint handed to the verifier. One that a newer one of its rank follows in the queue is
     * not read back: the newer one, once verified, supersedes it. Without this, checkpoints reported faster than they
     * read back made a queue that only grew, and with it what the logs kept until their receivers' checkpoints were
     * verified, and so the checkpoints, which hold the logs.
     */
    private final java.util.concurrent.atomic.AtomicLongArray newestToVerify;

    /**
     * For tests of {@code --logging causal}: the ranks whose records this logger neither stores nor acknowledges, as
     * if every one were still on its way when the rank fails; the copies other ranks hold are then the only ones.
     */
    static volatile java.util.function.IntPredicate lagging = r -> false;

    LoggingCoordinator(CoordinatorServices services) {
        this.services = services;
        this.line = new long[services.ranks()];
        this.toldFull = new boolean[services.ranks()];
        this.digestsLost = new boolean[services.ranks()];
        this.newestToVerify = new java.util.concurrent.atomic.AtomicLongArray(services.ranks());
        this.causal = IndependentPolicy.logging(services.settings()).equals(IndependentPolicy.CAUSAL);
        this.stableOf = new long[services.ranks()];
        this.restorePosition = new long[services.ranks()];
        this.heldPeak = new long[services.ranks()];
        this.incarnation = new int[services.ranks()];
        this.hasFinished = new boolean[services.ranks()];
        this.restarting = new boolean[services.ranks()];
        this.holds = new long[services.ranks()][];
        for (int r = 0; r < services.ranks(); r++) {
            pendingDigests.add(new ArrayList<>());
        }
        for (int r = 0; r < line.length; r++) {
            RestoreFrom from = services.restoredFrom(r);
            line[r] = from == null ? 0 : from.id().value();
        }
    }

    @Override
    public void onRankMessage(int rank, byte[] message) {
        if (LocalReport.tookStopped(rank, message, services) || LocalReport.tookInterval(rank, message, services)) {
            return;
        }
        switch (LoggingMessage.type(message)) {
            case LoggingMessage.EVENTS -> {
                if (causal && lagging.test(rank)) {
                    return;
                }
                try {
                    services.localStore().appendEvents(rank, LoggingMessage.record(message));
                } catch (CheckpointStoreException e) {
                    services.fail("rank " + rank + "'s events cannot be made stable: " + e.getMessage());
                    return;
                }
                long number = LoggingMessage.number(message);
                services.send(rank, LoggingMessage.stable(number));
                if (number > stableOf[rank]) {
                    stableOf[rank] = number;
                    stableChanged = true;
                }
            }
            case LoggingMessage.CONTRIBUTE -> {
                long number = LoggingMessage.number(message);
                if (append(LoggingMessage.contributed(message), "rank " + rank + "'s contribution") && number > 0) {
                    services.send(rank, LoggingMessage.contributedAck(number));
                }
            }
            case LoggingMessage.LATE -> late(rank, LoggingMessage.lateRecords(message));
            case LoggingMessage.HELD_SIZE -> heldPeak[rank] = Math.max(heldPeak[rank], LoggingMessage.number(message));
            case LoggingMessage.CHECKPOINTED -> checkpointed(rank, LoggingMessage.Checkpointed.decode(message));
            case LoggingMessage.LOG_FULL -> {
                int[] receivers = LoggingMessage.receivers(message);
                if (!toldFull[rank]) {
                    toldFull[rank] = true;
                    services.log("rank " + rank + "'s message log is filling up (--log-memory): ranks "
                            + java.util.Arrays.toString(receivers) + " checkpoint at their next safe point so that it "
                            + "can drop what they hold (said once; it goes on as often as the log fills)");
                }
                for (int r : receivers) {
                    services.send(r, LoggingMessage.checkpointSoon());
                }
            }
            case LoggingMessage.FAIL -> services.fail(LoggingMessage.reason(message));
            case LoggingMessage.WARN -> services.warn(LoggingMessage.reason(message));
            case LoggingMessage.ACCEPTED -> accepted(rank, LoggingMessage.Peer.decode(message), message);
            case LoggingMessage.LOG_SIZE -> {
                long[] size = LoggingMessage.logSizeOf(message);
                services.messageLog(rank, size[0], size[1], size[2], size[3]);
            }
            case LoggingMessage.RESTORED -> restored(rank, LoggingMessage.restoredCounts(message));
            case LoggingMessage.HOLDS -> {
                restorePosition[rank] = LoggingMessage.holdsPosition(message);
                willHold(rank, LoggingMessage.restoredCounts(message));
            }
            case LoggingMessage.RESENT -> resent(rank, LoggingMessage.Resent.decode(message));
            case LoggingMessage.DIGESTS -> pendingDigests.get(rank).add(LoggingMessage.digestsRecord(message));
            default -> services.fail("rank " + rank + " sent the event logger a message of unknown type "
                    + (message.length == 0 ? "(empty)" : message[0]));
        }
    }

    /**
     * Records the checkpoint for the run report and hands it to the verifier thread: reading back a large checkpoint
     * takes a while, and the acknowledgements of events, which every rank's sends may wait for, must not wait behind
     * it. What follows the verification happens on this thread, at the next tick ({@link #verified}).
     */
    private void checkpointed(int rank, LoggingMessage.Checkpointed c) {
        services.localCommitted(rank, c.index(), c.point(), c.bytes(), c.blockedNanos());
        LocalCheckpointStore store = services.localStore();
        newestToVerify.accumulateAndGet(rank, c.index(), Math::max);
        try {
            verifier.execute(() -> {
                if (c.index() < newestToVerify.get(rank)) {
                    return; // superseded by a newer one of its rank, queued behind it
                }
                String damage = null;
                try {
                    store.verifyLocal(rank, c.index(), 0);
                } catch (CheckpointStoreException e) {
                    damage = e.getMessage();
                }
                results.add(new Verified(rank, c, damage));
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the attempt is over: a restart verifies what it uses
        }
    }

    private record Verified(int rank, LoggingMessage.Checkpointed c, String damage) {
    }

    /**
     * A verified checkpoint becomes its rank's restart point (recorded in the store first); then the rank's older
     * checkpoints are deleted, its event stream keeps what a replay from it needs, and every rank whose messages it
     * holds is told that its log may drop them.
     */
    private void verified(Verified v) {
        int rank = v.rank();
        LoggingMessage.Checkpointed c = v.c();
        if (v.damage() != null) {
            services.warn("rank " + rank + "'s local checkpoint " + c.index() + " does not read back intact ("
                    + v.damage() + "); a restart uses its previous one, and nothing it covers is dropped");
            return;
        }
        if (c.index() <= line[rank]) {
            return;
        }
        LocalCheckpointStore store = services.localStore();
        long[] next = line.clone();
        next[rank] = c.index();
        try {
            store.writeRecoveryLine(next);
        } catch (CheckpointStoreException e) {
            services.warn("the restart point of rank " + rank + " could not be recorded (" + e.getMessage()
                    + "); nothing it covers is dropped now");
            return;
        }
        line[rank] = c.index();
        services.lineReached(line.clone());
        for (long index : store.localIndexes(rank)) {
            if (index < c.index()) {
                services.discardLocal(rank, index);
            }
        }
        keepEventsFrom(rank, c.position(), c.sentTo());
        for (int s = 0; s < c.acceptedFrom().length; s++) {
            if (c.acceptedFrom()[s] > 0) {
                services.send(s, LoggingMessage.drop(rank, c.acceptedFrom()[s]));
            }
        }
    }

    /**
     * Drops the records of {@code rank}'s event stream that end at or before {@code position}, and the digests of
     * sends at or before {@code sentTo} (a restart from the checkpoint does not re-execute them), and puts an empty
     * record at {@code position} first: the stream's floor, so that a replay from an older position finds a gap and
     * fails loudly instead of finding nothing to replay.
     */
    private void keepEventsFrom(int rank, long position, long[] sentTo) {
        writeDigests(rank);
        LocalCheckpointStore store = services.localStore();
        try {
            List<byte[]> records = store.readEvents(rank);
            List<byte[]> kept = new ArrayList<>(records.size() + 1);
            kept.add(EventRecord.floor(position).encode());
            boolean dropped = false;
            for (int k = 0; k < records.size(); k++) {
                if (SendDigests.is(records.get(k))) {
                    if (SendDigests.allAtOrBelow(records.get(k), sentTo)) {
                        dropped = true; // sends before the checkpoint: a restart from it does not re-execute them
                    } else {
                        kept.add(records.get(k));
                    }
                    continue;
                }
                EventRecord r = EventRecord.decode(records.get(k), "record " + (k + 1) + " of rank " + rank
                        + "'s event stream");
                if (r.end() > position) {
                    kept.add(records.get(k));
                } else {
                    dropped = true;
                }
            }
            if (dropped) {
                store.replaceEvents(rank, kept);
            }
        } catch (RuntimeException e) {
            services.warn("rank " + rank + "'s event stream could not be shortened (" + e.getMessage() + "); it "
                    + "keeps events no restart needs");
        }
    }

    @Override
    public void onTick(long nanoTime) {
        Verified v;
        while ((v = results.poll()) != null) {
            verified(v);
        }
        if (causal && stableChanged) {
            stableChanged = false;
            byte[] stable = LoggingMessage.stableAll(stableOf);
            for (int r = 0; r < stableOf.length; r++) {
                services.send(r, stable);
            }
        }
        if (!digestsTimed) {
            digestsTimed = true;
            digestsWritten = nanoTime;
        }
        if (nanoTime - digestsWritten >= DIGESTS_EVERY_NANOS) {
            digestsWritten = nanoTime;
            for (int r = 0; r < line.length; r++) {
                writeDigests(r);
            }
        }
    }

    /** Appends the digest records of {@code rank} not yet in the store, as one record. */
    private void writeDigests(int rank) {
        List<byte[]> pending = pendingDigests.get(rank);
        if (pending.isEmpty()) {
            return;
        }
        byte[] record = SendDigests.merge(pending);
        pending.clear();
        try {
            services.localStore().appendEvents(rank, record);
        } catch (CheckpointStoreException e) {
            if (!digestsLost[rank]) {
                digestsLost[rank] = true;
                services.warn("digests of rank " + rank + "'s sends cannot be kept (" + e.getMessage()
                        + "); a restart cannot check that its re-executed sends are the same as before");
            }
        }
    }

    /**
     * Every rank has finished: the verifications under way are waited for and applied. The verifier stays: a rank
     * that dies inside {@code MPI.Finalize} restarts alone and checkpoints again (it ends with the attempt).
     */
    @Override
    public void onRankFinished(int rank) {
        if (hasFinished[rank]) {
            return;
        }
        hasFinished[rank] = true;
        if (++finished == line.length) {
            if (causal) {
                services.log("causal logging: event records held to send ahead of messages, at most by rank: "
                        + java.util.Arrays.stream(heldPeak).mapToObj(io.snapline.runtime.checkpoint.RunReport::size)
                                .collect(java.util.stream.Collectors.joining(", ")));
            }
            try {
                verifier.submit(() -> { }).get(1, java.util.concurrent.TimeUnit.MINUTES); // after those queued
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                    | java.util.concurrent.RejectedExecutionException e) {
                // the attempt is over, or a verification hangs on the store: what is not applied is verified anew
                // by a restart
            }
            onTick(0);
        }
    }

    /**
     * The attempt is over: the digests received are written (a restart checks re-executed sends against them), and a
     * verification under way is abandoned (a restart verifies what it uses).
     */
    @Override
    public void close() {
        verifier.shutdownNow();
        for (int r = 0; r < line.length; r++) {
            writeDigests(r);
        }
    }

    /**
     * Rank {@code rank} restarts alone: the digests of its dead incarnation's sends are written (the new one checks
     * its re-executed sends against them), and every other rank is asked what it holds from it (a rank restarting
     * itself answers with what it will hold, {@link #willHold}). What the dead incarnation had answered about another
     * restarting rank no longer counts, and what was to be sent to it again goes to its new incarnation's restore.
     */
    @Override
    public void onRankRestarting(int rank, int incarnation) {
        this.incarnation[rank] = incarnation;
        restorePosition[rank] = 0;
        if (hasFinished[rank]) { // it died after MPI.Finalize: its new incarnation finishes again
            hasFinished[rank] = false;
            finished--;
        }
        toldFull[rank] = false;
        restarting[rank] = true;
        holds[rank] = null;
        resendsAfterRestore.remove(rank);
        resends.remove(rank); // what was sent again to the incarnation that died is not what the new one gets
        writeDigests(rank);
        for (Long[] other : rejoining.values()) {
            other[rank] = null; // answered by the new incarnation's HOLDS
        }
        Long[] answers = new Long[line.length];
        answers[rank] = 0L;
        rejoining.put(rank, answers);
        gathered.remove(rank);
        for (int s = 0; s < line.length; s++) {
            if (s != rank) {
                services.send(s, new LoggingMessage.Peer(rank, incarnation, 0).encode(LoggingMessage.PEER_RESTARTING));
                if (restarting[s] && holds[s] != null) {
                    answers[s] = holds[s][rank];
                }
            }
        }
        rejoinIfAnswered(rank);
    }

    /** Per rank restarting alone: how many of its records the answers so far carried. */
    private final java.util.Map<Integer, Long> gathered = new java.util.HashMap<>();

    /** Rank {@code from} holds {@code p.number()} messages of rank {@code p.rank()}, restarting alone. */
    private void accepted(int from, LoggingMessage.Peer p, byte[] message) {
        Long[] answers = rejoining.get(p.rank());
        if (answers == null || p.incarnation() != incarnation[p.rank()] || restarting[from]) {
            // About an incarnation that has died meanwhile; or from a rank restarting itself, which has not restored
            // what it will hold yet (its HOLDS answers)
            return;
        }
        if (!append(LoggingMessage.acceptedRecords(message), "rank " + from + "'s answer")) {
            return;
        }
        answers[from] = p.number();
        rejoinIfAnswered(p.rank());
    }

    /**
     * Causal: rank {@code from} got records of a failed incarnation after it had said what it held of it (a rank that
     * failed since passed them on). While the restarted rank has not been given its stream they join it; after that
     * each must have been in the stream it was given (another rank held it too) or end before its restore. Otherwise the
     * restarted rank may have decided those outcomes anew while {@code from} depends on them, and the job cannot go on
     * exactly: it fails, saying so.
     */
    private void late(int from, List<HeldEvents.Held> records) {
        for (HeldEvents.Held h : records) {
            int origin = h.origin();
            if (origin < 0 || origin >= line.length) {
                services.fail("rank " + from + " reported records of rank " + origin + ", which this job does not have");
                return;
            }
            if (rejoining.containsKey(origin)) {
                if (!append(List.of(h), "rank " + from)) {
                    return;
                }
                continue;
            }
            if (!given(origin, h.record())) {
                services.fail("rank " + from + " depends on an outcome of rank " + origin + "'s failed incarnation "
                        + "(its event record " + (h.number() & ((1L << 40) - 1)) + ") that reached it through a rank "
                        + "that failed too, after rank " + origin + " had restarted without it: two ranks failed too "
                        + "close together for --logging causal to continue exactly (--logging pessimistic makes "
                        + "every outcome stable before it can spread)");
                return;
            }
        }
    }

    /**
     * Whether {@code record} was in {@code rank}'s event stream when its current incarnation was let go, or ends at or
     * before the position that incarnation restored (it does not replay that far back). What joined the stream since
     * does not count: the incarnation had read it.
     */
    private boolean given(int rank, byte[] record) {
        return EventRecord.decode(record, "a record of rank " + rank).end() <= restorePosition[rank]
                || givenAtRejoin.getOrDefault(rank, java.util.Set.of()).contains(key(record));
    }

    /** A record's identity for {@link #givenAtRejoin}: its length and CRC-32C. */
    private static String key(byte[] record) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(record);
        return record.length + ":" + Long.toHexString(crc.getValue());
    }

    /**
     * Causal: appends records other ranks held to their origins' streams, in any order (a replay joins them by
     * position, and checks that records of one position agree). False, the job failing, when they cannot be stored.
     */
    private boolean append(List<HeldEvents.Held> records, String what) {
        for (HeldEvents.Held h : records) {
            if (h.origin() < 0 || h.origin() >= line.length) {
                services.fail(what + " holds records of rank " + h.origin() + ", which this job does not have");
                return false;
            }
            try {
                services.localStore().appendEvents(h.origin(), h.record());
                if (rejoining.containsKey(h.origin())) {
                    gathered.merge(h.origin(), 1L, Long::sum);
                }
            } catch (CheckpointStoreException e) {
                services.fail("the events of rank " + h.origin() + " that " + what + " held cannot be made stable: "
                        + e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** Restarting rank {@code rank}'s new incarnation will hold {@code counts} once restored: its answer for the others. */
    private void willHold(int rank, long[] counts) {
        if (!restarting[rank]) {
            return;
        }
        holds[rank] = counts;
        for (java.util.Map.Entry<Integer, Long[]> e : List.copyOf(rejoining.entrySet())) {
            if (e.getKey() != rank && e.getValue()[rank] == null) {
                e.getValue()[rank] = counts[e.getKey()];
                rejoinIfAnswered(e.getKey());
            }
        }
    }

    /**
     * Rank {@code rank}, restarting alone, has restored what it had accepted from each rank ({@code held}): every
     * other rank is asked to send it again what it holds beyond, at once, or once it has restored itself when it is
     * restarting too; then it gets the requests that waited for its own restore.
     */
    private void restored(int rank, long[] held) {
        restarting[rank] = false;
        holds[rank] = null;
        resends.put(rank, new Resends(incarnation[rank], held.length));
        for (int s = 0; s < held.length; s++) {
            if (s != rank) {
                byte[] resend = new LoggingMessage.Peer(rank, incarnation[rank], held[s]).encode(LoggingMessage.RESEND);
                if (restarting[s]) {
                    resendsAfterRestore.computeIfAbsent(s, k -> new ArrayList<>()).add(resend);
                } else {
                    services.send(s, resend);
                }
            }
        }
        List<byte[]> waiting = resendsAfterRestore.remove(rank);
        if (waiting != null) {
            for (byte[] resend : waiting) {
                services.send(rank, resend);
            }
        }
    }

    /** What the others have sent a rank restarting alone again from their logs, as their reports come. */
    private static final class Resends {
        final int incarnation;
        final long[] messages;
        final long[] bytes;
        int reported;

        Resends(int incarnation, int ranks) {
            this.incarnation = incarnation;
            this.messages = new long[ranks];
            this.bytes = new long[ranks];
        }
    }

    /** By rank restarting alone: the reports of what was sent to it again, until every other rank's has come. */
    private final java.util.Map<Integer, Resends> resends = new java.util.HashMap<>();

    /**
     * Rank {@code from} sent a rank restarting alone what it logged for it: once every other rank has, the run says
     * how much the restarted rank got again, and from whom.
     */
    private void resent(int from, LoggingMessage.Resent r) {
        Resends tally = resends.get(r.rank());
        if (tally == null || tally.incarnation != r.incarnation()) {
            return; // an incarnation that died since
        }
        tally.messages[from] += r.messages();
        tally.bytes[from] += r.bytes();
        if (++tally.reported < tally.messages.length - 1) {
            return;
        }
        resends.remove(r.rank());
        long total = java.util.Arrays.stream(tally.messages).sum();
        long bytes = java.util.Arrays.stream(tally.bytes).sum();
        services.log("rank " + r.rank() + " got " + total + " message(s) (" + io.snapline.runtime.checkpoint.RunReport
                .size(bytes) + " of payload) again from the others' logs, by sender " + java.util.Arrays.toString(
                tally.messages) + "; they did not roll back");
    }

    private void rejoinIfAnswered(int rank) {
        Long[] answers = rejoining.get(rank);
        long[] held = new long[answers.length];
        for (int s = 0; s < answers.length; s++) {
            if (answers[s] == null) {
                return;
            }
            held[s] = answers[s];
        }
        rejoining.remove(rank);
        if (causal) {
            java.util.Set<String> given = new java.util.HashSet<>();
            for (byte[] stored : services.localStore().readEvents(rank)) {
                given.add(key(stored));
            }
            givenAtRejoin.put(rank, given);
        }
        Long records = gathered.remove(rank);
        if (causal && records != null && records > 0) {
            services.log("rank " + rank + " replays its stream with " + records + " record(s) of its events that "
                    + "the other ranks held (each copy counted), which the event logger may not have had yet");
        }
        boolean[] others = restarting.clone();
        others[rank] = false;
        services.send(rank, new LoggingMessage.Rejoined(held, incarnation.clone(), others).encode());
    }

    /** Every other rank checkpoints at its next safe point and waits there for the restart. */
    @Override
    public void onRankFailed(int rank) {
        LocalReport.stopTheOthers(rank, services);
    }

}
