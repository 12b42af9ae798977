package io.snapline.recovery.cli;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.cluster.ClusterAgent;
import io.snapline.runtime.cluster.ClusterConfigs;
import io.snapline.runtime.cluster.ClusterSecret;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code snapline agent --cluster NAME --secret-file F [--member host:port]... [--slots N] [--bind ADDR] [--port P]
 * [--agent-port P] [--cache DIR]}: runs an agent of a cluster on this host until it is stopped (Ctrl-C or SIGTERM).
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = {"Runs an agent on this host: a member of the cluster NAME that starts rank processes for clients"
        + " holding the cluster's secret, until stopped with Ctrl-C or SIGTERM. Start the first agent without --member,"
        + " the others with --member naming one that runs.",
        "Exit status: 0 when stopped, 2 for a bad command line or when the agent cannot start."})
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--cluster", paramLabel = "NAME", required = true, description = "the cluster's name")
    private String cluster;

    @Option(names = "--secret-file", paramLabel = "FILE", required = true,
        description = "the cluster's secret (snapline secret FILE makes one; every agent and client needs the same)")
    private Path secretFile;

    @Option(names = "--member", paramLabel = "HOST:PORT",
        description = "an agent of the cluster to join (repeatable); none for the first agent")
    private List<String> members = new ArrayList<>();

    @Option(names = "--slots", paramLabel = "N", description = "rank processes this agent runs at a time"
        + " (default: the number of processors, ${DEFAULT-VALUE})")
    private int slots = Runtime.getRuntime().availableProcessors();

    @Option(names = "--bind", paramLabel = "ADDR", description = "the interface to listen on (default ${DEFAULT-VALUE};"
        + " name this host's address for agents on other hosts)")
    private String bind = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "the cluster port, or the next free one of the 100 after"
        + " it (default ${DEFAULT-VALUE})")
    private int port = 5701;

    @Option(names = "--agent-port", paramLabel = "P", description = "the port clients start rank processes through"
        + " (default: any free port; it is published in the cluster)")
    private int agentPort;

    @Option(names = "--cache", paramLabel = "DIR", description = "where class path files sent by clients are kept"
        + " (default: ~/.cache/snapline/agent)")
    private Path cache = Path.of(System.getProperty("user.home"), ".cache", "snapline", "agent");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (slots < 1) {
            throw new RecoveryException("--slots must be at least 1, got " + slots);
        }
        if (!cluster.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new RecoveryException("--cluster: 1 to 64 letters, digits, '.', '_' or '-', got '" + cluster + "'");
        }
        ClusterSecret secret;
        try {
            secret = ClusterSecret.read(secretFile);
        } catch (IllegalArgumentException e) {
            throw new RecoveryException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        ClusterAgent agent;
        try {
            agent = ClusterAgent.start(cluster, secret, bind, port, agentPort, members, slots, cache, System.err);
        } catch (RuntimeException | IOException e) {
            throw new RecoveryException("the agent cannot start: " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.close();
            } catch (IOException e) {
                System.err.println("snapline agent: stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "snapline-agent-stop"));
        agent.member().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                say(out, "member " + e.getMember().getAddress() + " joined (" + members(e.getMembers().size()) + ")");
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                say(out, "member " + e.getMember().getAddress() + " left (" + members(e.getMembers().size()) + ")");
            }
        });
        say(out, "member of cluster " + cluster + " at " + agent.memberAddress() + " ("
                + members(agent.member().getCluster().getMembers().size()) + "; a member silent for "
                + ClusterConfigs.NO_HEARTBEAT_SECONDS + " s is declared lost), starting rank processes at "
                + agent.serverAddress().getHostString() + ":" + agent.serverAddress().getPort() + " with " + slots
                + " slots");
        stopped.await();
        return 0;
    }

    private static String members(int n) {
        return n + (n == 1 ? " member" : " members");
    }

    private static void say(PrintWriter out, String line) {
        out.println("snapline agent: " + line);
        out.flush();
    }
}
