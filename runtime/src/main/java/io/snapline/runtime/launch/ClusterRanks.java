package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.ClusterView;
import io.snapline.runtime.cluster.LaunchSpec;
import io.snapline.runtime.cluster.Placement;
import io.snapline.runtime.cluster.RemoteRanks;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * A job's rank processes on a cluster's agents ({@code snaprun --cluster}): placed when the job is submitted
 * ({@link RemoteRanks}), each started on its agent with the class path the launcher would use locally, sent by content.
 * The ranks dial the launcher's control server at this host's address towards the cluster.
 */
final class ClusterRanks implements RankStarter {
    private final RemoteRanks ranks;
    private final InetAddress control;
    /** The job's checkpoints are kept in the cluster ({@code --store} or {@code --resume hazelcast://...}). */
    private final boolean storeInCluster;

    private ClusterRanks(RemoteRanks ranks, InetAddress control, boolean storeInCluster) {
        this.ranks = ranks;
        this.control = control;
        this.storeInCluster = storeInCluster;
    }

    /**
     * Places the ranks of the job {@code o} describes (checkpointed by {@code policy}) on the cluster it names;
     * {@code say} hears where ranks move when a host is lost.
     *
     * @throws IOException              when the cluster cannot be reached or the class path cannot be read
     * @throws IllegalArgumentException when the cluster's free slots cannot take the ranks
     */
    static ClusterRanks submit(LaunchOptions o, CheckpointPolicy policy, ClusterSecret secret, String job,
            Consumer<String> say) throws IOException {
        ClusterAddress cluster = ClusterAddress.parse(o.cluster());
        InetAddress control = LocalInterface.towards(InetAddress.getByName(cluster.host()));
        boolean storeInCluster = io.snapline.runtime.checkpoint.store.ClusterStoreUri.isClusterStore(o.store())
                || io.snapline.runtime.checkpoint.store.ClusterStoreUri.isClusterStore(o.resume());
        return new ClusterRanks(RemoteRanks.place(cluster, secret, job, o.np(), o.ranksPerHost(),
                shipped(RankCommand.classPathOf(o, policy)), say), control, storeInCluster);
    }

    /**
     * The files of class path {@code entries} as {@code java} would read them: an empty entry is the current directory,
     * {@code dir/*} the jars in {@code dir}, and entries that do not exist are left out.
     */
    static List<Path> shipped(List<String> entries) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String e : entries) {
            if (e.endsWith(File.separator + "*") || e.equals("*")) {
                Path dir = Path.of(e.length() == 1 ? "." : e.substring(0, e.length() - 2));
                if (Files.isDirectory(dir)) {
                    try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
                        List<Path> sorted = new ArrayList<>();
                        jars.forEach(sorted::add);
                        sorted.sort(null);
                        files.addAll(sorted);
                    }
                }
                continue;
            }
            Path p = Path.of(e.isEmpty() ? "." : e);
            if (Files.exists(p)) {
                files.add(p);
            }
        }
        return files;
    }

    /** Where the ranks run, as {@code ranks 0..3 on node1 (10.0.0.1:40111), 4..7 on node2 (10.0.0.2:40111)}. */
    String where() {
        Placement p = ranks.placement();
        Map<String, List<Integer>> by = p.byAgent();
        StringJoiner where = new StringJoiner(", ", "ranks ", "");
        for (ClusterView.Agent a : p.agents()) {
            List<Integer> rs = by.get(a.member()); // a block: Placement.of places consecutive ranks on an agent
            where.add(rs.get(0) + (rs.size() > 1 ? ".." + rs.get(rs.size() - 1) : "") + " on "
                    + RemoteRanks.describe(a));
        }
        return where.toString();
    }

    @Override
    public Process start(int rank, RankCommand.Line command, Map<String, String> env) throws IOException {
        Map<String, String> e = env;
        if (storeInCluster) { // only then is the rank given the cluster's secret, to open the store
            e = new java.util.HashMap<>(env);
            e.put(io.snapline.runtime.cluster.AgentEnvironment.NEEDS_SECRET, "1");
        }
        return ranks.start(rank, command.with(LaunchSpec.JAVA, LaunchSpec.CLASS_PATH), e);
    }

    /** The job is listed in the cluster ({@code snapline status}) and can be cancelled there. */
    @Override
    public void announce(String store, Consumer<String> cancel) {
        ranks.announce(store, cancel);
    }

    @Override
    public void committed(long id) {
        ranks.committed(id);
    }

    @Override
    public InetAddress controlAddress() {
        return control;
    }

    @Override
    public void close() {
        ranks.close();
    }
}
