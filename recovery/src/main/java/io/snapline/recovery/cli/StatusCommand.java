package io.snapline.recovery.cli;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.cluster.ClusterConfigs;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.ClusterView;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapline status --cluster NAME@HOST:PORT --secret-file F}: the cluster's agents and their slots. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Lists the agents of a cluster: host, address, slots and free slots.",
        "Exit status: 0 on success, 2 for a bad command line or when the cluster cannot be reached."})
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--cluster", paramLabel = "NAME@HOST:PORT", required = true,
        description = "the cluster's name and one of its agents' cluster address")
    private String cluster;

    @Option(names = "--secret-file", paramLabel = "FILE", required = true, description = "the cluster's secret")
    private Path secretFile;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int at = cluster.indexOf('@');
        if (at < 1 || at == cluster.length() - 1 || !cluster.substring(at + 1).matches(".+:[0-9]{1,5}")) {
            throw new RecoveryException("--cluster needs NAME@HOST:PORT (e.g. lab@127.0.0.1:5701), got '" + cluster
                    + "'");
        }
        ClusterSecret secret;
        try {
            secret = ClusterSecret.read(secretFile);
        } catch (IllegalArgumentException e) {
            throw new RecoveryException(e.getMessage());
        }
        String name = cluster.substring(0, at);
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(ClusterConfigs.client(secret.clusterName(name),
                    cluster.substring(at + 1)));
        } catch (RuntimeException e) {
            throw new RecoveryException("cannot reach cluster " + name + " at " + cluster.substring(at + 1) + " (is an "
                    + "agent running there, with the same --cluster and --secret-file?): " + e.getMessage(), e);
        }
        try {
            ClusterView.Agents agents = ClusterView.agents(client, secret);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("cluster %s: %d agent(s), %d of %d slots free%n", name, agents.agents().size(),
                    agents.freeSlots(), agents.agents().stream().mapToInt(a -> a.record().slots()).sum());
            out.printf("%-24s %-22s %5s %5s%n", "host", "address", "slots", "free");
            for (ClusterView.Agent a : agents.agents()) {
                out.printf("%-24s %-22s %5d %5d%n", a.record().host(), a.record().address().getHostString() + ":"
                        + a.record().address().getPort(), a.record().slots(), a.record().free());
            }
            if (!agents.refused().isEmpty()) {
                out.println("warning: " + agents.refused().size() + " entry(ies) in the agents' map do not open with "
                        + "this secret (written by a process without it): " + agents.refused());
            }
            out.flush();
            return 0;
        } finally {
            client.shutdown();
        }
    }
}
