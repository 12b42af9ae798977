package io.snapline.runtime.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.util.List;

/**
 * Hazelcast settings of Snapline's agents and clients, in one place. Members join by TCP/IP to the members they are
 * given (multicast and cloud auto-detection off), bind only to the address they are given (loopback unless the user
 * names another interface), do not phone home, and keep quiet (the agent says what matters itself).
 *
 * <p>Failure detection: a member that stops answering heartbeats (sent every second) is declared gone after
 * {@link #NO_HEARTBEAT_SECONDS} seconds; a process killed outright is noticed sooner, at its closed connection.
 * Shorter would mistake a long garbage-collection pause of an agent for its death, and restart its ranks elsewhere
 * while they still run; longer keeps a job waiting that long after a host is lost.
 */
public final class ClusterConfigs {
    /** Seconds without a heartbeat after which a member is declared gone. */
    public static final int NO_HEARTBEAT_SECONDS = 5;

    static {
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "none");
        }
    }

    private ClusterConfigs() {
    }

    /**
     * A member of cluster {@code name} (as {@link ClusterSecret#clusterName} makes it) bound to {@code bindHost},
     * listening on {@code port} or the next free one of the 100 after it, joining the {@code members} given as
     * {@code host:port}.
     */
    public static Config member(String clusterName, String bindHost, int port, List<String> members) {
        Config config = new Config().setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(NO_HEARTBEAT_SECONDS));
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(true).setPortCount(100);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(bindHost);
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        members.forEach(m -> join.getTcpIpConfig().addMember(m));
        return config;
    }

    /** A client of cluster {@code name} reaching it through the member at {@code address} ({@code host:port}). */
    public static ClientConfig client(String clusterName, String address) {
        ClientConfig config = new ClientConfig().setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().addAddress(address).setSmartRouting(false);
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(10_000);
        return config;
    }
}
