package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.ClusterStore;
import io.snapline.runtime.checkpoint.store.ClusterStoreUri;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.StoreDirectory;
import io.snapline.runtime.checkpoint.store.StoreLock;
import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterSecret;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A job's store as the launcher opens it, before any rank runs: a directory checked to be usable
 * ({@link StoreDirectory}), or a store in the cluster ({@link ClusterStore}, {@code hazelcast://NAME}); locked for this
 * job ({@link StoreLock}, or the cluster's lock; held until {@link Supervision#release}), opened with the job's
 * fingerprint, and either empty (a new job) or holding this job's checkpoints (a {@code --resume}), with what the
 * first attempt restores and the warnings opening it printed (for the run report).
 *
 * @param location where the store is, as the user named it: a directory, or {@code hazelcast://NAME...}
 * @param lock     releases the store (and, for a cluster store, closes the launcher's connection to the cluster)
 */
record JobStore(CheckpointStore store, String location, Held lock, JobFingerprint fingerprint, RestartPoint restore,
        List<String> warnings) {

    /** What the job holds while it runs; closing it lets the store go. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens the store {@code options} name for job {@code jobId}.
     *
     * @throws UsageException saying why the store cannot be used (the lock is not left held)
     */
    static JobStore open(LaunchOptions options, CheckpointPolicy policy, PolicySettings settings, String jobId,
            PrintStream err) {
        String named = options.resume() != null ? options.resume() : options.store();
        JobFingerprint fingerprint = JobFingerprints.of(options, policy, settings);
        List<String> warnings = new java.util.ArrayList<>();
        java.util.function.Consumer<String> warn = w -> {
            err.println("snaprun: warning: " + w);
            warnings.add(w);
        };
        if (ClusterStoreUri.isClusterStore(named)) {
            return openInCluster(options, policy, ClusterStoreUri.parse(named), jobId, fingerprint, err, warn,
                    warnings);
        }
        Path dir = Path.of(named != null ? named : FileCheckpointStore.defaultDirectory(jobId).toString());
        if (options.resume() != null && !Files.isDirectory(dir)) {
            throw new UsageException("--resume " + dir + ": no such directory");
        }
        StoreLock lock;
        try {
            StoreDirectory.prepare(dir);
            lock = StoreLock.acquire(dir, jobId, warn);
        } catch (CheckpointStoreException e) {
            throw new UsageException(e.getMessage());
        }
        return opened(new FileCheckpointStore(dir, fingerprint, settings.incremental()), dir.toString(), lock::close,
                options, policy, fingerprint, err, warn, warnings);
    }

    /** Opens, locks and checks the store {@code uri} in the cluster {@code --cluster} names. */
    private static JobStore openInCluster(LaunchOptions options, CheckpointPolicy policy, ClusterStoreUri uri,
            String jobId, JobFingerprint fingerprint, PrintStream err, java.util.function.Consumer<String> warn,
            List<String> warnings) {
        if (uri.tiered() && policy.keepsLocalCheckpoints()) {
            throw new UsageException((options.resume() != null ? "--resume " : "--store ") + uri + " keeps a copy of "
                    + "global checkpoints on each rank's host, and --checkpoint " + policy.name() + " keeps each "
                    + "rank's own checkpoints, which it commits alone before their replica is written; use "
                    + new ClusterStoreUri(uri.name(), uri.backups()));
        }
        ClusterStore cluster;
        AutoCloseable lock;
        try {
            ClusterSecret secret = ClusterSecret.read(Path.of(options.secretFile()));
            cluster = ClusterStore.connect(uri, ClusterAddress.parse(options.cluster()), secret, fingerprint);
        } catch (IllegalArgumentException | CheckpointStoreException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            lock = cluster.lock(jobId);
        } catch (CheckpointStoreException e) {
            cluster.close();
            throw new UsageException(e.getMessage());
        }
        Held held = () -> {
            try {
                lock.close();
            } catch (Exception e) {
                // the cluster releases the lock with the client
            } finally {
                cluster.close();
            }
        };
        return opened(cluster.store(), uri.toString(), held, options, policy, fingerprint, err, warn, warnings);
    }

    /** The store, locked by {@code lock}, once it is shown to suit the job: empty, or this job's for a resume. */
    private static JobStore opened(CheckpointStore store, String location, Held lock,
            LaunchOptions options, CheckpointPolicy policy, JobFingerprint fingerprint, PrintStream err,
            java.util.function.Consumer<String> warn, List<String> warnings) {
        try {
            RestartPoint restore = options.resume() != null
                    ? resumePoint(options, policy, store, fingerprint, location, err, warn)
                    : requireEmpty(store, location, options.np());
            return new JobStore(store, location, lock, fingerprint, restore, List.copyOf(warnings));
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
            JobFingerprint fingerprint, String dir, PrintStream err, java.util.function.Consumer<String> warn) {
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
    private static RestartPoint requireEmpty(CheckpointStore store, String dir, int np) {
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
                    + "continue from; choose an empty directory, or delete " + (ClusterStoreUri.isClusterStore(dir)
                            ? "the store" : Path.of(dir).resolve("local")));
        }
        return RestartPoint.fresh(np);
    }
}
