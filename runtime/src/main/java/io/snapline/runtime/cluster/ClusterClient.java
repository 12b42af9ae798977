package io.snapline.runtime.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
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

    /** The cluster's agents now. */
    public ClusterView.Agents agents() {
        return ClusterView.agents(client, secret);
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
