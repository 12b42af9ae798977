package io.snapline.runtime.engine;

/** An operation involved a rank whose process has failed (its connection broke); it can never complete. */
public final class PeerFailedException extends EngineException {
    private static final long serialVersionUID = 1L;
    private final int rank;

    public PeerFailedException(int rank, String reason) {
        super("rank " + rank + " has failed (" + reason + "); operations involving rank " + rank
                + " cannot complete");
        this.rank = rank;
    }

    /** World rank of the failed peer. */
    public int rank() {
        return rank;
    }
}
