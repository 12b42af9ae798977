package io.snapline.runtime.checkpoint;

/** Told when the program's thread starts or stops waiting inside the runtime (see {@link RankServices#watchWaits}). */
@FunctionalInterface
public interface WaitListener {
    /**
     * @param waiting whether the thread now waits (blocked, or polling in vain); false: it runs the program again
     * @param peers   while waiting: the ranks whose message (or whose receive, for a send) would end the wait, or
     *                null when any rank might (a wildcard receive or probe, several kinds of wait, polling)
     */
    void waitingChanged(boolean waiting, int[] peers);
}
