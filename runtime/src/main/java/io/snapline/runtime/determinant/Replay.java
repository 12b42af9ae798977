package io.snapline.runtime.determinant;

import io.snapline.runtime.determinant.Determinant.Completed;
import io.snapline.runtime.determinant.Determinant.Done;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Poll;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A log being replayed: each non-deterministic call of the program takes the next recorded outcome, which the caller
 * then forces (the receive matches only the recorded sender, the probe waits for the recorded message, the test
 * reports exactly the recorded requests, a call recorded as finding nothing finds nothing without looking). A call
 * that is not the one recorded next throws {@link ReplayMismatchException} naming the rank and the event.
 *
 * <p>The replay is over when the log is, or at the first event that observed a message its sender will not send
 * again as it did ({@code reproducibleUpTo}, see {@link Determinants#replay}); from there every call is free.
 * Not thread safe: the owner serialises every call (engine-free, so a simulator can replay with it too).
 */
public final class Replay {
    private final int rank;
    private final List<Determinant> events;
    private final long[] reproducibleUpTo;
    private int next;
    /** Calls of the idle run at {@link #next} replayed so far. */
    private long idleUsed;
    /** Calls replayed so far; the call being replayed is number {@code calls}. */
    private long calls;
    private boolean over;
    private String end = "";

    /**
     * @param rank the replaying rank, for messages
     * @param log what to replay
     * @param reproducibleUpTo by world rank: messages from that rank numbered above it were sent after its own
     *     replay ends, so events that observed them are not replayed; null: every message is reproduced
     */
    public Replay(int rank, DeterminantLog log, long[] reproducibleUpTo) {
        this(rank, log, reproducibleUpTo, 0);
    }

    /**
     * A replay whose first {@code skipIdleCalls} calls of the log's first event, an idle run, were made before the
     * replay starts (a checkpoint cut the run).
     *
     * @throws IllegalArgumentException if {@code skipIdleCalls > 0} and the first event is not an idle run of more
     *     calls
     */
    public Replay(int rank, DeterminantLog log, long[] reproducibleUpTo, long skipIdleCalls) {
        this.rank = rank;
        this.events = log.events();
        this.reproducibleUpTo = reproducibleUpTo == null ? null : reproducibleUpTo.clone();
        over = events.isEmpty();
        if (over) {
            end = "the log is empty";
        }
        if (skipIdleCalls > 0) {
            if (over || !(events.get(0) instanceof Idle i) || i.times() <= skipIdleCalls) {
                throw new IllegalArgumentException("rank " + rank + ": the replay should skip " + skipIdleCalls
                        + " calls of an idle run, but the log begins with "
                        + (over ? "nothing" : events.get(0).describe()));
            }
            idleUsed = skipIdleCalls;
        }
    }

    /** Whether every further call is free. */
    public boolean isOver() {
        return over;
    }

    /** Why the replay is over (empty while it is not). */
    public String end() {
        return end;
    }

    /** The number of the call replayed last (1 for the first). */
    public long number() {
        return calls;
    }

    /**
     * A receive for {@code source} and {@code tag} (the source ANY_SOURCE) on {@code context} is posted.
     *
     * @return the recorded event, whose {@code matched()} the receive must match; null: the receive is free
     */
    public Received receive(int source, int tag, int context) {
        Determinant e = current();
        if (e == null) {
            return null;
        }
        calls++;
        if (!(e instanceof Received r) || r.source() != source || r.tag() != tag || r.context() != context) {
            throw mismatch(e, "the program called Recv from " + Determinant.key(source, tag) + " on context " + context);
        }
        advance();
        if (r.matched() == null || !reproducible(r.matched(), r)) {
            return null;
        }
        return r;
    }

    /**
     * A {@code Probe} ({@code blocking}) or {@code Iprobe} for {@code source} and {@code tag} on {@code context}
     * looks.
     *
     * @return null (free), an {@link Idle} ({@code Iprobe} only: it finds nothing), or the {@link Probed} whose message
     *     the probe must wait for and find
     */
    public Determinant probe(boolean blocking, int source, int tag, int context) {
        Determinant e = current();
        if (e == null) {
            return null;
        }
        calls++;
        if (e instanceof Idle i && !blocking && i.polls().contains(new Poll(Op.IPROBE, source, tag, context, 0))) {
            useIdle(i);
            return i;
        }
        if (!(e instanceof Probed p) || p.blocking() != blocking || p.source() != source || p.tag() != tag
                || p.context() != context) {
            throw mismatch(e, "the program called " + (blocking ? "Probe" : "Iprobe") + " for "
                    + Determinant.key(source, tag) + " on context " + context);
        }
        advance();
        return reproducible(p.found(), p) ? p : null;
    }

    /**
     * {@code op} looks at {@code requests} requests, of which those for which {@code active} holds are not null.
     *
     * @return null (free), an {@link Idle} (it reports nothing complete), or the {@link Completed} whose requests it
     *     must wait for and report
     */
    public Determinant complete(Op op, int requests, IntPredicate active) {
        Determinant e = current();
        if (e == null) {
            return null;
        }
        calls++;
        if (e instanceof Idle i && i.polls().contains(new Poll(op, 0, 0, 0, requests))) {
            useIdle(i);
            return i;
        }
        if (!(e instanceof Completed c) || c.op() != op || c.requests() != requests) {
            throw mismatch(e, "the program called " + call(op, requests));
        }
        for (Done d : c.done()) {
            if (d.index() < 0 || d.index() >= requests || !active.test(d.index())) {
                throw mismatch(e, "request " + d.index() + " of the program's " + call(op, requests)
                        + " is not active");
            }
        }
        advance();
        for (Done d : c.done()) {
            if (d.message() != null && !reproducible(d.message(), c)) {
                return null;
            }
        }
        return c;
    }

    private static String call(Op op, int requests) {
        return op.call() + " over " + requests + (requests == 1 ? " request" : " requests");
    }

    /** The error for a program that ended (at {@code MPI.Finalize}) while this replay was not over. */
    public ReplayMismatchException unfinished() {
        Determinant e = events.get(next);
        String event = e.describe() + (e instanceof Idle ? ", call " + (idleUsed + 1) + " of them" : "");
        return mismatch(calls + 1, event, "the program ended (MPI.Finalize) first");
    }

    /** The error for a forced receive that matched {@code seen}, or null when {@code seen} is the recorded message. */
    public ReplayMismatchException checkReceived(Received forced, long number, Matched seen) {
        return same(forced.matched(), seen) ? null
                : mismatch(number, forced, "the receive matched " + seen.describe());
    }

    /** The error for a forced probe that found {@code seen}, or null when it is the recorded message. */
    public ReplayMismatchException checkProbed(Probed forced, long number, Matched seen) {
        return same(forced.found(), seen) ? null : mismatch(number, forced, "the probe found " + seen.describe());
    }

    /** The error for a forced completion whose request {@code index} was completed by {@code seen}, or null. */
    public ReplayMismatchException checkCompleted(Completed forced, long number, int index, Matched seen) {
        for (Done d : forced.done()) {
            if (d.index() == index) {
                if (d.message() == null || seen == null || same(d.message(), seen)) {
                    return null;
                }
                return mismatch(number, forced, "request " + index + " was completed by " + seen.describe());
            }
        }
        return mismatch(number, forced, "request " + index + " was reported");
    }

    /** The recorded and the seen message are the same: sender, tag and (where both are numbered) number. */
    private static boolean same(Matched recorded, Matched seen) {
        return recorded.source() == seen.source() && recorded.tag() == seen.tag()
                && (recorded.seq() == 0 || seen.seq() == 0 || recorded.seq() == seen.seq());
    }

    private Determinant current() {
        if (over) {
            return null;
        }
        return events.get(next);
    }

    private void useIdle(Idle i) {
        if (++idleUsed == i.times()) {
            advance();
        }
    }

    private void advance() {
        next++;
        idleUsed = 0;
        if (next == events.size()) {
            over = true;
            end = "all " + calls + " recorded calls were replayed";
        }
    }

    private boolean reproducible(Matched m, Determinant e) {
        if (reproducibleUpTo == null || m.seq() <= 0 || m.source() < 0 || m.source() >= reproducibleUpTo.length
                || m.seq() <= reproducibleUpTo[m.source()]) {
            return true;
        }
        over = true;
        end = "event " + calls + " (" + e.describe() + ") observed a message rank " + m.source() + " sent after"
                + " its own recording ended; the rank runs freely from there";
        return false;
    }

    private ReplayMismatchException mismatch(Determinant e, String what) {
        String event = e.describe();
        if (e instanceof Idle i) {
            event += ", call " + (idleUsed + 1) + " of them";
        }
        return mismatch(calls, event, what);
    }

    private ReplayMismatchException mismatch(long number, Determinant e, String what) {
        return mismatch(number, e.describe(), what);
    }

    private ReplayMismatchException mismatch(long number, String event, String what) {
        over = true;
        end = "event " + number + " did not replay";
        return new ReplayMismatchException("rank " + rank + ": replaying event " + number + " (" + event + ") but "
                + what + "; the rank does not re-execute as it did before the restart, so its result could differ."
                + " Make what it does depend only on its messages and the results of MPI calls, not on clocks,"
                + " threads or Cancel (docs/checkpointing.md, contract 4)");
    }
}
