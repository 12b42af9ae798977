package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.Interval;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.NonePolicy;
import io.snapline.runtime.checkpoint.Policies;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankLink;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.RunReport;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import io.snapline.runtime.checkpoint.store.StoreDirectory;
import io.snapline.runtime.checkpoint.store.ClusterStoreUri;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The device-independent part of supervising a job with a checkpoint policy: opening the store, choosing what each
 * attempt restores, deciding whether a failure restarts the job, timing restarts, and the run report. One instance
 * per job; {@link ShmJob} and {@link TcpJob} run the attempts.
 */
final class Supervision {
    private final LaunchOptions options;
    private final CheckpointPolicy policy;
    private final PolicySettings settings;
    /**
     * What ranks are told as they start: {@link #settings}, under {@code --learn-mttf} with the MTTF learned from the
     * failures seen so far.
     */
    private volatile PolicySettings rankSettings;
    /** The job's id: its store's lock and its record in a cluster name it. */
    private String jobId;
    /** Failures seen by this launch ({@code --learn-mttf}). */
    private int failuresSeen;
    private final CheckpointStore store;
    /** Where the store is, as the user named it: a directory, or a store in the cluster. */
    private final String storeDir;
    private final JobStore.Held lock;
    private final JobFingerprint fingerprint;
    private final RunReport report;
    private final FailurePlan failures;
    private final PrintStream err;
    private final long start;
    /** The interval of the job's global checkpoints ({@code --interval auto}: chosen from their costs). */
    private final IntervalChooser interval;
    private RestartPoint restore;
    /** The id the first checkpoint of the next attempt takes (see {@link #firstCheckpointId}). */
    private long firstId;
    private int restarts;
    private long restartDetectedAt;
    private int[] restartFailedRanks;
    private String restartReason;
    private int restoredRanks;
    private boolean restartPending;
    /** The job ended with restarts left to want: the run report says how to resume it. */
    private boolean gaveUp;
    private Thread interruptHook;
    /** What a resume of a job that gave up will restore (null: not known). */
    private RestartPoint resumeFrom;
    /** Holds the ranks' stdout until no restart or resume can take it back; null without a store. */
    private volatile HeldOutput output;

    private Supervision(LaunchOptions options, CheckpointPolicy policy, PolicySettings settings, CheckpointStore store,
            String storeDir, JobStore.Held lock, JobFingerprint fingerprint, RestartPoint restore, PrintStream err) {
        this.options = options;
        this.policy = policy;
        this.settings = settings;
        this.rankSettings = settings;
        this.store = store;
        this.storeDir = storeDir;
        this.lock = lock;
        this.fingerprint = fingerprint;
        this.restore = restore;
        this.firstId = firstCheckpointId(store, restore);
        this.err = err;
        this.start = System.nanoTime();
        this.report = new RunReport(policy.name(), options.device(), options.np(), start,
                settings.compression().flagValue(), settings.incremental());
        this.failures = new FailurePlan(options.injectFailures(), options.np());
        this.interval = IntervalChooser.of(settings.checkpointInterval(), start);
        if (interval.auto()) {
            report.intervalChosen(-1, interval.current(), start);
        }
    }

    /**
     * Opens what the command line asks for: the policy, and for a policy that restarts, the store: checked to be
     * usable, locked for this job, and refused when it holds another run's checkpoints unless resuming, or when a
     * resume's checkpoints were taken by another job (program, arguments, policy, ranks).
     *
     * @throws UsageException with a message for the user when that cannot be done
     */
    static Supervision open(LaunchOptions options, PrintStream err) {
        CheckpointPolicy policy;
        try {
            policy = Policies.byName(options.checkpoint(), Supervision.class.getClassLoader());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return open(options, policy, err);
    }

    /** {@link #open(LaunchOptions, PrintStream)} with {@code policy}, already found (tests give one of their own). */
    static Supervision open(LaunchOptions options, CheckpointPolicy policy, PrintStream err) {
        if (options.report() != null) {
            ReportFile.check(Path.of(options.report()));
        }
        PolicySettings settings = options.policySettings();
        try {
            policy.validate(settings);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String id = jobId(options); // once: the store's lock and the cluster's job record name the same job
        if (!policy.restarts()) {
            Supervision s = new Supervision(options, policy, settings, null, null, null, null,
                    RestartPoint.fresh(options.np()), err);
            s.jobId = id;
            return s;
        }
        JobStore opened = JobStore.open(options, policy, settings, id, err);
        Supervision s = new Supervision(options, policy, settings, opened.store(), opened.location(), opened.lock(),
                opened.fingerprint(), opened.restore(), err);
        s.jobId = id;
        opened.warnings().forEach(s.report::warning);
        s.printHintOnInterrupt();
        err.println("snaprun: checkpoint policy " + policy.name() + " (" + policy.schedule(settings)
                + "), checkpoints in " + opened.location()
                + "; up to " + options.maxRestarts() + " restart(s)");
        return s;
    }

    /** This job's id ({@link #jobId(LaunchOptions)}, taken once when it was opened). */
    String jobId() {
        return jobId;
    }

    /** {@code <MainClass>-<yyyyMMdd-HHmmss>-<pid>}: names the default store directory. */
    static String jobId(LaunchOptions options) {
        String main = options.mainClass() == null ? "job" : options.mainClass();
        main = main.substring(main.lastIndexOf('.') + 1).replaceAll("[^A-Za-z0-9_-]", "_");
        return main + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + ProcessHandle.current().pid();
    }

    CheckpointPolicy policy() {
        return policy;
    }

    PolicySettings settings() {
        return settings;
    }

    boolean checkpointing() {
        return store != null;
    }

    /**
     * Where the ranks find the store: an absolute directory (the ranks may run in another working directory), or the
     * store in the cluster, which each rank opens through its agent.
     */
    String storeLocation() {
        return ClusterStoreUri.isClusterStore(storeDir) ? storeDir : Path.of(storeDir).toAbsolutePath().toString();
    }

    FailurePlan failures() {
        return failures;
    }

    /**
     * Counts as struck the injected failure the supervisor says has struck ({@code s}): a timed one, or one rank
     * {@code s.rank()} asked for among {@code given} (the injections its incarnation was given; null: the attempt's,
     * {@code attempt}).
     */
    void struck(SupervisorAction s, List<FailurePlan.Injection> attempt, List<FailurePlan.Injection> given) {
        if (s instanceof SupervisorAction.StruckAtRequest r) {
            failures.struck(given == null ? attempt : given, r.rank(), r.atSafePoint());
        } else if (s instanceof SupervisorAction.StruckTimed t) {
            failures.struck(t.injection());
        } else {
            throw new IllegalArgumentException("not a struck failure: " + s);
        }
    }

    RunReport report() {
        return report;
    }

    /** The job's fingerprint, which every checkpoint records (null for a policy without a store). */
    JobFingerprint fingerprint() {
        return fingerprint;
    }

    /** What rank {@code rank} is told at the start of an attempt with {@code injections}. */
    RankSetup setupFor(int rank, RankLink link, List<FailurePlan.Injection> injections) {
        return new RankSetup(policy, rankSettings, store, restore.rank(rank), link, FailurePlan.pointFor(injections, rank),
                FailurePlan.writeFor(injections, rank), firstId);
    }

    /** The coordinator of a new attempt. */
    CoordinatorLoop coordinator(CoordinatorLoop.Ranks ranks) {
        CoordinatorLoop loop = new CoordinatorLoop(policy, options.np(), settings, store, CheckpointId.of(firstId),
                restore, report, err, ranks, output, interval, id -> onCommit.accept(id), keepsHostCopies());
        synchronized (this) {
            attemptCoordinator = loop;
        }
        return loop;
    }

    /** The coordinator of the newest attempt, whose next id the next attempt's ids start at or above; null before. */
    private CoordinatorLoop attemptCoordinator;

    /** Whether the ranks keep host copies of their pieces ({@code local+hazelcast://}) besides the cluster's. */
    boolean keepsHostCopies() {
        return ClusterStoreUri.isClusterStore(storeDir) && ClusterStoreUri.parse(storeDir).tiered();
    }

    /**
     * Where the ranks' stdout goes in the attempt that starts now. A job with a store (which it may restart from,
     * or a later {@code --resume}) holds each rank's lines until no restart can take them back
     * ({@link OutputCommit}), so that it prints what a failure-free run prints; one without writes them to {@code out}
     * at once.
     */
    synchronized RankOutput stdout(PrintStream out) {
        if (store == null) {
            return new RankOutput(out, options.np(), options.tagOutput());
        }
        if (output == null) {
            output = new HeldOutput(out, options.np(), w -> {
                err.println("snaprun: warning: " + w);
                report.warning(w);
            });
        }
        return new RankOutput(out, options.np(), options.tagOutput(), output, output.startAttempt(restore));
    }

    /**
     * The id the first checkpoint of an attempt that restores {@code restore} takes: above the restored checkpoint and
     * above every checkpoint committed in the store, damaged ones included (after a fallback past a damaged newest
     * checkpoint K, the next one is K + 1, not K again). An uncommitted checkpoint directory left by a failed attempt
     * may carry that id: its pieces were never part of any restart and are replaced, piece by piece, by the new ones.
     */
    static long firstCheckpointId(CheckpointStore store, RestartPoint restore) {
        long next = restore.globalId() + 1;
        if (store != null) {
            for (CheckpointId id : store.list()) {
                next = Math.max(next, id.value() + 1);
            }
        }
        return next;
    }

    /**
     * The id the first checkpoint of the attempt after one whose coordinator's next id is {@code previousNextId}
     * takes: {@link #firstCheckpointId}, and never below {@code previousNextId}, so that no id is used twice in a job
     * run. A checkpoint the previous attempt completed but never committed (with host copies, one whose pieces were
     * not all in the replica yet) keeps its id: a rank process of that attempt that outlives it may still be writing
     * its piece, and must not overwrite the piece of a newer checkpoint under the same id.
     */
    static long nextAttemptsFirstId(CheckpointStore store, RestartPoint restore, long previousNextId) {
        return Math.max(firstCheckpointId(store, restore), previousNextId);
    }

    /** The survivors of a death have stopped (or the wait for them ended) {@code tookNanos} after it. */
    void survivorsStopped(long tookNanos, boolean allStopped) {
        err.println("snaprun: " + (allStopped ? "the other ranks had stopped or ended " + RunReport.millis(tookNanos)
                + " after the failure" : "not every other rank stopped within " + RunReport.millis(tookNanos)
                        + " of the failure; stopping them where they are"));
    }

    /** The job ran out of restarts (see {@link #restartAlone}). */
    synchronized boolean gaveUp() {
        return gaveUp;
    }

    /**
     * The job ends though a restart could continue it (ranks that must run again have nowhere to run, or it was
     * cancelled): when it ends it says how to resume it.
     */
    synchronized void endsResumable() {
        gaveUp = true;
        resumeFrom = store == null ? null : resumePoint();
    }

    /** Who hears of each checkpoint committed (its id). */
    private volatile java.util.function.LongConsumer onCommit = id -> { };

    /** Has {@code listener} told the id of each checkpoint committed from now on, on the coordinator's thread. */
    void onCommit(java.util.function.LongConsumer listener) {
        onCommit = listener;
    }

    /**
     * Rank {@code rank} restored its piece of checkpoint {@code id} from its host's copy ({@code fastFailure} empty),
     * or from the replica because its host's copy failed as {@code fastFailure} says: said on the terminal and kept in
     * the run report.
     */
    void pieceRead(int rank, long id, String fastFailure) {
        err.println("snaprun: rank " + rank + " restored its piece of checkpoint " + id + (fastFailure.isEmpty()
                ? " from its host's copy" : " from the replica (its host's copy: " + fastFailure + ")"));
        report.pieceRead(rank, id, fastFailure);
    }

    /**
     * Rank {@code rank}'s write to the replica of a store with host copies failed as {@code why} says: no checkpoint
     * commits in this attempt any more, which is said on the terminal as a warning and kept in the run report.
     */
    void replicaFailed(int rank, String why) {
        String w = "rank " + rank + ": " + why + "; checkpoints stopped committing: none commits in this attempt any "
                + "more, since each needs every rank's piece in the cluster (a restart commits again)";
        err.println("snaprun: warning: " + w);
        report.warning(w);
    }

    /** Says {@code what} on the terminal and in the run report's warnings. */
    void announce(String what) {
        err.println("snaprun: " + what);
        report.warning(what);
    }

    /** Whether a rank that dies restarts alone while the others run on (the policy's choice). */
    boolean restartsRanksAlone() {
        return store != null && policy.restartsRanksAlone(settings);
    }

    /** Per rank restarting alone, until it has restored: its failure, for the run report. */
    private final java.util.Map<Integer, AloneFailure> restoringAlone = new java.util.HashMap<>();

    private record AloneFailure(long detectedAt, String reason, RestoreFrom from) {
    }

    /**
     * The ranks of the current episode of alone restarts: ranks that failed while another was restarting alone, or
     * before the last of those had restored, count as one restart against {@code --max-restarts} with it (failures
     * at once cost one restart, as a whole restart would); the same rank failing again counts anew.
     */
    private final java.util.Set<Integer> episode = new java.util.TreeSet<>();
    /** When the last rank of the episode had restored ({@link System#nanoTime}), or MIN_VALUE while it has not. */
    private long episodeEndedAt = Long.MIN_VALUE;

    /** What a rank restarting alone starts its new incarnation from. */
    record Alone(RestoreFrom from, long firstCheckpointId) {
    }

    /**
     * Rank {@code rank} died ({@code reason}) and restarts alone while the others run on: counts the restart against
     * {@code --max-restarts} and returns where its new incarnation starts; null when it cannot (no restarts left, or
     * its checkpoints cannot be used: said on the terminal), and the job then fails or restarts whole.
     */
    synchronized Alone restartAlone(int rank, String reason, long detectedAt) {
        String failed = RunReport.failed(new int[] {rank}, reason);
        boolean joins = !episode.isEmpty() && !episode.contains(rank)
                && (restoringAlone.keySet().stream().anyMatch(r -> r != rank) || detectedAt <= episodeEndedAt);
        if (!joins && restarts >= options.maxRestarts()) {
            err.println("snaprun: " + failed + "; not restarting: the job has used all " + options.maxRestarts()
                    + " restart(s) allowed by --max-restarts");
            gaveUp = true;
            return null;
        }
        long planning = System.nanoTime();
        RestoreFrom from;
        long first = 1;
        try {
            LocalCheckpointStore local = store; // a write the dead incarnation left unfinished is replaced when redone
            from = policy.restartPointAlone(store, rank, options.np(), settings, w -> {
                err.println("snaprun: warning: " + w);
                report.warning(w);
            });
            for (long index : local.localIndexes(rank)) {
                first = Math.max(first, index + 1);
            }
        } catch (RuntimeException e) {
            err.println("snaprun: " + failed + "; it cannot restart alone: " + e.getMessage());
            return null;
        }
        String with = "";
        if (joins) {
            with = " with rank(s) " + episode + ",";
        } else {
            restarts++;
            episode.clear();
            failureSeen(detectedAt); // ranks that fail at once are one failure, as they are one restart
        }
        episode.add(rank);
        episodeEndedAt = Long.MIN_VALUE;
        restoringAlone.put(rank, new AloneFailure(detectedAt, reason, from));
        err.println("snaprun: " + failed + "; restarting rank " + rank + " alone from "
                + (from == null ? "the beginning" : "its " + from) + ", the other ranks run on (restart " + restarts
                + with + " of at most " + options.maxRestarts() + "; found and verified in "
                + RunReport.millis(System.nanoTime() - planning) + ")");
        return new Alone(from, first);
    }

    /**
     * Under {@code --learn-mttf}: one more failure, detected at {@code at}, changes the MTTF estimate; the
     * job's interval is chosen again from it (reported when it changes), and ranks that start from now on are given
     * it.
     */
    private void failureSeen(long at) {
        Interval.Auto auto = settings.auto();
        if (auto == null || !auto.learn()) {
            return;
        }
        failuresSeen++;
        long run = at - start;
        Duration mttf = IntervalChooser.learnedMttf(auto.mttf(), run, failuresSeen);
        String why = IntervalChooser.describeLearned(auto.mttf(), run, failuresSeen);
        rankSettings = settings.withAuto(auto.withMttf(mttf));
        report.mttfLearned(why, at);
        IntervalChooser.Choice choice = interval.mttfEstimated(mttf, why, at);
        if (choice != null) {
            report.intervalChosen(-1, choice, at);
        }
        err.println("snaprun: " + (choice != null ? choice.describe() : why + "; the interval stays"));
    }

    /** What rank {@code rank}, restarting alone as incarnation {@code incarnation}, is told at its start. */
    RankSetup setupAlone(int rank, Alone alone, int incarnation, RankLink link, List<FailurePlan.Injection> injections) {
        return new RankSetup(policy, rankSettings, store, alone.from(), link, FailurePlan.pointFor(injections, rank),
                FailurePlan.writeFor(injections, rank), alone.firstCheckpointId(), incarnation);
    }

    /** A rank restarting alone has started its new incarnation; with nothing to restore, its restart is complete. */
    synchronized void startedAlone(int rank) {
        report.rankStarted(rank);
        AloneFailure f = restoringAlone.get(rank);
        if (f != null && f.from() == null) {
            aloneRestored(rank, System.nanoTime());
        }
    }

    private void aloneRestored(int rank, long now) {
        AloneFailure f = restoringAlone.remove(rank);
        report.restartAlone(rank, f.reason(), f.from(), f.detectedAt(), now);
        if (restoringAlone.isEmpty()) {
            episodeEndedAt = now;
        }
    }

    /** A rank of the current attempt restored its checkpoint. */
    synchronized void restored(int rank, long id, long point, long nanos) {
        if (restoringAlone.containsKey(rank)) {
            aloneRestored(rank, System.nanoTime());
            return;
        }
        if (restartPending && ++restoredRanks == restore.restoring()) {
            recordRestart(System.nanoTime());
        }
    }

    /** The attempt started; with nothing to restore, the restart is complete now. */
    synchronized void attemptStarted() {
        report.attemptStarted();
        if (restartPending && restore.restoring() == 0) {
            recordRestart(System.nanoTime());
        }
    }

    private void recordRestart(long now) {
        report.restart(restartFailedRanks, restartReason, restore, restartDetectedAt, now);
        restartPending = false;
    }

    /**
     * Decides what follows a failed attempt: returns true to restart (from the newest complete checkpoint, which
     * becomes what the next attempt restores), false to end the job.
     *
     * @param failed      the ranks that failed in the attempt, in rank order (several when failures struck
     *                    at once); each is restarted with the job and named in the restart line
     * @param restartable whether the failure is one a restart can cure (a rank died), not one it would repeat
     */
    synchronized boolean restartAfter(List<FailedRank> failed, boolean restartable, long detectedAt) {
        int[] ranks = failed.stream().mapToInt(FailedRank::rank).toArray();
        String reason = FailedRank.reasons(failed);
        if (restartPending) {
            recordRestart(detectedAt);
        }
        // Ranks that were restarting alone and now restart with the job failed once, not twice (--learn-mttf).
        boolean seen = !episode.isEmpty() && failed.stream().allMatch(f -> episode.contains(f.rank()));
        // The attempt ends: alone restarts under way end with it, and the next failure begins a new episode.
        restoringAlone.clear();
        episode.clear();
        episodeEndedAt = Long.MIN_VALUE;
        if (store == null || !restartable) {
            return false;
        }
        if (restarts >= options.maxRestarts()) {
            err.println("snaprun: " + RunReport.failed(ranks, reason) + "; not restarting: the job has used all "
                    + options.maxRestarts() + " restart(s) allowed by --max-restarts");
            gaveUp = true;
            resumeFrom = resumePoint();
            return false;
        }
        long planning = System.nanoTime();
        try {
            store.deleteInterruptedWrites(); // no rank runs now: what a killed rank was writing is garbage
            restore = policy.restartPoint(store, options.np(), settings, w -> {
                err.println("snaprun: warning: " + w);
                report.warning(w);
            });
            firstId = nextAttemptsFirstId(store, restore,
                    attemptCoordinator == null ? 0 : attemptCoordinator.nextId().value());
        } catch (CheckpointStoreException e) {
            err.println("snaprun: cannot restart: " + e.getMessage());
            gaveUp = true;
            return false;
        }
        restarts++;
        if (!seen) {
            failureSeen(detectedAt);
        }
        restartPending = true;
        restoredRanks = 0;
        restartDetectedAt = detectedAt;
        restartFailedRanks = ranks;
        restartReason = reason;
        err.println("snaprun: " + RunReport.failed(ranks, reason) + "; restarting all " + options.np()
                + " ranks from " + restore
                + " (restart " + restarts + " of at most " + options.maxRestarts() + "; found and verified in "
                + RunReport.millis(System.nanoTime() - planning) + ")");
        return true;
    }

    /**
     * Releases the store's lock; called once the job's ranks are gone, however the job ended. From then on an
     * interrupt no longer prints how to resume. Idempotent.
     */
    void release() {
        releaseOutput();
        if (interruptHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(interruptHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or has run
            }
        }
        if (lock != null) {
            lock.close();
        }
    }

    /**
     * Ends the job: prints the run report (for a checkpointing policy), how to resume a job that gave up, and writes
     * the report as JSON if asked. Returns the job's result, with exit status 1 instead of 0 when the report asked for
     * could not be written (the message says why).
     */
    JobResult finish(JobResult result) {
        releaseOutput();
        for (FailurePlan.Injection i : failures.unstruck()) {
            // A failure the user asked for that never happened: the run did not test what they think it tested.
            String w = "--inject-failure " + i + " never struck: the job ended before (a rank passes fewer safe "
                    + "points or checkpoints than asked, or ends sooner)";
            report.warning(w);
            if (store == null) {
                err.println("snaprun: warning: " + w);
            }
        }
        report.finish(result.succeeded() ? "completed" : "failed with exit status " + result.exitCode(),
                System.nanoTime());
        if (store != null) {
            for (String line : report.summary().split("\n")) {
                err.println("snaprun: " + line.stripTrailing());
            }
            if (gaveUp) {
                err.println("snaprun: " + resumeHint());
            }
            store.close();
        }
        release();
        JobResult out = result;
        if (options.report() != null) {
            try {
                report.writeJson(Path.of(options.report()));
            } catch (IOException e) {
                err.println("snaprun: cannot write the run report to " + options.report() + ": "
                        + StoreDirectory.reason(e));
                if (result.succeeded()) {
                    err.println("snaprun: every rank finished, but the run report was not written; exit status 1");
                    out = new JobResult(1, List.of(), result.wallTime(), result.abandonedRanks());
                }
            }
        }
        err.flush();
        return out;
    }

    /**
     * The job is over: stdout still held is written, in the order it was printed. A job that gave up can be resumed
     * from its store, and the resume prints again what its newest checkpoint does not cover: only committed output is
     * written then, and the rest is counted.
     */
    private synchronized void releaseOutput() {
        if (output == null) {
            return;
        }
        if (gaveUp) {
            withheld(output.releaseCommitted(resumeFrom, Long.MAX_VALUE));
        } else {
            output.releaseAll();
        }
    }

    /**
     * What a {@code --resume} of the store will restore, planned as for a restart (no rank runs now), or null if that
     * cannot be told; the output it covers is shown before the job ends.
     */
    private RestartPoint resumePoint() {
        try {
            return policy.restartPoint(store, options.np(), settings, w -> {
                err.println("snaprun: warning: " + w);
                report.warning(w);
            });
        } catch (RuntimeException e) { // a store that cannot be read: nothing more is known to be covered
            return null;
        }
    }

    private void withheld(long bytes) {
        if (bytes > 0 && nothingToResume()) {
            err.println("snaprun: " + RunReport.size(bytes) + " of output is not shown: no checkpoint covers it, and "
                    + "running the job again prints it");
        } else if (bytes > 0) {
            err.println("snaprun: " + RunReport.size(bytes) + " of output printed after the newest checkpoint is not "
                    + "shown: a resume prints it again");
        } else if (bytes < 0) {
            err.println("snaprun: output printed after the newest checkpoint may not all be shown: a resume prints it");
        }
    }

    /** Whether the store holds no checkpoint at all, so that a resume is refused and the job must run again. */
    private boolean nothingToResume() {
        try {
            return store.list().isEmpty() && !store.hasLocalCheckpoints();
        } catch (CheckpointStoreException e) {
            return false;
        }
    }

    /** The command that continues this job from its store, or why there is nothing to continue. */
    String resumeHint() {
        if (nothingToResume()) {
            return "no checkpoint was committed in " + storeDir + ", so there is nothing to resume; run the job "
                    + "again from the beginning";
        }
        return "to continue the job from its newest checkpoint in " + storeDir + ", run:\n  "
                + ResumeCommand.of(options, storeDir);
    }

    /** On SIGINT or SIGTERM while the job runs, says how to resume it. */
    private void printHintOnInterrupt() {
        interruptHook = new Thread(() -> {
            HeldOutput o = output;
            // Ranks may still run: the store is not touched here; commits and recorded lines say what is covered.
            long withheld = o == null ? 0 : o.releaseCommitted(null, 2_000);
            synchronized (err) {
                withheld(withheld);
                err.println("snaprun: interrupted; " + resumeHint());
                err.flush();
            }
        }, "snaprun-resume-hint");
        Runtime.getRuntime().addShutdownHook(interruptHook);
    }
}
