package io.snapline.runtime.checkpoint.store;

import com.hazelcast.config.MapConfig;
import java.nio.file.Path;

/**
 * How {@code --store} and {@code --resume} name a checkpoint store kept in a cluster ({@link HazelcastCheckpointStore}):
 * {@code hazelcast://NAME[?backups=N]}, or {@code local+hazelcast://NAME[?backups=N][&local=DIR]} for a store with a
 * fast copy on each rank's host besides the cluster's ({@link TieredCheckpointStore}).
 *
 * @param name     the store's name in the cluster
 * @param backups  backup copies of every entry, on other members
 * @param tiered   whether each rank also keeps a copy of its pieces on its own host's disk
 * @param localDir the directory under which a tiered store's host copies are, on every host (an absolute path), each
 *                 store's in its own subdirectory {@code NAME}; null: under each agent's directory
 *                 ({@link #hostDirectory})
 */
public record ClusterStoreUri(String name, int backups, boolean tiered, String localDir) {
    /** The prefix of a cluster store's location. */
    public static final String SCHEME = "hazelcast://";
    /** The prefix of a cluster store with a copy on each rank's host. */
    public static final String TIERED = "local+hazelcast://";

    /** A store in the cluster alone. */
    public ClusterStoreUri(String name, int backups) {
        this(name, backups, false, null);
    }

    /** Whether {@code location} names a store in a cluster rather than a directory. */
    public static boolean isClusterStore(String location) {
        return location != null && (location.startsWith(SCHEME) || location.startsWith(TIERED));
    }

    /**
     * Parses {@code hazelcast://NAME[?backups=N]} and {@code local+hazelcast://NAME[?backups=N][&local=DIR]} (the
     * settings in any order).
     *
     * @throws IllegalArgumentException saying what the flag needs
     */
    public static ClusterStoreUri parse(String location) {
        boolean tiered = location.startsWith(TIERED);
        if (!tiered && !location.startsWith(SCHEME)) {
            throw new IllegalArgumentException(location + " is not a cluster store (" + SCHEME + "NAME[?backups=N])");
        }
        String rest = location.substring((tiered ? TIERED : SCHEME).length());
        int q = rest.indexOf('?');
        String name = q < 0 ? rest : rest.substring(0, q);
        int backups = HazelcastCheckpointStore.DEFAULT_BACKUPS;
        String localDir = null;
        if (q >= 0) {
            for (String setting : rest.substring(q + 1).split("&", -1)) {
                if (setting.matches("backups=[0-9]{1,2}")) {
                    backups = Integer.parseInt(setting.substring("backups=".length()));
                } else if (tiered && setting.startsWith("local=")) {
                    localDir = setting.substring("local=".length());
                    if (localDir.isEmpty() || !Path.of(localDir).isAbsolute()) {
                        throw new IllegalArgumentException(location + ": local=DIR names the directory under which the "
                                + "host copies are kept (in DIR/NAME) on every host, an absolute path, e.g. " + TIERED
                                + name + "?local=/scratch");
                    }
                } else if (tiered) {
                    throw new IllegalArgumentException(location + ": the settings of a store with host copies are "
                            + "backups=N (1 to " + MapConfig.MAX_BACKUP_COUNT + ") and local=DIR, e.g. " + TIERED
                            + "ck?backups=2&local=/scratch");
                } else {
                    throw new IllegalArgumentException(location + ": the only setting of a cluster store is backups=N "
                            + "(0 to " + MapConfig.MAX_BACKUP_COUNT + "), e.g. " + SCHEME + "ck?backups=2");
                }
            }
        }
        if (!name.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new IllegalArgumentException(location + ": a cluster store's name is 1 to 100 letters, digits, '_' "
                    + "or '-'");
        }
        if (backups > MapConfig.MAX_BACKUP_COUNT) {
            throw new IllegalArgumentException(location + ": a cluster store keeps 0 to " + MapConfig.MAX_BACKUP_COUNT
                    + " backup copies");
        }
        if (tiered && backups == 0) {
            // A checkpoint commits once the cluster holds every piece, so that it survives the loss of any one host;
            // with no backup a piece's only cluster copy may be on the very host that is lost, with its host copy.
            throw new IllegalArgumentException(location + ": a store with host copies keeps at least 1 backup copy in "
                    + "the cluster, so that every committed checkpoint survives the loss of a host (with backups=0 the "
                    + "only cluster copy of a piece may be on the same host as its host copy); use backups=1 or more, "
                    + "or " + SCHEME + name + "?backups=0 without host copies");
        }
        return new ClusterStoreUri(name, backups, tiered, localDir);
    }

    /**
     * The directory of this tiered store's copies on the host of a rank started by an agent whose own directory is
     * {@code agentDirectory}: {@code NAME} in {@code local=DIR} when given (so that stores of other names given the
     * same {@code DIR} never share a directory), else {@code stores/NAME} in the agent's directory.
     */
    public Path hostDirectory(Path agentDirectory) {
        return (localDir != null ? Path.of(localDir) : agentDirectory.resolve("stores")).resolve(name);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(tiered ? TIERED : SCHEME).append(name);
        char sep = '?';
        if (backups != HazelcastCheckpointStore.DEFAULT_BACKUPS) {
            s.append(sep).append("backups=").append(backups);
            sep = '&';
        }
        if (localDir != null) {
            s.append(sep).append("local=").append(localDir);
        }
        return s.toString();
    }
}
