package io.snapline.runtime.launch;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * Runs a job on the {@code tcp} device: one JVM per rank ({@link RankCommand}, {@link RankProcess}) on this host, or
 * on a cluster's agents ({@link RankStarter}), supervised over a control channel ({@link ControlChannel}; loopback
 * unless the ranks run on a cluster) that only holders of the job's random token may join. Each run of the ranks is a
 * {@link TcpAttempt}.
 *
 * <p>Rank output reaches {@code out}/{@code err} a whole line at a time ({@link OutputPump}). The job ends as on
 * {@code shm}: with 0 when every rank's {@code main} returned; otherwise the first of these ends the attempt —
 * a rank's uncaught exception (status 1, its report and stack trace come over the control channel), {@code Abort(code)}
 * (status {@code code}, 1 for 0), or the death of a rank process (status 1). A death is noticed when the process exits
 * without having reported, when its control connection breaks, or when it has sent nothing for the failure timeout
 * ({@link FailureDetector}); the survivors are told ({@link ControlMessage.PeerDied}). After the first failure the
 * other ranks get the abort grace ({@link SupervisorTimeouts#abortGrace}) to end, then are terminated, then killed.
 * A shutdown hook kills the rank processes when the launcher is interrupted or terminated; a launcher killed outright
 * is noticed by the ranks themselves ({@link RankControl}). What follows each rank's end is decided by the attempt's
 * {@link AttemptSupervisor}, as on {@code shm}.
 *
 * <p>With a checkpoint policy ({@link Supervision}) a death is not the end: a rank process that died (SIGKILLed by
 * failure injection or by anyone else, crashed, exited without reporting, fell silent) or whose {@code main} ended
 * with an {@link Error} restarts the job. Every surviving rank process of the attempt is killed, and once none is
 * left, {@code np} new processes start from the newest committed checkpoint, up to {@code --max-restarts} times. An
 * uncaught exception or {@code Abort} is the program's own doing, which a restart would repeat: it ends the job.
 * Under a policy that restarts ranks alone only the dead rank's process is replaced, within the attempt, while the
 * others run on ({@link TcpAttempt}).
 */
public final class TcpJob {
    /** How long the ranks may take to start and say hello (see {@link SupervisorTimeouts#startup}). */
    static final Duration STARTUP_TIMEOUT = SupervisorTimeouts.DEFAULTS.startup();
    /** How long a new control connection may take to present the token. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(5);

    private final LaunchOptions options;
    private final Supervision supervision;
    private final SupervisorTimeouts timeouts;
    private final byte[] token = new byte[32];
    private final PrintStream err;
    private final RankStarter starter;
    private volatile TcpAttempt current;
    /** Why the job was cancelled, or null. */
    private volatile String cancelled;

    private TcpJob(LaunchOptions options, Supervision supervision, RankStarter starter, PrintStream err) {
        this.options = options;
        this.starter = starter;
        this.supervision = supervision;
        this.timeouts = SupervisorTimeouts.from(options);
        this.err = err;
        new SecureRandom().nextBytes(token);
    }

    /** Runs the job described by {@code options}, with rank output going to {@code out} and {@code err}. */
    public static JobResult run(LaunchOptions options, PrintStream out, PrintStream err) {
        return run(options, Supervision.open(options, err), RankStarter.LOCAL, out, err);
    }

    /** Runs the job with its rank processes started by {@code starter}, which is closed at the end. */
    static JobResult run(LaunchOptions options, Supervision supervision, RankStarter starter, PrintStream out,
            PrintStream err) {
        try (starter) {
            TcpJob job = new TcpJob(options, supervision, starter, err);
            // A cancel request arrives on the cluster client's event thread: what it does (reading the store for the
            // resume command, stopping the ranks) blocks, so it runs on a thread of its own.
            starter.announce(supervision.checkpointing() ? supervision.storeLocation() : null, by -> {
                Thread t = new Thread(() -> job.cancel(by), "snaprun-cancel");
                t.setDaemon(true);
                t.start();
            });
            supervision.onCommit(starter::committed);
            return job.run(out);
        } finally {
            supervision.release(); // every rank process is gone: the store is free for the next job
        }
    }

    /** How often each side of a control channel sends a heartbeat: a quarter of the failure timeout, 10..500 ms. */
    static Duration heartbeatPeriod(Duration failureTimeout) {
        return Duration.ofMillis(Math.max(10, Math.min(500, failureTimeout.toMillis() / 4)));
    }

    private JobResult run(PrintStream out) {
        long start = System.nanoTime();
        Thread hook = new Thread(this::killCurrent, "snaprun-kill-ranks");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (true) {
                TcpAttempt a = new TcpAttempt(options, supervision, timeouts, token, starter, err);
                current = a;
                if (cancelled != null) { // between two attempts
                    a.cancel(cancelled);
                }
                a.run(out);
                Duration wall = Duration.ofNanos(System.nanoTime() - start);
                if (a.succeeded()) {
                    JobResult ok = new JobResult(0, List.of(), wall);
                    return supervision.finish(ok);
                }
                if (!supervision.restartAfter(a.failedRanks(), a.restartable(), a.abortedAt())) {
                    JobResult failed = a.result(wall);
                    return supervision.finish(failed);
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to
            }
        }
    }

    /** Cancels the job ({@code snapline cancel}, asked {@code by} whom): its ranks stop, and it ends resumable. */
    private void cancel(String by) {
        String reason = "the job was cancelled by snapline cancel (" + by + ")";
        supervision.endsResumable();
        cancelled = reason;
        TcpAttempt a = current;
        if (a != null) {
            a.cancel(reason);
        }
    }

    private void killCurrent() {
        TcpAttempt a = current;
        if (a != null) {
            a.killAll();
        }
    }

    static String describeExit(int status, boolean joined) {
        if (status > 128 && status < 128 + 65) {
            int signal = status - 128;
            return "its process was killed by signal " + signal + signalName(signal);
        }
        return joined ? "its process exited with status " + status + " before its main returned (System.exit?)"
                : "its process exited with status " + status + " before it joined the job (see its output above)";
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 2 -> " (SIGINT)";
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }
}
