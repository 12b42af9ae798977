package io.snapline.runtime.cluster;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The ranks of one job submitted to a cluster, seen from the submitting host: where each runs ({@link Placement},
 * decided from the agents' free slots when the job is submitted) and the program's class path as it travels
 * ({@link ClassPathBundle}, hashed once). {@link #start} starts a process of a rank on its agent. Thread-safe.
 *
 * <p><b>Losing a host.</b> An agent counts as lost once the connection to it of one of the job's processes broke
 * ({@link RemoteProcess#lostReason}), once it cannot be connected to, or once the cluster says it left (its member
 * missed its heartbeats, {@link ClusterConfigs#NO_HEARTBEAT_SECONDS}); then the processes of the job's ranks on it
 * count as ended ({@link RemoteProcess#lose}) for that reason, so the job's supervisor treats them as dead. The next
 * start of a rank whose agent was lost first moves every rank of that agent to surviving agents with free slots
 * ({@link Placement#moving}), the other ranks staying where they are; it waits up to {@link #PLACE_TIMEOUT} for the
 * agents to publish slots freed by processes just ended, and throws {@link NoRoomException} when they still have too
 * few.
 */
public final class RemoteRanks implements AutoCloseable {
    /** How long an agent may take to accept a connection and answer each step of a launch. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long moving ranks off a lost host waits for the surviving agents to publish the slots it needs. */
    static final Duration PLACE_TIMEOUT = Duration.ofSeconds(10);
    private static final long PLACE_POLL_MILLIS = 100;
    /** How long an agent whose connection broke may take to accept a new one before it counts as lost. */
    private static final Duration REACH_TIMEOUT = Duration.ofSeconds(2);

    private final String job;
    private final ClusterSecret secret;
    private final ClusterClient client;
    private final List<ClassPathBundle.Entry> classPath;
    private final Map<String, Path> files;
    private final Path scratch;
    private final Consumer<String> say;
    /** The member ids of the agents lost while the job ran. */
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    /** Per rank, its newest process (guarded by this). */
    private final RemoteProcess[] current;
    /** Guarded by this. */
    private Placement placement;
    /** Publishes the job's record again before it expires (a launcher that died leaves none behind). */
    private final java.util.concurrent.ScheduledExecutorService republisher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "snaprun-job-record");
                t.setDaemon(true);
                return t;
            });
    /** What the cluster is told of the job, for {@code snapline status} (null until {@link #announce}; guarded by this). */
    private JobRecord record;

    private RemoteRanks(String job, ClusterSecret secret, ClusterClient client, Placement placement,
            List<ClassPathBundle.Entry> classPath, Path scratch, Consumer<String> say) {
        this.job = job;
        this.secret = secret;
        this.client = client;
        this.placement = placement;
        this.classPath = List.copyOf(classPath);
        this.files = RemoteProcess.filesOf(classPath);
        this.scratch = scratch;
        this.say = say;
        this.current = new RemoteProcess[placement.ranks().length];
    }

    /**
     * Places {@code np} ranks of job {@code job} on the agents of {@code cluster} by their free slots (or
     * {@code perHost} on each, when above 0), and prepares {@code classPath} to be sent to them; {@code say} hears
     * where ranks move when a host is lost. The connection to the cluster stays open until {@link #close()}.
     *
     * @throws IOException              when the cluster cannot be reached or a class path entry cannot be read
     * @throws IllegalArgumentException when the agents' free slots cannot take the ranks, saying what is missing
     */
    public static RemoteRanks place(ClusterAddress cluster, ClusterSecret secret, String job, int np, int perHost,
            List<Path> classPath, Consumer<String> say) throws IOException {
        ClusterClient client = ClusterClient.connect(cluster, secret);
        Path scratch = null;
        try {
            ClusterView.Agents agents = client.agents();
            if (agents.agents().isEmpty()) {
                throw new IOException("cluster " + cluster + " has no agent that holds this secret"
                        + (agents.refused().isEmpty() ? "" : " (" + agents.refused().size() + " entry(ies) did not open "
                        + "with it)"));
            }
            Placement placement = Placement.of(agents.agents(), np, perHost);
            scratch = Files.createTempDirectory("snaprun-classpath-");
            scratch.toFile().deleteOnExit(); // after its jars (deleted in reverse order), as on SIGTERM or Ctrl-C
            RemoteRanks ranks = new RemoteRanks(job, secret, client, placement, ClassPathBundle.of(classPath, scratch),
                    scratch, say);
            client.onAgentLeft(ranks::agentLeft);
            return ranks;
        } catch (IOException | RuntimeException e) {
            client.close();
            if (scratch != null) {
                delete(scratch);
            }
            throw e;
        }
    }

    /** Where the ranks run now. */
    public synchronized Placement placement() {
        return placement;
    }

    /**
     * Starts a process of rank {@code rank} on its agent (moving the ranks of a lost agent first): {@code command}, in
     * which {@link LaunchSpec#JAVA} and {@link LaunchSpec#CLASS_PATH} stand for the agent's {@code java} and the class
     * path as it keeps it, with {@code env} added to the agent's environment.
     *
     * @throws NoRoomException when the rank's agent was lost and the others have too few free slots for its ranks
     * @throws IOException     when the agent cannot be reached or refuses, with its reason
     */
    public RemoteProcess start(int rank, List<String> command, Map<String, String> env) throws IOException {
        LaunchSpec spec = new LaunchSpec(job, rank, command, env, classPath.stream().map(ClassPathBundle.Entry::spec)
                .toList());
        ClusterView.Agent agent = agentFor(rank);
        RemoteProcess p;
        try {
            p = RemoteProcess.start(agent.record().address(), describe(agent), secret, spec, files, CONNECT_TIMEOUT);
        } catch (IOException e) {
            // A host that dies may still complete a connection while its processes end, then reset it.
            if (!(e.getCause() instanceof ConnectException) && reachable(agent)) {
                throw e;
            }
            lost.add(agent.member()); // nothing listens there any more: the agent is gone
            agent = agentFor(rank);
            p = RemoteProcess.start(agent.record().address(), describe(agent), secret, spec, files, CONNECT_TIMEOUT);
        }
        synchronized (this) {
            current[rank] = p;
        }
        if (lost.contains(agent.member())) {
            p.lose("host " + describe(agent) + " lost: its agent left the cluster");
        }
        return p;
    }

    /**
     * The agent rank {@code rank} starts on: its own, unless that was lost and the ranks on it had to move. While
     * there is no room for them it polls, for up to {@link #PLACE_TIMEOUT}, without holding this object's monitor: the
     * job's record is republished, commits are recorded and other hosts' losses are taken meanwhile.
     */
    private ClusterView.Agent agentFor(int rank) throws IOException {
        long deadline = System.nanoTime() + PLACE_TIMEOUT.toNanos();
        markLostHosts();
        while (true) {
            synchronized (this) {
                ClusterView.Agent placed = placeOrNull(rank, deadline);
                if (placed != null) {
                    return placed;
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(PLACE_POLL_MILLIS); // for the agents to publish slots just freed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while placing ranks off a lost host");
            }
        }
    }

    /** Takes as lost the agents of ranks whose processes were lost and that no longer answer (probed once). */
    private synchronized void markLostHosts() {
        for (int r = 0; r < current.length; r++) {
            ClusterView.Agent a = placement.agentOf(r);
            if (current[r] != null && current[r].lostReason() != null && !lost.contains(a.member())
                    && !reachable(a)) {
                lost.add(a.member());
            }
        }
    }

    /**
     * One try of {@link #agentFor}: rank {@code rank}'s agent, moving the ranks of lost hosts to the agents left
     * when they have room; null when they have none yet.
     *
     * @throws NoRoomException when they have none and {@code deadline} has passed
     */
    private ClusterView.Agent placeOrNull(int rank, long deadline) throws NoRoomException {
        assert Thread.holdsLock(this);
        ClusterView.Agent agent = placement.agentOf(rank);
        if (!lost.contains(agent.member())) {
            return agent;
        }
        int[] moving = java.util.stream.IntStream.range(0, current.length)
                .filter(r -> lost.contains(placement.agentOf(r).member())).toArray();
        List<ClusterView.Agent> room = room(client.agents().agents(), moving);
        try {
            Placement moved = placement.moving(moving, room);
            say.accept(moves(moving, moved));
            placement = moved;
            if (record != null) {
                record = record.placed(hosts());
                publish();
            }
            return placement.agentOf(rank);
        } catch (IllegalArgumentException tooFew) {
            if (System.nanoTime() >= deadline) {
                throw new NoRoomException(lostHosts(moving) + " lost, and rank(s) " + ranks(moving)
                        + " that ran there cannot be placed on the agents left: " + tooFew.getMessage()
                        + " (waited " + PLACE_TIMEOUT.toSeconds() + " s for slots to free)");
            }
            return null;
        }
    }

    /**
     * The agents that are not lost, each with the free slots it publishes less those the job's ranks placed there
     * and not running now will take again (a whole restart starts every rank anew).
     */
    private List<ClusterView.Agent> room(List<ClusterView.Agent> agents, int[] moving) {
        Set<Integer> movers = new LinkedHashSet<>();
        for (int r : moving) {
            movers.add(r);
        }
        List<ClusterView.Agent> room = new ArrayList<>();
        for (ClusterView.Agent a : agents) {
            if (lost.contains(a.member())) {
                continue;
            }
            int placed = 0;
            int toStart = 0;
            for (int r = 0; r < current.length; r++) {
                if (!movers.contains(r) && placement.agentOf(r).member().equals(a.member())) {
                    placed++;
                    if (current[r] == null || !current[r].isAlive()) {
                        toStart++;
                    }
                }
            }
            // What the agent publishes may lag behind processes just started or ended: neither count may be exceeded.
            AgentRecord rec = a.record();
            int free = Math.max(0, Math.min(rec.free() - toStart, rec.slots() - placed));
            room.add(new ClusterView.Agent(a.member(), rec.withFree(free)));
        }
        return room;
    }

    /**
     * Publishes the job in the cluster ({@link JobRecord}: where its ranks run, its store {@code store}, or null) until
     * {@link #close()}, and has {@code cancelled} told who asks when someone holding the secret cancels it.
     */
    public synchronized void announce(String store, Consumer<String> cancelled) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        record = new JobRecord(job, "pid " + ProcessHandle.current().pid() + " on host " + host,
                java.time.Instant.now(), store == null ? "" : store, hosts(), 0, null);
        client.onCancel(job, cancelled, say);
        publish();
        long every = ClusterJobs.RECORD_TTL_SECONDS / 3;
        republisher.scheduleWithFixedDelay(this::republish, every, every, TimeUnit.SECONDS);
    }

    private synchronized void republish() {
        publish();
    }

    /** Checkpoint {@code id} of the job was committed: the job's record says so. */
    public synchronized void committed(long id) {
        if (record != null) {
            record = record.committed(id, java.time.Instant.now());
            publish();
        }
    }

    private void publish() {
        try {
            client.publish(record);
        } catch (RuntimeException e) {
            say.accept("warning: the job's record in the cluster (for snapline status) was not updated: " + e);
        }
    }

    /** Per rank, its host as messages name it. */
    private List<String> hosts() {
        List<String> hosts = new ArrayList<>();
        for (int r = 0; r < current.length; r++) {
            hosts.add(describe(placement.agentOf(r)));
        }
        return hosts;
    }

    /** Whether {@code agent}'s server still accepts connections (a broken connection may be the network's doing). */
    private static boolean reachable(ClusterView.Agent agent) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(agent.record().address(), (int) REACH_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code host h1 (addr) lost: ranks 4, 5 move to h2 (addr), h3 (addr)}. */
    private String moves(int[] moving, Placement moved) {
        StringJoiner to = new StringJoiner(", ");
        for (int r : moving) {
            to.add(r + " to " + describe(moved.agentOf(r)));
        }
        return lostHosts(moving) + " lost: rank(s) " + to + " from now on";
    }

    private String lostHosts(int[] moving) {
        Set<String> hosts = new LinkedHashSet<>();
        for (int r : moving) {
            hosts.add(describe(placement.agentOf(r)));
        }
        return (hosts.size() == 1 ? "host " : "hosts ") + String.join(", ", hosts);
    }

    private static String ranks(int[] rs) {
        StringJoiner j = new StringJoiner(", ");
        for (int r : rs) {
            j.add(Integer.toString(r));
        }
        return j.toString();
    }

    /** {@code node1 (10.0.0.1:40111)}: an agent's host and where it starts processes. */
    public static String describe(ClusterView.Agent agent) {
        AgentRecord r = agent.record();
        return r.host() + " (" + r.address().getHostString() + ":" + r.address().getPort() + ")";
    }

    /** The cluster says the agent {@code member} left: the job's processes on it count as ended. */
    private void agentLeft(String member) {
        lost.add(member);
        List<RemoteProcess> gone = new ArrayList<>();
        String host = null;
        synchronized (this) {
            for (int r = 0; r < current.length; r++) {
                if (placement.agentOf(r).member().equals(member) && current[r] != null && current[r].isAlive()) {
                    gone.add(current[r]);
                    host = describe(placement.agentOf(r));
                }
            }
        }
        for (RemoteProcess p : gone) {
            p.lose("host " + host + " lost: its agent left the cluster");
        }
    }

    /** Deletes the jars made of class directories and leaves the cluster; processes already started go on. */
    @Override
    public void close() {
        republisher.shutdownNow();
        delete(scratch);
        try {
            synchronized (this) {
                if (record != null) {
                    client.removeJob(job);
                }
            }
        } catch (RuntimeException e) {
            // the cluster is gone: nobody lists the job any more
        } finally {
            client.close();
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
