package io.snapline.runtime.launch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The rank processes of one {@code tcp} attempt: starts one JVM per rank incarnation ({@link RankCommand}), on this
 * host or a cluster's agent as its {@link RankStarter} does, with its output pumps ({@link OutputPump}) and a thread that waits for it to exit and says so ({@link Exits}); kills them.
 * Knows nothing of what a rank's end means: that is the {@link AttemptSupervisor}'s business. Thread-safe.
 */
final class RankProcesses {
    /** How long terminated rank processes may take to end before they are killed. */
    static final long STOP_WAIT_MILLIS = 1_000;
    /** How long a killed rank process may take to vanish before it is reported as abandoned. */
    static final long KILL_WAIT_MILLIS = 10_000;
    /**
     * How long the output pumps may take to read what their exited ranks left in the pipes (longer only when a process
     * the rank started keeps the pipe open); what comes later is handled as late output of the attempt.
     */
    static final long PUMP_WAIT_MILLIS = 5_000;

    /** Told, on a thread of the process's own, when the process of an incarnation of a rank has exited. */
    interface Exits {
        void exited(int rank, int incarnation, Process process, int status);
    }

    private final LaunchOptions options;
    private final Supervision supervision;
    private final Duration failureTimeout;
    private final byte[] token;
    private final Exits exits;
    private final RankStarter starter;
    /** Each rank's current process (null until started). */
    private final AtomicReferenceArray<Process> processes;
    /** Each rank's current process's output pumps. */
    private final AtomicReferenceArray<Thread[]> pumpsOf;
    /** Every output pump of the attempt, current and past processes' (guarded by itself). */
    private final List<Thread> pumps = new ArrayList<>();
    private final List<Integer> abandoned = Collections.synchronizedList(new ArrayList<>());

    RankProcesses(LaunchOptions options, Supervision supervision, Duration failureTimeout, byte[] token,
            RankStarter starter, Exits exits) {
        this.options = options;
        this.starter = starter;
        this.supervision = supervision;
        this.failureTimeout = failureTimeout;
        this.token = token;
        this.exits = exits;
        this.processes = new AtomicReferenceArray<>(options.np());
        this.pumpsOf = new AtomicReferenceArray<>(options.np());
    }

    /**
     * Starts the process of incarnation {@code incarnation} of rank {@code r}, which joins at {@code control}, with
     * its output going to {@code out} and {@code err}.
     */
    void start(int r, int incarnation, InetSocketAddress control, RankOutput out, RankOutput err) throws IOException {
        Process p = starter.start(r, RankCommand.of(options, control, r, failureTimeout, supervision.policy()),
                Map.of(RankProcess.TOKEN_ENV, Base64.getEncoder().encodeToString(token)));
        processes.set(r, p);
        Thread[] two = {OutputPump.start(p.getInputStream(), out, r, "snaprun-out-" + r),
                OutputPump.start(p.getErrorStream(), err, r, "snaprun-err-" + r)};
        synchronized (pumps) {
            pumps.addAll(List.of(two));
        }
        pumpsOf.set(r, two);
        RankControl.daemon(() -> watch(r, incarnation, p), "snaprun-exit-" + r).start();
    }

    private void watch(int r, int incarnation, Process p) {
        int status;
        try {
            status = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        exits.exited(r, incarnation, p, status);
    }

    /** Rank {@code r}'s current process, or null. */
    Process process(int r) {
        return processes.get(r);
    }

    boolean alive(int r) {
        Process p = processes.get(r);
        return p != null && p.isAlive();
    }

    /** SIGKILLs rank {@code r}'s current process. */
    void kill(int r) {
        Process p = processes.get(r);
        if (p != null) {
            p.destroyForcibly();
        }
    }

    /**
     * Makes sure rank {@code r}'s current process is gone and its output read: returns false (and counts it as
     * abandoned) when it does not vanish within {@link #KILL_WAIT_MILLIS}.
     */
    boolean killAndDrain(int r) throws InterruptedException {
        Process old = processes.get(r);
        old.destroyForcibly();
        if (!old.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            abandoned.add(r);
            return false;
        }
        join(List.of(pumpsOf.get(r)));
        return true;
    }

    /** SIGKILLs every rank process still running and waits until each is gone; those that are not are abandoned. */
    void killSurvivors() throws InterruptedException {
        for (int r = 0; r < processes.length(); r++) {
            kill(r);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MILLIS);
        for (int r = 0; r < processes.length(); r++) {
            Process p = processes.get(r);
            if (p != null && !p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                abandoned.add(r);
            }
        }
    }

    /** The grace after an abort is over: every rank process still running is abandoned and stopped. */
    void stopStragglers() {
        for (int r = 0; r < processes.length(); r++) {
            if (alive(r)) {
                abandoned.add(r);
            }
        }
        killAll();
    }

    /** Terminates every rank process still running, then kills those that ignore it. Used by the shutdown hook too. */
    void killAll() {
        List<Process> alive = new ArrayList<>();
        for (int r = 0; r < processes.length(); r++) {
            Process p = processes.get(r);
            if (p != null && p.isAlive()) {
                p.destroy();
                alive.add(p);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        for (Process p : alive) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    /** Waits (up to {@link #PUMP_WAIT_MILLIS}) until every output pump of the attempt has passed on what it read. */
    void awaitPumps() throws InterruptedException {
        List<Thread> all;
        synchronized (pumps) {
            all = List.copyOf(pumps);
        }
        join(all);
    }

    private static void join(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PUMP_WAIT_MILLIS);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /** The ranks whose processes did not end when stopped. */
    List<Integer> abandoned() {
        synchronized (abandoned) {
            return List.copyOf(abandoned);
        }
    }
}
