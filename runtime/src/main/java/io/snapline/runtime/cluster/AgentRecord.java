package io.snapline.runtime.cluster;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What an agent publishes about itself in the cluster's {@link #MAP} (under its member's id, sealed): where clients
 * reach its {@link AgentServer}, its host's name, and its slots, all and free.
 */
public record AgentRecord(String host, InetSocketAddress address, int slots, int free) {
    /** The map agents publish themselves in. */
    public static final String MAP = "snapline.agents";

    byte[] encode() {
        return ("host=" + host + "\naddress=" + address.getHostString() + "\nport=" + address.getPort() + "\nslots="
                + slots + "\nfree=" + free + "\n").getBytes(StandardCharsets.UTF_8);
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
                    Integer.parseInt(f.get("port"))), Integer.parseInt(f.get("slots")), Integer.parseInt(f.get("free")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("an agent record that does not parse: " + f, e);
        }
    }
}
