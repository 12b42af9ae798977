package io.snapline.runtime.checkpoint.store;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Hazelcast members for tests, in this JVM: bound to loopback, joined over TCP/IP to each other only (multicast and
 * auto-detection off), with a cluster name of their own so that two tests never join, quiet, and quick to notice a
 * member that left.
 */
final class TestCluster implements AutoCloseable {
    static {
        System.setProperty("hazelcast.logging.type", "none");
    }

    private final String name = "snapline-test-" + UUID.randomUUID();
    private final List<HazelcastInstance> members = new ArrayList<>();

    /** Starts a member and waits until it has joined the others started before it. */
    HazelcastInstance start() {
        Config config = new Config().setClusterName(name);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "3");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.getNetworkConfig().setPort(5701).setPortAutoIncrement(true).setPortCount(100);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (HazelcastInstance m : members) {
            java.net.InetSocketAddress a = (java.net.InetSocketAddress) m.getLocalEndpoint().getSocketAddress();
            join.getTcpIpConfig().addMember("127.0.0.1:" + a.getPort());
        }
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        members.add(member);
        return member;
    }

    @Override
    public void close() {
        for (HazelcastInstance m : members) {
            if (m.getLifecycleService().isRunning()) {
                m.getLifecycleService().terminate();
            }
        }
        members.clear();
    }
}
