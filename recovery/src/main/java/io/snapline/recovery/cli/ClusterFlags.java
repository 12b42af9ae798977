package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterSecret;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The flags of a command that talks to a cluster as a client: which cluster, and its secret. */
final class ClusterFlags {
    @Option(names = "--cluster", paramLabel = "NAME@HOST:PORT", required = true,
        description = "the cluster's name and one of its agents' cluster address")
    private String cluster;

    @Option(names = "--secret-file", paramLabel = "FILE", required = true, description = "the cluster's secret")
    private Path secretFile;

    /** The cluster's address, checked. */
    ClusterAddress address() {
        try {
            return ClusterAddress.parse(cluster);
        } catch (IllegalArgumentException e) {
            throw new RecoveryException(e.getMessage());
        }
    }

    /** The cluster's secret, read. */
    ClusterSecret secret() {
        try {
            return ClusterSecret.read(secretFile);
        } catch (IllegalArgumentException e) {
            throw new RecoveryException(e.getMessage());
        }
    }
}
