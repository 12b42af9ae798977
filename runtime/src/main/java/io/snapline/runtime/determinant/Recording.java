package io.snapline.runtime.determinant;

import io.snapline.runtime.determinant.Determinant.Completed;
import io.snapline.runtime.determinant.Determinant.Done;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Poll;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import java.util.ArrayList;
import java.util.List;

/**
 * A log being recorded: outcomes are appended in program order. A receive takes its place when it is posted and
 * learns its message when it matches ({@link Slot}); consecutive calls that found nothing are counted in one
 * {@link Idle} run (a polling loop may make millions), whose calls may be of up to {@link #POLLS_PER_RUN} kinds.
 * Not thread safe: the owner serialises every call (engine-free, so a simulator can record with it too).
 */
public final class Recording {
    /** How many kinds of call one idle run may mix before a new run starts. */
    static final int POLLS_PER_RUN = 8;

    /** A receive's place in the log until it matches. */
    public static final class Slot {
        private final Recording owner;
        private final int source;
        private final int tag;
        private final int context;
        private Matched matched;
        /** Its position once it was {@linkplain #drainAll drained} unmatched, else -1: its match becomes a resolution. */
        private long drainedAt = -1;

        private Slot(Recording owner, int source, int tag, int context) {
            this.owner = owner;
            this.source = source;
            this.tag = tag;
            this.context = context;
        }

        Received freeze() {
            return new Received(source, tag, context, matched);
        }
    }

    /** Determinants and slots, in order. */
    private final List<Object> events = new ArrayList<>();
    /** Index in {@link #events} of the first slot not yet matched, or -1. */
    private int firstOpen = -1;
    private long idleTimes;
    private final List<Poll> idlePolls = new ArrayList<>();
    /** The position of {@code events.get(0)} in the rank's stream of determinants. */
    private long base;
    /** Matches of receives drained while unmatched, since the last {@link #drainAll}. */
    private final List<Determinants.Resolution> resolutions = new ArrayList<>();
    /**
     * Set by whatever {@link #drainAll} would take (under the recorder's lock, as every change), cleared by it; read
     * without the lock by a policy that drains before every send, so that a send with nothing recorded since the last
     * one takes no lock.
     */
    private volatile boolean undrained;

    /** Whether {@link #drainAll} may have something to take (false: it certainly has nothing). */
    public boolean undrained() {
        return undrained;
    }

    /** A recording of a fresh stream: its first event takes position 0. */
    public Recording() {
    }

    /**
     * A recording that continues a stream where {@code from} left it: its first event takes {@code from.position()},
     * and the idle run under way there (if any) goes on with the calls it had.
     */
    public Recording(Determinants.Mark from) {
        this.base = from.position();
        if (from.open() != null) {
            idleTimes = from.open().times();
            idlePolls.addAll(from.open().polls());
            undrained = idleTimes > 0;
        }
    }

    /** Where the stream stands now: the position the next event takes, and the idle run under way. */
    public Determinants.Mark mark() {
        return new Determinants.Mark(base + events.size(), idleTimes > 0 ? new Idle(idleTimes, idlePolls) : null);
    }

    /** A receive from ANY_SOURCE was posted: its place in the log, filled by {@link #matched}. */
    public Slot receive(int source, int tag, int context) {
        closeIdle();
        Slot slot = new Slot(this, source, tag, context);
        events.add(slot);
        undrained = true;
        if (firstOpen < 0) {
            firstOpen = events.size() - 1;
        }
        return slot;
    }

    /** The receive of {@code slot} matched {@code message}. A slot of an earlier recording is ignored. */
    public void matched(Slot slot, Matched message) {
        if (slot.owner != this) {
            return;
        }
        if (slot.drainedAt >= 0) {
            resolutions.add(new Determinants.Resolution(slot.drainedAt, message));
            slot.drainedAt = -1;
            undrained = true;
            return;
        }
        slot.matched = message;
        while (firstOpen >= 0 && firstOpen < events.size()) {
            Object e = events.get(firstOpen);
            if (e instanceof Slot s && s.matched == null) {
                return;
            }
            firstOpen++;
        }
        firstOpen = -1;
    }

    /** A probe found {@code found}; null: an {@code Iprobe} found nothing. */
    public void probed(boolean blocking, int source, int tag, int context, Matched found) {
        if (found == null) {
            idle(new Poll(Op.IPROBE, source, tag, context, 0));
        } else {
            closeIdle();
            events.add(new Probed(blocking, source, tag, context, found));
            undrained = true;
        }
    }

    /** {@code op} over {@code requests} requests reported {@code done} complete (empty: none). */
    public void completed(Op op, int requests, List<Done> done) {
        if (done.isEmpty()) {
            idle(new Poll(op, 0, 0, 0, requests));
        } else {
            closeIdle();
            events.add(new Completed(op, requests, done));
            undrained = true;
        }
    }

    private void idle(Poll poll) {
        if (idleTimes > 0 && !idlePolls.contains(poll) && idlePolls.size() == POLLS_PER_RUN) {
            closeIdle();
        }
        if (!idlePolls.contains(poll)) {
            idlePolls.add(poll);
        }
        idleTimes++;
        undrained = true;
    }

    private void closeIdle() {
        if (idleTimes > 0) {
            events.add(new Idle(idleTimes, idlePolls));
            idleTimes = 0;
            idlePolls.clear();
        }
    }

    /** Everything recorded, ending the recording: a receive that has not matched yet is recorded as such. */
    public DeterminantLog finish() {
        closeIdle();
        List<Determinant> out = new ArrayList<>(events.size());
        for (Object e : events) {
            out.add(e instanceof Slot s ? s.freeze() : (Determinant) e);
        }
        base += events.size();
        events.clear();
        firstOpen = -1;
        return new DeterminantLog(out);
    }

    /**
     * Takes everything recorded so far, the idle run under way closed, and goes on recording: what a rank makes stable
     * before it sends (pessimistic message logging). A receive not matched yet is taken as such, and its match comes
     * with a later drain as a {@link Determinants.Resolution} of its position.
     */
    public Determinants.Drained drainAll() {
        undrained = false;
        if (events.isEmpty() && idleTimes == 0 && resolutions.isEmpty()) {
            return new Determinants.Drained(base, DeterminantLog.EMPTY, List.of()); // the common case: nothing new
        }
        closeIdle();
        long first = base;
        List<Determinant> out = new ArrayList<>(events.size());
        for (int k = 0; k < events.size(); k++) {
            Object e = events.get(k);
            if (e instanceof Slot s) {
                if (s.matched == null) {
                    s.drainedAt = base + k;
                }
                out.add(s.freeze());
            } else {
                out.add((Determinant) e);
            }
        }
        base += events.size();
        events.clear();
        firstOpen = -1;
        List<Determinants.Resolution> resolved = List.copyOf(resolutions);
        resolutions.clear();
        return new Determinants.Drained(first, new DeterminantLog(out), resolved);
    }

    /**
     * Takes what is recorded up to the first receive that has not matched yet, and goes on recording: for a policy
     * that persists the log as it grows. An idle run still growing stays.
     */
    public DeterminantLog drain() {
        int end = firstOpen < 0 ? events.size() : firstOpen;
        List<Determinant> out = new ArrayList<>(end);
        for (int k = 0; k < end; k++) {
            Object e = events.get(k);
            out.add(e instanceof Slot s ? s.freeze() : (Determinant) e);
        }
        events.subList(0, end).clear();
        base += end;
        if (firstOpen >= 0) {
            firstOpen = 0;
        }
        return new DeterminantLog(out);
    }
}
