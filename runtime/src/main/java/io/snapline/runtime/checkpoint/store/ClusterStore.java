package io.snapline.runtime.checkpoint.store;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.snapline.runtime.cluster.AgentEnvironment;
import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterConfigs;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.Sealer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * A {@link HazelcastCheckpointStore} opened by a client of the cluster: the launcher (through the agent {@code --cluster}
 * names, with the secret it was given) or a rank (through the agent that started it, {@link AgentEnvironment}). Every
 * value is sealed for the store with a key derived from the cluster's secret. {@link #close()} closes the store and
 * the client.
 */
public final class ClusterStore implements AutoCloseable {
    private static final String LOCK_MAP_SUFFIX = ".job";
    private static final String LOCK_KEY = "lock";
    private static final String HOLDER_KEY = "holder";

    private final HazelcastInstance client;
    private final HazelcastCheckpointStore store;
    private final ClusterStoreUri uri;
    private final Sealer sealer;

    private ClusterStore(HazelcastInstance client, ClusterStoreUri uri, ClusterSecret secret,
            JobFingerprint fingerprint) {
        this.client = client;
        this.uri = uri;
        this.sealer = secret.sealer("snapline.store." + uri.name());
        try {
            this.store = new HazelcastCheckpointStore(client, uri.name(), fingerprint, uri.backups(), sealer);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /**
     * Opens the store {@code uri} in the cluster {@code cluster} names, as a holder of {@code secret}.
     *
     * @throws CheckpointStoreException when the cluster cannot be reached, saying what to check
     */
    public static ClusterStore connect(ClusterStoreUri uri, ClusterAddress cluster, ClusterSecret secret,
            JobFingerprint fingerprint) {
        return new ClusterStore(client(secret.clusterName(cluster.name()), cluster.member(), uri), uri, secret,
                fingerprint);
    }

    /**
     * Opens the store {@code uri} from a rank process, through the agent that started it.
     *
     * @throws CheckpointStoreException when no agent started this process, or the cluster cannot be reached
     */
    public static ClusterStore fromAgent(ClusterStoreUri uri, JobFingerprint fingerprint) {
        AgentEnvironment agent = AgentEnvironment.ofThisProcess().orElseThrow(() -> new CheckpointStoreException(
                "the checkpoint store " + uri + " is in a cluster, and this process was not started by an agent of "
                        + "one (snaprun --cluster starts ranks there)"));
        return new ClusterStore(client(agent.clusterName(), agent.member(), uri), uri, agent.secret(), fingerprint);
    }

    private static HazelcastInstance client(String clusterName, String member, ClusterStoreUri uri) {
        try {
            return HazelcastClient.newHazelcastClient(ClusterConfigs.client(clusterName, member));
        } catch (RuntimeException e) {
            throw new CheckpointStoreException("cannot open the checkpoint store " + uri + ": the cluster cannot be "
                    + "reached at " + member + " (" + e.getMessage() + ")", e);
        }
    }

    /** The store. */
    public HazelcastCheckpointStore store() {
        return store;
    }

    /**
     * Makes the store job {@code jobId}'s until the returned lock is closed: a cluster-wide lock held by this client,
     * which the cluster releases by itself when the client is gone (a launcher that died). The lock's holder is
     * recorded, sealed, so that another job is told who has the store.
     *
     * @throws CheckpointStoreException naming the holder when another job has the store
     */
    public AutoCloseable lock(String jobId) {
        IMap<String, byte[]> map = client.getMap("snapline.store." + uri.name() + LOCK_MAP_SUFFIX);
        CompletableFuture<Boolean> taken = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        // A Hazelcast lock belongs to the thread that took it: one thread takes it, holds it, and releases it.
        Thread holder = new Thread(() -> {
            boolean mine = false;
            try {
                mine = map.tryLock(LOCK_KEY);
                if (mine) {
                    map.set(HOLDER_KEY, sealer.seal(HOLDER_KEY, holderText(jobId)));
                }
                taken.complete(mine);
                if (mine) {
                    release.await();
                    map.delete(HOLDER_KEY);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                taken.completeExceptionally(e); // no effect once completed; else the job would wait for it for ever
            } finally {
                taken.complete(false); // interrupted before it knew: the store counts as not taken
                if (mine) {
                    try {
                        map.unlock(LOCK_KEY);
                    } catch (RuntimeException gone) {
                        // the client is shutting down: the cluster releases its locks
                    }
                }
            }
        }, "snapline-store-lock");
        holder.setDaemon(true);
        holder.start();
        boolean mine;
        try {
            mine = taken.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointStoreException("interrupted while locking the checkpoint store " + uri, e);
        } catch (ExecutionException e) {
            throw new CheckpointStoreException("cannot lock the checkpoint store " + uri + ": " + e.getCause(),
                    e.getCause());
        }
        if (!mine) {
            throw new CheckpointStoreException("the checkpoint store " + uri + " is in use by " + holderOf(map)
                    + "; a store belongs to one job at a time: wait for that job to end, or give this one another "
                    + "--store (the cluster releases the store of a launcher that died once it notices)");
        }
        return () -> {
            release.countDown();
            try {
                holder.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private static byte[] holderText(String jobId) {
        return ("job " + jobId + " (pid " + ProcessHandle.current().pid() + " on host " + StoreLock.localHost()
                + ", since " + java.time.Instant.now() + ")").getBytes(StandardCharsets.UTF_8);
    }

    private String holderOf(IMap<String, byte[]> map) {
        byte[] sealed = map.get(HOLDER_KEY);
        if (sealed == null) {
            return "another job";
        }
        try {
            return new String(sealer.open(HOLDER_KEY, sealed), StandardCharsets.UTF_8);
        } catch (Sealer.SealException e) {
            return "another job (whose record does not open with this secret)";
        }
    }

    /** Closes the store and the client; a lock still held is released by the cluster with the client. */
    @Override
    public void close() {
        try {
            store.close();
        } finally {
            client.shutdown();
        }
    }
}
