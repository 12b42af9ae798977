package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.StoreDirectory;
import io.snapline.runtime.checkpoint.store.StoreLock;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A job's store as the launcher opens it, before any rank runs: checked to be usable ({@link StoreDirectory}), locked
 * for this job ({@link StoreLock}, held until {@link Supervision#release}), opened with the job's fingerprint, and
 * either empty (a new job) or holding this job's checkpoints (a {@code --resume}), with what the first attempt
 * restores and the warnings opening it printed (for the run report).
 */
record JobStore(CheckpointStore store, Path dir, StoreLock lock, JobFingerprint fingerprint, RestartPoint restore,
        List<String> warnings) {

    /**
     * Opens the store {@code options} name for job {@code jobId}.
     *
     * @throws UsageException saying why the store cannot be used (the lock is not left held)
     */
    static JobStore open(LaunchOptions options, CheckpointPolicy policy, PolicySettings settings, String jobId,
            PrintStream err) {
        Path dir = Path.of(options.resume() != null ? options.resume()
                : options.store() != null ? options.store() : FileCheckpointStore.defaultDirectory(jobId).toString());
        if (options.resume() != null && !Files.isDirectory(dir)) {
            throw new UsageException("--resume " + dir + ": no such directory");
        }
        JobFingerprint fingerprint = JobFingerprints.of(options, policy, settings);
        List<String> warnings = new java.util.ArrayList<>();
        java.util.function.Consumer<String> warn = w -> {
            err.println("snaprun: warning: " + w);
            warnings.add(w);
        };
        StoreLock lock;
        try {
            StoreDirectory.prepare(dir);
            lock = StoreLock.acquire(dir, jobId, warn);
        } catch (CheckpointStoreException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            CheckpointStore store = new FileCheckpointStore(dir, fingerprint, settings.incremental());
            RestartPoint restore = options.resume() != null
                    ? resumePoint(options, policy, store, fingerprint, dir, err, warn)
                    : requireEmpty(store, dir, options.np());
            return new JobStore(store, dir, lock, fingerprint, restore, List.copyOf(warnings));
        } catch (CheckpointStoreException e) {
            lock.close();
            throw new UsageException(e.getMessage());
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    /** What a {@code --resume} restores, once the store's checkpoints are shown to be this job's. */
    private static RestartPoint resumePoint(LaunchOptions options, CheckpointPolicy policy, CheckpointStore store,
            JobFingerprint fingerprint, Path dir, PrintStream err, java.util.function.Consumer<String> warn) {
        if (store.list().isEmpty() && !store.hasLocalCheckpoints()) {
            throw new UsageException("--resume " + dir + ": the directory holds no committed checkpoint");
        }
        JobFingerprints.requireSameJob(store, fingerprint, policy, options.policySettings(), options.allowNewArgs(), dir,
                warn);
        store.deleteInterruptedWrites(); // locked by this job, and no rank runs yet
        RestartPoint restore = policy.restartPoint(store, options.np(), options.policySettings(), warn);
        if (restore.restoring() == 0 && !store.list().isEmpty()) {
            throw new UsageException("--resume " + dir + ": the directory holds no committed checkpoint");
        }
        err.println("snaprun: resuming from " + restore + " in " + dir);
        return restore;
    }

    /** A fresh job's store must hold no checkpoints of an earlier run. */
    private static RestartPoint requireEmpty(CheckpointStore store, Path dir, int np) {
        if (!store.list().isEmpty()) {
            List<CheckpointId> ids = store.list();
            throw new UsageException("--store " + dir + " already holds checkpoints " + ids.get(0) + ".."
                    + ids.get(ids.size() - 1) + " of an earlier run; continue it with --resume " + dir
                    + ", or choose an empty directory");
        }
        if (store.hasLocalCheckpoints()) {
            throw new UsageException("--store " + dir + " already holds local checkpoints of ranks "
                    + store.localRanks().stream().filter(r -> !store.localIndexes(r).isEmpty()).toList()
                    + " from an earlier run; continue it with --resume " + dir + ", or choose an empty directory");
        }
        List<Integer> streams = store.localRanks().stream().filter(r -> !store.readEvents(r).isEmpty()).toList();
        if (!streams.isEmpty()) {
            throw new UsageException("--store " + dir + " already holds the event streams of ranks " + streams
                    + " from an earlier run with message logging, which ended without a checkpoint to "
                    + "continue from; choose an empty directory, or delete " + dir.resolve("local"));
        }
        return RestartPoint.fresh(np);
    }
}
