package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterClient;
import io.snapline.runtime.cluster.ClusterSecret;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code snapline cancel --cluster NAME@HOST:PORT --secret-file F JOB}: asks the launcher of a job running on the
 * cluster to stop it, and waits until it has.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = {"Cancels a job running on a cluster (snapline status lists them): its launcher stops every rank,"
        + " says who cancelled it and how to resume it, and exits with status 3. The request is sealed with the"
        + " cluster's secret: a process without it cannot cancel a job.",
        "Exit status: 0 once the job has ended, 1 when it has not ended within the wait, 2 for a bad command line, a"
            + " cluster that cannot be reached, or no such job."})
public final class CancelCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ClusterFlags clusterFlags;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "how long to wait for the job to end"
        + " (default ${DEFAULT-VALUE})")
    private int waitSeconds = 30;

    @Parameters(paramLabel = "JOB", description = "the job's id, as snapline status shows it")
    private String job;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ClusterAddress address = clusterFlags.address();
        ClusterSecret secret = clusterFlags.secret();
        PrintWriter out = spec.commandLine().getOut();
        try (ClusterClient client = ClusterClient.connect(address, secret)) {
            if (!client.cancel(job, "by " + System.getProperty("user.name") + " on " + host())) {
                throw new RecoveryException("no job " + job + " runs on cluster " + address.name() + " (snapline "
                        + "status lists the jobs)");
            }
            out.println("snapline cancel: asked the launcher of job " + job + " to stop it");
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            while (client.jobs().stream().anyMatch(j -> j.job().equals(job))) {
                if (System.nanoTime() > deadline) {
                    out.println("snapline cancel: job " + job + " has not ended within " + waitSeconds + " s");
                    out.flush();
                    return 1;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            out.println("snapline cancel: job " + job + " has ended");
            out.flush();
            return 0;
        } catch (IOException e) {
            throw new RecoveryException(e.getMessage(), e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
