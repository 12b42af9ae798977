package io.snapline.runtime.checkpoint;

/**
 * The rank half of a policy. {@link #atPoint} runs on the program's thread at every safe point;
 * {@link #onControl} may run on any thread, concurrently with it, so state shared between them must be safe for
 * that (volatile fields, or a lock that {@link #atPoint} does not hold while it waits).
 */
public interface RankPolicy {
    /**
     * The program reached safe point number {@code point} (1 for the first since the job began; a restored rank
     * continues the count of its checkpoint). The policy may checkpoint here, or wait for its coordinator; when it
     * returns, the program continues.
     */
    void atPoint(long point);

    /** A message from the coordinator. */
    void onControl(byte[] message);

    /**
     * The rank is being restored from {@code image} (on the program's thread, inside the first
     * {@code Checkpoint.restoreOr}, before any message of the restored run is sent). Returns messages to put back
     * into the mailbox after those saved in the image — e.g. logged late messages — in order.
     */
    default java.util.List<SavedMessage> onRestore(RankImage image) {
        return java.util.List.of();
    }

    /**
     * The policy is in place (it has been handed the coordinator's messages that came before it was) and
     * {@code MPI.Init} is about to return to the program. Program thread; it may wait for the coordinator here.
     */
    default void onStart() {
    }

    /**
     * The program's setup is over: it registers its first state ({@code Checkpoint.restoreOr}) or reaches its first
     * safe point, whichever comes first. Called once per incarnation of the rank, on the program's thread, before a
     * restore ({@link #onRestore}) if there is one. What the program did before is what it does again, from the
     * beginning, each time it restarts.
     */
    default void onSetupDone() {
    }

    /** The program called {@code MPI.Finalize}; no safe point follows. */
    default void finish() {
    }
}
