package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterClient;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.ClusterView;
import io.snapline.runtime.cluster.JobRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code snapline status --cluster NAME@HOST:PORT --secret-file F}: the cluster's agents (slots, load) and the jobs
 * running on it (where each rank runs, the newest committed checkpoint).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Lists the agents of a cluster (host, address, slots, free slots, load) and the jobs running on it:"
        + " who runs each, since when, where its ranks run, its store and its newest committed checkpoint.",
        "Exit status: 0 on success, 2 for a bad command line or when the cluster cannot be reached."})
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ClusterFlags clusterFlags;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ClusterAddress address = clusterFlags.address();
        ClusterSecret secret = clusterFlags.secret();
        String name = address.name();
        ClusterClient client;
        try {
            client = ClusterClient.connect(address, secret);
        } catch (IOException e) {
            throw new RecoveryException(e.getMessage(), e);
        }
        try {
            ClusterView.Agents agents = client.agents();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("cluster %s: %d agent(s), %d of %d slots free%n", name, agents.agents().size(),
                    agents.freeSlots(), agents.agents().stream().mapToInt(a -> a.record().slots()).sum());
            out.printf("%-24s %-22s %5s %5s %5s%n", "host", "address", "slots", "free", "load");
            for (ClusterView.Agent a : agents.agents()) {
                out.printf("%-24s %-22s %5d %5d %5s%n", a.record().host(), a.record().address().getHostString() + ":"
                        + a.record().address().getPort(), a.record().slots(), a.record().free(),
                        a.record().load() < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.2f", a.record().load()));
            }
            if (!agents.refused().isEmpty()) {
                out.println("warning: " + agents.refused().size() + " entry(ies) in the agents' map do not open with "
                        + "this secret (written by a process without it): " + agents.refused());
            }
            List<JobRecord> jobs = client.jobs();
            out.printf("%d job(s)%n", jobs.size());
            for (JobRecord j : jobs) {
                out.printf("job %s: %d rank(s), started %s by %s%n", j.job(), j.ranks().size(), j.started(),
                        j.launcher());
                out.printf("  ranks %s%n", j.where());
                if (!j.store().isEmpty()) {
                    out.printf("  store %s, newest committed checkpoint: %s%n", j.store(), j.committed() == 0
                            ? "none yet" : j.committed() + " (at " + j.committedAt() + ")");
                }
            }
            List<String> refusedJobs = client.refusedJobs();
            if (!refusedJobs.isEmpty()) {
                out.println("warning: " + refusedJobs.size() + " job record(s) do not open with this secret (written "
                        + "by a process without it): " + refusedJobs);
            }
            out.flush();
            return 0;
        } finally {
            client.close();
        }
    }
}
