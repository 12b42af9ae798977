package io.snapline.runtime.determinant;

/**
 * A rank's determinant recorder as a policy sees it ({@code RankServices.determinants()}): it records the outcomes of
 * the rank's non-deterministic operations into a {@link DeterminantLog} the policy takes and persists, and replays a
 * log so that a re-executed rank makes the same choices again. Off (costing nothing) while it does neither. Recording
 * and replaying may overlap: a replayed rank that checkpoints again records the outcomes it is replaying.
 *
 * <p>Thread safety: every method may be called from any thread; {@link #record()} and {@link #replay} must be called
 * while the program is at a safe point or not yet running (no receive of the program pending), so that the recording
 * or replay starts exactly there.
 */
public interface Determinants {
    /**
     * Where a rank's stream of determinants stands at an instant (a checkpoint): the position the next event takes,
     * and the idle run under way then, with the calls it has had (null: none). A restart from the checkpoint replays
     * the stream from that position, the idle run's first calls skipped, and records on from there.
     */
    record Mark(long position, Determinant.Idle open) {
        public Mark {
            if (position < 0) {
                throw new IllegalArgumentException("a stream position is at least 0, got " + position);
            }
        }
    }

    /** The receive at {@code position} of the stream, taken before it matched, matched {@code matched}. */
    record Resolution(long position, Determinant.Matched matched) {
    }

    /**
     * What {@link #drainAll} took: the events at positions {@code first ..} in order (a receive not matched yet
     * recorded as such), and the matches of receives taken unmatched by earlier drains.
     */
    record Drained(long first, DeterminantLog events, java.util.List<Resolution> resolved) {
        public boolean isEmpty() {
            return events.isEmpty() && resolved.isEmpty();
        }
    }

    /**
     * Starts recording a stream that continues where {@code from} left it (see {@link Recording#Recording(Mark)}; a
     * new stream from {@code Mark(0, null)}), as message logging does: a receive or {@code Probe} that names its
     * source is not recorded even with {@code ANY_TAG}, since every message is sent again as it was (replays of such
     * a stream go through {@link #replay(DeterminantLog, long[], long)}).
     */
    void record(Mark from);

    /** Where the recording stands now; null when nothing is being recorded. Program thread, at a safe point. */
    Mark mark();

    /**
     * Takes everything recorded so far (the idle run under way closed) and goes on recording; empty when nothing is
     * being recorded. See {@link Recording#drainAll()}.
     */
    Drained drainAll();

    /**
     * Whether {@link #drainAll} may have something to take; false only when it certainly has nothing. Takes no lock:
     * for a policy that drains before every send.
     */
    default boolean undrained() {
        return true;
    }

    /**
     * {@link #replay(DeterminantLog, long[])}, the first {@code skipIdleCalls} calls of the log's first event (an
     * idle run that a checkpoint cut) taken as replayed already.
     */
    void replay(DeterminantLog log, long[] reproducibleUpTo, long skipIdleCalls);

    /**
     * Starts recording, from this instant of the program: every later outcome is appended to a new log. A recording
     * under way is dropped. A receive or {@code Probe} that names its source with {@code ANY_TAG} is recorded: the
     * replay of such a log ({@link #replay(DeterminantLog, long[])}, {@code coordinated-nb}) ends at the first event
     * that observed a message its sender will not send again, and such a receive may be that event.
     */
    void record();

    /**
     * Ends the recording and returns it; empty when nothing was being recorded. A receive posted but not yet matched
     * is recorded as such ({@link Determinant.Received#matched()} null): its replay will decide freely.
     */
    DeterminantLog endRecording();

    /**
     * Returns what has been recorded so far up to the first receive not yet matched, and goes on recording (for a
     * policy that persists the log as it grows); empty when nothing is being recorded.
     */
    DeterminantLog drainRecording();

    /** Ends the recording without keeping it (e.g. the checkpoint it belonged to was abandoned). */
    void dropRecording();

    /**
     * Replays {@code log} from the program's next operation on. Calls that differ from the recorded ones raise
     * {@link ReplayMismatchException} naming the rank and the event; once the log is over the rank runs freely.
     *
     * @param reproducibleUpTo by world rank: a message from that rank numbered above this was sent after its own
     *     replay will end, so its sender need not send it again as it did; the replay ends freely at the first event
     *     that observed such a message. Null: every message is sent again as recorded.
     */
    void replay(DeterminantLog log, long[] reproducibleUpTo);

    /** Whether a replay is under way (a log given to {@link #replay} that is not over yet). */
    boolean replaying();

    /**
     * The program has ended ({@code MPI.Finalize}). A replay still under way means the rank made fewer
     * non-deterministic calls than it did when the log was recorded: {@link ReplayMismatchException}. A recording
     * under way goes on (it has nothing more to record) until the policy ends it.
     */
    void programEnded();
}
