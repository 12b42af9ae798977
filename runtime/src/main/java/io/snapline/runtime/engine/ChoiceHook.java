package io.snapline.runtime.engine;

/**
 * Sees — and, when a rank re-executes after a restart, decides — the outcome of every operation whose result depends
 * on timing rather than on the messages alone: which message a receive with a wildcard source or tag matches, what a
 * probe finds, and which requests a test or a wait for any/some of several requests reports complete (a receive or
 * {@code Probe} that names its source but not its tag gets the earliest message from it that no receive posted before
 * it took, since messages from one sender arrive in send order: the hook may take it as no choice). The determinant
 * recorder implements it ({@code io.snapline.runtime.determinant}); installed on an {@link Endpoint} with
 * {@link Endpoint#setChoiceHook} only while it records or replays. When none is installed the engine pays a read of
 * the hook field in each of these operations (every posted receive among them) and nothing else.
 *
 * <p>Checkpoint traffic ({@link CommSnapshot#CONTEXT}) never passes through it. Every method runs on the rank's program
 * thread except {@link Receive#matched}. A method that finds the program doing something other than what a replay
 * prescribes throws an {@link EngineException} naming the rank and the event.
 */
public interface ChoiceHook {
    /** No outcome is prescribed: the engine decides as usual and reports what it decided. */
    int FREE = -2;
    /** The outcome is "nothing": a non-blocking probe reports no message without looking. */
    int NOTHING = -1;

    /** The operations whose outcome is a choice among requests. */
    enum Completion { TEST, TESTALL, TESTANY, TESTSOME, WAITANY, WAITSOME }

    /** A receive, from its posting until it matches ({@link Request#choice()}). */
    interface Receive {
        /** The world rank to post the receive for: its own source, or on replay the rank the recorded one matched. */
        int source();

        /**
         * The receive matched the message numbered {@code seq} (0: not numbered) from world rank {@code source} with
         * {@code tag}. Any thread, possibly under the mailbox lock: must not block or call into the engine. Returns
         * null, or (on replay, when this is not the recorded message) the error to complete the receive with.
         */
        EngineException matched(int source, int tag, long seq);
    }

    /**
     * A receive from {@code source} with {@code tag} on {@code context} is being posted (any receive: one with a
     * wildcard is a choice, and a test that reports a named one complete observes the message that matched it).
     * {@code visible}: the program holds the request and may test it ({@code Irecv}, {@code Recv_init}); false for
     * a receive only the runtime waits for ({@code Recv}, {@code Sendrecv}, a collective's), which no test can report.
     *
     * @return what the receive carries until it matches, or null to post it unchanged and unwatched
     */
    Receive receive(int source, int tag, int context, boolean visible);

    /**
     * A {@code Probe} ({@code blocking}) with a wildcard source or tag, or any {@code Iprobe}, is about to look.
     *
     * @return {@link #FREE}; {@link #NOTHING} ({@code Iprobe} only: report no message without looking); or the world
     *     rank whose next message matching {@code tag} on {@code context} the probe must wait for and report
     */
    int probe(boolean blocking, int source, int tag, int context);

    /** What the probe of {@link #probe} reports: {@code found}, or null when an {@code Iprobe} found nothing. */
    void probed(boolean blocking, int source, int tag, int context, Message found);

    /**
     * {@code op} is about to look at {@code requests} (null entries are inactive).
     *
     * @return null to decide as usual, or the indices of the requests it must wait for and report complete, in
     *     ascending order (empty: report that none is, or for {@code TEST}/{@code TESTALL} that not all are)
     */
    int[] complete(Completion op, Request[] requests);

    /**
     * What {@code op} reports: the indices of {@code requests} it reports complete, ascending ({@code TEST} and
     * {@code TESTALL}: every active request or none).
     */
    void completed(Completion op, Request[] requests, int[] indices);
}
