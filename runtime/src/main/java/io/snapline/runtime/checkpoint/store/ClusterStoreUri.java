package io.snapline.runtime.checkpoint.store;

import com.hazelcast.config.MapConfig;

/**
 * How {@code --store} and {@code --resume} name a checkpoint store kept in a cluster ({@link HazelcastCheckpointStore}):
 * {@code hazelcast://NAME} or {@code hazelcast://NAME?backups=N}.
 *
 * @param name    the store's name in the cluster
 * @param backups backup copies of every entry, on other members
 */
public record ClusterStoreUri(String name, int backups) {
    /** The prefix of a cluster store's location. */
    public static final String SCHEME = "hazelcast://";
    private static final String TIERED = "local+hazelcast://";

    /** Whether {@code location} names a store in a cluster rather than a directory. */
    public static boolean isClusterStore(String location) {
        return location != null && (location.startsWith(SCHEME) || location.startsWith(TIERED));
    }

    /**
     * Parses {@code hazelcast://NAME[?backups=N]}.
     *
     * @throws IllegalArgumentException saying what the flag needs
     */
    public static ClusterStoreUri parse(String location) {
        if (location.startsWith(TIERED)) {
            throw new IllegalArgumentException(location + ": a local copy beside the cluster's (local+hazelcast://) "
                    + "is not available from snaprun yet; use " + SCHEME + location.substring(TIERED.length()));
        }
        if (!location.startsWith(SCHEME)) {
            throw new IllegalArgumentException(location + " is not a cluster store (" + SCHEME + "NAME[?backups=N])");
        }
        String rest = location.substring(SCHEME.length());
        int q = rest.indexOf('?');
        String name = q < 0 ? rest : rest.substring(0, q);
        int backups = HazelcastCheckpointStore.DEFAULT_BACKUPS;
        if (q >= 0) {
            String query = rest.substring(q + 1);
            if (!query.matches("backups=[0-9]{1,2}")) {
                throw new IllegalArgumentException(location + ": the only setting of a cluster store is backups=N "
                        + "(0 to " + MapConfig.MAX_BACKUP_COUNT + "), e.g. " + SCHEME + "ck?backups=2");
            }
            backups = Integer.parseInt(query.substring("backups=".length()));
        }
        if (!name.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new IllegalArgumentException(location + ": a cluster store's name is 1 to 100 letters, digits, '_' "
                    + "or '-'");
        }
        if (backups > MapConfig.MAX_BACKUP_COUNT) {
            throw new IllegalArgumentException(location + ": a cluster store keeps 0 to " + MapConfig.MAX_BACKUP_COUNT
                    + " backup copies");
        }
        return new ClusterStoreUri(name, backups);
    }

    @Override
    public String toString() {
        return SCHEME + name + (backups == HazelcastCheckpointStore.DEFAULT_BACKUPS ? "" : "?backups=" + backups);
    }
}
