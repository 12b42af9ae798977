package io.snapline.recovery.model;

import io.snapline.recovery.RecoveryException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link History} from events in the order each rank saw them, as one would read them off a space-time
 * diagram: {@code checkpoint(P, 20)}, {@code send(P, "x", Q, 10)}, {@code receive(Q, "x", 30)}. Intervals and
 * sequence numbers are derived; checkpoint 0 of every rank is taken at time 0 unless {@link #start} says otherwise.
 * Not thread-safe; one builder builds one history.
 */
public final class HistoryBuilder {
    private final String[] names;
    private final List<List<Checkpoint>> checkpoints = new ArrayList<>();
    private final long[] lastTime;
    private final long[] end;
    private final long[] nextSeq;
    private final List<Message> messages = new ArrayList<>();
    private final Map<String, Integer> pending = new HashMap<>();

    /** A builder for ranks named {@code names[0]}, {@code names[1]}, ... */
    public HistoryBuilder(String... names) {
        if (names.length == 0) {
            throw new RecoveryException("a history needs at least one rank");
        }
        this.names = names.clone();
        lastTime = new long[names.length];
        end = new long[names.length];
        nextSeq = new long[names.length];
        for (int r = 0; r < names.length; r++) {
            checkpoints.add(new ArrayList<>());
            end[r] = Long.MIN_VALUE;
        }
    }

    /** Takes checkpoint 0 of {@code rank} at {@code timeNanos} instead of 0; call before any other event of it. */
    public HistoryBuilder start(int rank, long timeNanos) {
        if (!checkpoints.get(rank).isEmpty() || lastTime[rank] != 0) {
            throw new RecoveryException("start(" + rank + ") must come before the rank's other events");
        }
        checkpoints.get(rank).add(new Checkpoint(rank, 0, 0, timeNanos));
        lastTime[rank] = timeNanos;
        return this;
    }

    /** {@code rank} takes its next checkpoint at {@code timeNanos}. */
    public HistoryBuilder checkpoint(int rank, long timeNanos) {
        List<Checkpoint> own = started(rank, timeNanos);
        own.add(new Checkpoint(rank, own.size(), own.size(), timeNanos));
        return this;
    }

    /** {@code rank} sends the message called {@code name} to {@code receiver} at {@code timeNanos}. */
    public HistoryBuilder send(int rank, String name, int receiver, long timeNanos) {
        List<Checkpoint> own = started(rank, timeNanos);
        if (pending.containsKey(name)) {
            throw new RecoveryException("message " + name + " is sent twice; give every message its own name");
        }
        pending.put(name, messages.size());
        messages.add(new Message(rank, own.size() - 1, receiver, Message.NOT_RECEIVED, nextSeq[rank]++, timeNanos,
            Message.NO_TIME, name));
        return this;
    }

    /** {@code rank} receives the message called {@code name} at {@code timeNanos}; it must have been sent already. */
    public HistoryBuilder receive(int rank, String name, long timeNanos) {
        List<Checkpoint> own = started(rank, timeNanos);
        Integer index = pending.remove(name);
        if (index == null) {
            throw new RecoveryException("message " + name + " is received by rank " + rank + " but was never sent (or was"
                + " already received); add its send first");
        }
        Message sent = messages.get(index);
        if (sent.receiver() != rank) {
            throw new RecoveryException("message " + name + " was sent to rank " + sent.receiver() + ", not to rank " + rank);
        }
        messages.set(index, new Message(sent.sender(), sent.senderInterval(), rank, own.size() - 1, sent.seq(),
            sent.sendTime(), timeNanos, name));
        return this;
    }

    /** {@code rank}'s history ends (fails, or the observation stops) at {@code timeNanos}. */
    public HistoryBuilder end(int rank, long timeNanos) {
        started(rank, timeNanos);
        end[rank] = timeNanos;
        return this;
    }

    /** The history; a rank without an {@link #end} ends at its last event. */
    public History build() {
        List<RankHistory> ranks = new ArrayList<>(names.length);
        for (int r = 0; r < names.length; r++) {
            List<Checkpoint> own = checkpoints.get(r);
            if (own.isEmpty()) {
                own.add(new Checkpoint(r, 0, 0, 0));
            }
            ranks.add(new RankHistory(r, names[r], own, Math.max(end[r], lastTime[r])));
        }
        return new History(ranks, messages);
    }

    private List<Checkpoint> started(int rank, long timeNanos) {
        if (rank < 0 || rank >= names.length) {
            throw new RecoveryException("rank " + rank + " does not exist; ranks are 0.." + (names.length - 1));
        }
        List<Checkpoint> own = checkpoints.get(rank);
        if (own.isEmpty()) {
            own.add(new Checkpoint(rank, 0, 0, 0));
        }
        if (timeNanos < lastTime[rank]) {
            throw new RecoveryException("rank " + rank + ": event at " + timeNanos + " ns comes after one at "
                + lastTime[rank] + " ns; add each rank's events in time order");
        }
        if (end[rank] != Long.MIN_VALUE) {
            throw new RecoveryException("rank " + rank + " already ended at " + end[rank] + " ns");
        }
        lastTime[rank] = timeNanos;
        return own;
    }
}
