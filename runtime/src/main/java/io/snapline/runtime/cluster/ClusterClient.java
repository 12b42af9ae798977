package io.snapline.runtime.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/** A client's connection to a cluster, through one of its agents: what it sees of the agents. */
public final class ClusterClient implements AutoCloseable {
    private final HazelcastInstance client;
    private final ClusterSecret secret;

    private ClusterClient(HazelcastInstance client, ClusterSecret secret) {
        this.client = client;
        this.secret = secret;
    }

    /**
     * Connects to the cluster {@code cluster} names, as a holder of {@code secret}.
     *
     * @throws IOException when no agent of that name and secret answers there (within 10 s), saying what to check
     */
    public static ClusterClient connect(ClusterAddress cluster, ClusterSecret secret) throws IOException {
        try {
            return new ClusterClient(HazelcastClient.newHazelcastClient(ClusterConfigs.client(
                    secret.clusterName(cluster.name()), cluster.member())), secret);
        } catch (RuntimeException e) {
            throw new IOException("cannot reach cluster " + cluster.name() + " at " + cluster.member() + " (is an "
                    + "agent running there, with the same --cluster and --secret-file?): " + e.getMessage(), e);
        }
    }

    /** Tells {@code left} the member id of every agent that leaves the cluster (or is declared lost) from now on. */
    public void onAgentLeft(Consumer<String> left) {
        client.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                // a new agent's slots are read when ranks are placed
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                left.accept(e.getMember().getUuid().toString());
            }
        });
    }

    /** Publishes (or replaces) the record of a job this client runs. */
    public void publish(JobRecord job) {
        ClusterJobs.publish(client, secret, job);
    }

    /** Removes the record of job {@code job}, and any request to cancel it. */
    public void removeJob(String job) {
        ClusterJobs.remove(client, job);
    }

    /** The jobs running on the cluster, oldest first, that this secret opens. */
    public List<JobRecord> jobs() {
        return ClusterJobs.list(client, secret).jobs();
    }

    /** The keys of job records that do not open with this secret. */
    public List<String> refusedJobs() {
        return ClusterJobs.list(client, secret).refused();
    }

    /** Asks the launcher of {@code job} to cancel it, naming {@code by} who asks; false when no such job runs. */
    public boolean cancel(String job, String by) {
        return ClusterJobs.cancel(client, secret, job, by);
    }

    /**
     * Tells {@code cancelled} who asks when job {@code job} is to be cancelled; {@code refused} hears of a request that
     * does not open with the secret (and is ignored).
     */
    public void onCancel(String job, Consumer<String> cancelled, Consumer<String> refused) {
        ClusterJobs.onCancel(client, secret, job, cancelled, refused);
    }

    /** The cluster's agents now. */
    public ClusterView.Agents agents() {
        return ClusterView.agents(client, secret);
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
