package io.snapline.recovery.simulate;

import java.util.Locale;

/** How a policy recovers from a failure, as the simulator models it. */
public enum Protocol {
    /**
     * {@code coordinated} and {@code coordinated-nb}: every rank rolls back to the last committed checkpoint; the work
     * since then (and a checkpoint under way) is lost and done again by every rank.
     */
    COORDINATED("coordinated"),
    /**
     * {@code independent --logging pessimistic|causal}: only the failed rank rolls back to its checkpoint and replays
     * from the logs, taking the replay factor times as long as the work it lost took; the others wait for it and lose
     * nothing. Every message costs the logging overhead, failures or not.
     */
    LOGGING("logging"),
    /**
     * {@code independent --logging none}: the ranks roll back to the last recovery line, the newest set of local
     * checkpoints with no message received and not sent between them. A program whose ranks exchange messages between
     * checkpoints has none but the start (the domino effect); one that has a quiet moment every k-th checkpoint has
     * one there ({@code --consistent-every k}).
     */
    INDEPENDENT("independent");

    private final String flag;

    Protocol(String flag) {
        this.flag = flag;
    }

    /** The name {@code --policy} takes. */
    public String flag() {
        return flag;
    }

    /** The protocol named {@code name} on the command line, or null. */
    public static Protocol byFlag(String name) {
        for (Protocol p : values()) {
            if (p.flag.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }
}
