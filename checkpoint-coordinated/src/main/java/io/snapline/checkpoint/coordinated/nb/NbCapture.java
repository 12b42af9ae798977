package io.snapline.checkpoint.coordinated.nb;

import java.util.Arrays;

/**
 * Returned by {@link NbRankProtocol#atSafePoint()} when the rank takes checkpoint {@code epoch} now: the runtime
 * captures the program state and the accepted-but-unreceived messages before it carries out the actions queued by
 * that call. {@code sentUpTo[j]} and {@code acceptedUpTo[i]} are the channel counters at the checkpoint (indexed by
 * rank). The arrays are copies owned by this object; accessors return fresh copies.
 */
public record NbCapture(int epoch, long[] sentUpTo, long[] acceptedUpTo) {

    public NbCapture {
        sentUpTo = sentUpTo.clone();
        acceptedUpTo = acceptedUpTo.clone();
    }

    @Override
    public long[] sentUpTo() {
        return sentUpTo.clone();
    }

    @Override
    public long[] acceptedUpTo() {
        return acceptedUpTo.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NbCapture c && c.epoch == epoch && Arrays.equals(c.sentUpTo, sentUpTo)
                && Arrays.equals(c.acceptedUpTo, acceptedUpTo);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * epoch + Arrays.hashCode(sentUpTo)) + Arrays.hashCode(acceptedUpTo);
    }

    @Override
    public String toString() {
        return "NbCapture[epoch=" + epoch + ", sentUpTo=" + Arrays.toString(sentUpTo) + ", acceptedUpTo="
                + Arrays.toString(acceptedUpTo) + "]";
    }
}
