package io.snapline.runtime.cluster;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What an agent publishes about itself in the cluster's {@link #MAP} (under its member's id, sealed): where clients
 * reach its {@link AgentServer}, its host's name, its slots, all and free, and its host's load (the system load
 * average of the last minute, negative when the host does not tell).
 */
public record AgentRecord(String host, InetSocketAddress address, int slots, int free, double load) {
    /** The map agents publish themselves in. */
    public static final String MAP = "snapline.agents";

    /** A record whose host's load is not known. */
    public AgentRecord(String host, InetSocketAddress address, int slots, int free) {
        this(host, address, slots, free, -1);
    }

    /** This record with {@code free} free slots. */
    AgentRecord withFree(int free) {
        return new AgentRecord(host, address, slots, free, load);
    }

    byte[] encode() {
        return ("host=" + host + "\naddress=" + address.getHostString() + "\nport=" + address.getPort() + "\nslots="
                + slots + "\nfree=" + free + "\nload=" + load + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static AgentRecord decode(byte[] bytes) {
        Map<String, String> f = new HashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        try {
            return new AgentRecord(f.get("host"), new InetSocketAddress(f.get("address"),
                    Integer.parseInt(f.get("port"))), Integer.parseInt(f.get("slots")), Integer.parseInt(f.get("free")),
                    f.containsKey("load") ? Double.parseDouble(f.get("load")) : -1);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("an agent record that does not parse: " + f, e);
        }
    }
}
