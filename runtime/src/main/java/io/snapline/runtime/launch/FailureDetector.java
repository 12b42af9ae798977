package io.snapline.runtime.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Decides that a rank is dead, once, and tells a {@link Listener}. Two kinds of evidence count: a direct report
 * ({@link #died}: its process exited, its control connection broke) and silence (a watched rank that sent nothing for
 * longer than the failure timeout, found by {@link #check}). A rank that ended in order is {@link #retire retired} and
 * is never declared dead afterwards. The detector only decides; what happens next (end the job, restart the rank) is the
 * listener's policy, so it serves both {@code --checkpoint none} and the restarting policies.
 *
 * <p>Time comes from an injected nanosecond clock, so tests drive it by hand. Thread-safe; the listener is called
 * without the detector's lock held, at most once per rank per {@link #watch}.
 */
public final class FailureDetector {
    /** Told when a rank is declared dead. */
    public interface Listener {
        void rankDied(int rank, String reason);
    }

    private enum State { UNWATCHED, WATCHED, RETIRED, DEAD }

    private final long timeoutNanos;
    private final LongSupplier clock;
    private final Listener listener;
    private final State[] state;
    private final long[] lastHeard;

    /**
     * @param size     number of ranks
     * @param timeout  silence after which a watched rank is dead
     * @param clock    nanosecond clock, e.g. {@code System::nanoTime}
     * @param listener told about each death
     */
    public FailureDetector(int size, Duration timeout, LongSupplier clock, Listener listener) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("failure timeout must be positive, got " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
        this.clock = clock;
        this.listener = listener;
        this.state = new State[size];
        this.lastHeard = new long[size];
        java.util.Arrays.fill(state, State.UNWATCHED);
    }

    /** Starts expecting signs of life from {@code rank} (again, for a restarted rank), counting from now. */
    public synchronized void watch(int rank) {
        state[rank] = State.WATCHED;
        lastHeard[rank] = clock.getAsLong();
    }

    /** Records a sign of life (any message) from {@code rank}. */
    public synchronized void heard(int rank) {
        lastHeard[rank] = clock.getAsLong();
    }

    /** {@code rank} ended in order (finished, or reported its own failure): none of its later silence is a death. */
    public synchronized void retire(int rank) {
        if (state[rank] != State.DEAD) {
            state[rank] = State.RETIRED;
        }
    }

    /**
     * Direct evidence that {@code rank} is gone. Declares it dead unless it was retired or already declared.
     *
     * @return true when this call declared the death
     */
    public boolean died(int rank, String reason) {
        synchronized (this) {
            if (state[rank] == State.RETIRED || state[rank] == State.DEAD) {
                return false;
            }
            state[rank] = State.DEAD;
        }
        listener.rankDied(rank, reason);
        return true;
    }

    /** Declares every watched rank that has been silent for longer than the timeout; returns those ranks. */
    public List<Integer> check() {
        List<Integer> dead = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        synchronized (this) {
            long now = clock.getAsLong();
            for (int r = 0; r < state.length; r++) {
                long silent = now - lastHeard[r];
                if (state[r] == State.WATCHED && silent > timeoutNanos) {
                    state[r] = State.DEAD;
                    dead.add(r);
                    reasons.add("no sign of life for " + silent / 1_000_000 + " ms (failure timeout "
                            + timeoutNanos / 1_000_000 + " ms)");
                }
            }
        }
        for (int i = 0; i < dead.size(); i++) {
            listener.rankDied(dead.get(i), reasons.get(i));
        }
        return dead;
    }

    public synchronized boolean isDead(int rank) {
        return state[rank] == State.DEAD;
    }
}
