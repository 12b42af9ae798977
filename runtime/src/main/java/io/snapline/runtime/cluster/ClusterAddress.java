package io.snapline.runtime.cluster;

/**
 * How a client names a cluster: {@code NAME@HOST:PORT}, the cluster's name and the cluster address of one of its
 * agents.
 *
 * @param name the cluster's name, as the agents were started with {@code --cluster NAME}
 * @param host an agent's host (name or address)
 * @param port that agent's cluster port
 */
public record ClusterAddress(String name, String host, int port) {
    /**
     * Parses {@code NAME@HOST:PORT}.
     *
     * @throws IllegalArgumentException saying what the flag needs, with an example
     */
    public static ClusterAddress parse(String text) {
        int at = text.indexOf('@');
        int colon = text.lastIndexOf(':');
        if (at < 1 || colon < at + 2 || !text.substring(colon + 1).matches("[0-9]{1,5}")
                || Integer.parseInt(text.substring(colon + 1)) > 0xFFFF) {
            throw new IllegalArgumentException("--cluster needs NAME@HOST:PORT (e.g. lab@127.0.0.1:5701), got '"
                    + text + "'");
        }
        return new ClusterAddress(text.substring(0, at), text.substring(at + 1, colon),
                Integer.parseInt(text.substring(colon + 1)));
    }

    /** {@code HOST:PORT}. */
    public String member() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return name + "@" + member();
    }
}
