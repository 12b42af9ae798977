package io.snapline.runtime.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An agent: a member of the cluster (membership, failure detection, the replicated checkpoint store) and an
 * {@link AgentServer} that starts rank processes for clients holding the cluster's secret. It publishes an
 * {@link AgentRecord} under its member's id in {@link AgentRecord#MAP}, sealed, and keeps its free slots there up to
 * date; the entry goes when the agent stops, and a client ignores the entries of members no longer in the cluster.
 */
public final class ClusterAgent implements AutoCloseable {
    private final HazelcastInstance member;
    private final AgentServer server;
    private final IMap<String, byte[]> agents;
    private final Sealer sealer;
    private final String key;
    private final String host;
    private final ScheduledExecutorService refresher;
    /** How often the agent publishes its record when its free slots do not change (for its host's load). */
    private static final int LOAD_SECONDS = 5;
    private volatile int publishedFree = -1;
    private volatile long publishedAt;

    /**
     * Starts an agent of cluster {@code name}: a member bound to {@code bind}, on {@code memberPort} or a free port
     * after it, joining {@code members} ({@code host:port}); its agent server on {@code bind}:{@code agentPort} (0: any
     * free port) with {@code slots} slots, keeping class path files in {@code cache}.
     */
    public static ClusterAgent start(String name, ClusterSecret secret, String bind, int memberPort, int agentPort,
            List<String> members, int slots, Path cache, PrintStream log) throws IOException {
        InetAddress address = InetAddress.getByName(bind);
        AgentServer server = new AgentServer(new InetSocketAddress(address, agentPort), secret, slots, cache, log);
        HazelcastInstance member = null;
        try {
            member = Hazelcast.newHazelcastInstance(ClusterConfigs.member(secret.clusterName(name),
                    address.getHostAddress(), memberPort, members));
            ClusterAgent agent = new ClusterAgent(member, server, secret.sealer(AgentRecord.MAP));
            server.tellProcesses(new AgentEnvironment(secret.clusterName(name), agent.memberAddress(), secret));
            return agent;
        } catch (RuntimeException e) {
            if (member != null) {
                member.shutdown();
            }
            server.close();
            throw e;
        }
    }

    private ClusterAgent(HazelcastInstance member, AgentServer server, Sealer sealer) {
        this.member = member;
        this.server = server;
        this.sealer = sealer;
        this.agents = member.getMap(AgentRecord.MAP);
        this.key = member.getCluster().getLocalMember().getUuid().toString();
        this.host = hostName();
        publish();
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapline-agent-publish");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::publishIfChanged, 200, 200, TimeUnit.MILLISECONDS);
    }

    private void publishIfChanged() {
        boolean stale = System.nanoTime() - publishedAt > TimeUnit.SECONDS.toNanos(LOAD_SECONDS);
        if (server.freeSlots() != publishedFree || stale) {
            try {
                publish();
            } catch (RuntimeException e) {
                // the member is shutting down; the next round (if any) tries again
            }
        }
    }

    private void publish() {
        int free = server.freeSlots();
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        AgentRecord r = new AgentRecord(host, server.address(), server.slots(), free, Math.round(load * 100) / 100.0);
        agents.set(key, sealer.seal(AgentRecord.MAP + "/" + key, r.encode()));
        publishedFree = free;
        publishedAt = System.nanoTime();
    }

    /** The cluster member this agent is. */
    public HazelcastInstance member() {
        return member;
    }

    /** Where clients reach this agent's server. */
    public InetSocketAddress serverAddress() {
        return server.address();
    }

    /** The address other members join this one at ({@code host:port}). */
    public String memberAddress() {
        InetSocketAddress a = (InetSocketAddress) member.getLocalEndpoint().getSocketAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    /** The agent server (slots, processes started). */
    public AgentServer server() {
        return server;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Stops publishing, leaves the cluster (its entry removed first) and stops the server. */
    @Override
    public void close() throws IOException {
        refresher.shutdownNow();
        try {
            if (member.getLifecycleService().isRunning()) {
                agents.delete(key);
                member.shutdown();
            }
        } finally {
            server.close();
        }
    }
}
