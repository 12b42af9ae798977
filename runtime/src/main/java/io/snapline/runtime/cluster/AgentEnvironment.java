package io.snapline.runtime.cluster;

import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * What an agent tells the processes it starts about the cluster, in their environment: the cluster's name as
 * Hazelcast sees it, the agent's own member address (so that a rank reaches the cluster through the agent on its own
 * host, which lives as long as the rank does) and, only to a process whose client asked for it
 * ({@link #NEEDS_SECRET}: a rank of a job whose checkpoints are kept in the cluster), the cluster's secret. The agent
 * sets these itself, after the client's variables, so a client cannot name another cluster; the secret never
 * travels over the network for this.
 *
 * @param clusterName the cluster's name as Hazelcast sees it ({@link ClusterSecret#clusterName})
 * @param member      the agent's member address, {@code host:port}
 * @param secret      the cluster's secret
 */
public record AgentEnvironment(String clusterName, String member, ClusterSecret secret) {
    static final String NAME_ENV = "SNAPLINE_CLUSTER_NAME";
    static final String MEMBER_ENV = "SNAPLINE_CLUSTER_MEMBER";
    static final String SECRET_ENV = "SNAPLINE_CLUSTER_SECRET";
    /** Set to {@code 1} by a client in a process's environment: the process opens a store kept in the cluster. */
    public static final String NEEDS_SECRET = "SNAPLINE_CLUSTER_STORE";
    /** The agent's own directory (its {@code --cache}), where a rank keeps the host copies of a tiered store. */
    static final String DIRECTORY_ENV = "SNAPLINE_AGENT_DIRECTORY";

    /** The directory of the agent that started this process ({@link #DIRECTORY_ENV}), or empty. */
    public static Optional<java.nio.file.Path> directoryOfThisProcess() {
        String dir = System.getenv(DIRECTORY_ENV);
        return dir == null || dir.isEmpty() ? Optional.empty() : Optional.of(java.nio.file.Path.of(dir));
    }

    /**
     * The variables an agent adds to the environment of a process it starts whose client's variables are
     * {@code requested}: the secret only when they ask for it ({@link #NEEDS_SECRET}).
     */
    Map<String, String> variables(Map<String, String> requested) {
        return "1".equals(requested.get(NEEDS_SECRET))
                ? Map.of(NAME_ENV, clusterName, MEMBER_ENV, member, SECRET_ENV, HexFormat.of().formatHex(secret.bytes()))
                : Map.of(NAME_ENV, clusterName, MEMBER_ENV, member);
    }

    /** What the agent that started this process said about its cluster, or empty when no agent started it. */
    public static Optional<AgentEnvironment> ofThisProcess() {
        return of(System.getenv());
    }

    static Optional<AgentEnvironment> of(Map<String, String> env) {
        String name = env.get(NAME_ENV);
        String member = env.get(MEMBER_ENV);
        String secret = env.get(SECRET_ENV);
        if (name == null || member == null || secret == null) {
            return Optional.empty();
        }
        return Optional.of(new AgentEnvironment(name, member, ClusterSecret.of(HexFormat.of().parseHex(secret))));
    }
}
