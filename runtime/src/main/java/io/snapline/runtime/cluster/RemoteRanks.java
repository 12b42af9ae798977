package io.snapline.runtime.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The ranks of one job submitted to a cluster, seen from the submitting host: where each runs ({@link Placement},
 * decided once, from the agents' free slots when the job is submitted) and the program's class path as it travels
 * ({@link ClassPathBundle}, hashed once). {@link #start} starts a process of a rank on its agent. Thread-safe.
 */
public final class RemoteRanks implements AutoCloseable {
    /** How long an agent may take to accept a connection and answer each step of a launch. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final String job;
    private final ClusterSecret secret;
    private final Placement placement;
    private final List<ClassPathBundle.Entry> classPath;
    private final Map<String, Path> files;
    private final Path scratch;

    private RemoteRanks(String job, ClusterSecret secret, Placement placement, List<ClassPathBundle.Entry> classPath,
            Path scratch) {
        this.job = job;
        this.secret = secret;
        this.placement = placement;
        this.classPath = List.copyOf(classPath);
        this.files = RemoteProcess.filesOf(classPath);
        this.scratch = scratch;
    }

    /**
     * Places {@code np} ranks of job {@code job} on the agents of {@code cluster} by their free slots (or
     * {@code perHost} on each, when above 0), and prepares {@code classPath} to be sent to them.
     *
     * @throws IOException              when the cluster cannot be reached or a class path entry cannot be read
     * @throws IllegalArgumentException when the agents' free slots cannot take the ranks, saying what is missing
     */
    public static RemoteRanks place(ClusterAddress cluster, ClusterSecret secret, String job, int np, int perHost,
            List<Path> classPath) throws IOException {
        Placement placement;
        try (ClusterClient client = ClusterClient.connect(cluster, secret)) {
            ClusterView.Agents agents = client.agents();
            if (agents.agents().isEmpty()) {
                throw new IOException("cluster " + cluster + " has no agent that holds this secret"
                        + (agents.refused().isEmpty() ? "" : " (" + agents.refused().size() + " entry(ies) did not open "
                        + "with it)"));
            }
            placement = Placement.of(agents.agents(), np, perHost);
        }
        Path scratch = Files.createTempDirectory("snaprun-classpath-");
        try {
            return new RemoteRanks(job, secret, placement, ClassPathBundle.of(classPath, scratch), scratch);
        } catch (IOException | RuntimeException e) {
            delete(scratch);
            throw e;
        }
    }

    /** Where the ranks run. */
    public Placement placement() {
        return placement;
    }

    /**
     * Starts a process of rank {@code rank} on its agent: {@code command}, in which {@link LaunchSpec#JAVA} and
     * {@link LaunchSpec#CLASS_PATH} stand for the agent's {@code java} and the class path as it keeps it, with
     * {@code env} added to the agent's environment.
     *
     * @throws IOException when the agent cannot be reached or refuses, with its reason
     */
    public RemoteProcess start(int rank, List<String> command, Map<String, String> env) throws IOException {
        InetSocketAddress agent = placement.agentOf(rank).record().address();
        LaunchSpec spec = new LaunchSpec(job, rank, command, env, classPath.stream().map(ClassPathBundle.Entry::spec)
                .toList());
        return RemoteProcess.start(agent, secret, spec, files, CONNECT_TIMEOUT);
    }

    /** Deletes the jars made of class directories; processes already started are not affected. */
    @Override
    public void close() {
        delete(scratch);
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
