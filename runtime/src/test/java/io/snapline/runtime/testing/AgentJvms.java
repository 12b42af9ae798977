package io.snapline.runtime.testing;

import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterAgent;
import io.snapline.runtime.cluster.ClusterClient;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.ClusterView;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Agents of one cluster on loopback, each in a JVM of its own (as {@code snapline agent} runs them), for tests that
 * lose a host: {@link #kill} SIGKILLs an agent and every process it started, as a host that dies takes them with it.
 */
public final class AgentJvms implements AutoCloseable {
    private static final String SECRET_TEXT = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    /** An agent JVM and the address other members and clients reach it at. */
    public record Agent(Process process, String memberAddress) {
    }

    private final String name = "test-" + UUID.randomUUID();
    private final ClusterSecret secret = ClusterSecret.of(SECRET_TEXT.getBytes(StandardCharsets.US_ASCII));
    private final Path dir;
    private final Path secretFile;
    private final List<Agent> agents = new ArrayList<>();

    public AgentJvms(Path dir) throws IOException {
        this.dir = dir;
        this.secretFile = dir.resolve("lab.secret");
        Files.writeString(secretFile, SECRET_TEXT);
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    }

    /** Starts an agent with {@code slots} slots, joining the first agent started; returns once it is a member. */
    public Agent start(int slots) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), name, secretFile
                        .toString(), Integer.toString(slots), dir.resolve("cache-" + agents.size()).toString()));
        if (!agents.isEmpty()) {
            cmd.add(agents.get(0).memberAddress());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("agent at ")) {
                Agent a = new Agent(p, line.substring("agent at ".length()));
                agents.add(a);
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "agent-output");
                drain.setDaemon(true);
                drain.start();
                return a;
            }
        }
        throw new IOException("the agent JVM ended before it said where it runs");
    }

    /** {@code --cluster} and {@code --secret-file} for a job on these agents, through the first one. */
    public List<String> flags() {
        return List.of("--cluster", name + "@" + agents.get(0).memberAddress(), "--secret-file", secretFile.toString());
    }

    /** Waits (up to {@code millis}) until the cluster's agents, as a client sees them, satisfy {@code condition}. */
    public void await(Predicate<ClusterView.Agents> condition, long millis, String what) throws Exception {
        try (ClusterClient client = ClusterClient.connect(ClusterAddress.parse(name + "@"
                + agents.get(0).memberAddress()), secret)) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!condition.test(client.agents())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + millis + " ms waiting for " + what + "; agents: "
                            + client.agents());
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    /** Sends signal {@code name} ({@code STOP}, {@code CONT}) to every process agent {@code a} started. */
    public static void signalRanks(Agent a, String name) throws IOException, InterruptedException {
        for (ProcessHandle p : a.process().descendants().toList()) {
            // a process that ended meanwhile is no news
            new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    /** SIGKILLs agent {@code a} and every process it started, as the loss of its host would end them. */
    public static void kill(Agent a) throws InterruptedException {
        List<ProcessHandle> children = a.process().descendants().toList();
        a.process().destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        a.process().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        for (Agent a : agents) {
            kill(a);
        }
    }

    /** An agent JVM: {@code name secretFile slots cache [member]}; says {@code agent at HOST:PORT} once it runs. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            ClusterAgent agent = ClusterAgent.start(args[0], ClusterSecret.read(Path.of(args[1])), "127.0.0.1", 5701, 0,
                    args.length > 4 ? List.of(args[4]) : List.of(), Integer.parseInt(args[2]), Path.of(args[3]),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.out.println("agent at " + agent.memberAddress());
            System.out.flush();
            Thread.currentThread().join(); // until killed
        }
    }
}
