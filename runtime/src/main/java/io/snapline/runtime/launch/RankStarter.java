package io.snapline.runtime.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a {@code tcp} job's rank processes run: on this host ({@link #LOCAL}), or on a cluster's agents
 * ({@link ClusterRanks}). Whatever starts them, a rank process is a {@link Process} whose output, exit status and
 * killing mean the same, so the attempt that supervises them does not know the difference.
 */
interface RankStarter extends AutoCloseable {
    /** Rank processes on this host, started with {@link ProcessBuilder}; the ranks dial the launcher on loopback. */
    RankStarter LOCAL = new RankStarter() {
        @Override
        public Process start(int rank, RankCommand.Line command, Map<String, String> env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command.local());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            return p;
        }

        @Override
        public InetAddress controlAddress() {
            return InetAddress.getLoopbackAddress();
        }
    };

    /**
     * Starts a process of rank {@code rank} running {@code command}, with {@code env} added to its environment; its
     * standard input is closed.
     *
     * @throws IOException when the process cannot be started, saying why
     */
    Process start(int rank, RankCommand.Line command, Map<String, String> env) throws IOException;

    /** The address the launcher's control server listens on: one the rank processes can reach. */
    InetAddress controlAddress();

    /**
     * The job starts, with its checkpoints in {@code store} (null: none): a starter that shares the hosts with others
     * says so where they can see it, and tells {@code cancel} who asks when the job is to be cancelled.
     */
    default void announce(String store, Consumer<String> cancel) {
    }

    /** Checkpoint {@code id} of the job was committed. */
    default void committed(long id) {
    }

    /** Releases what the starter holds for the job; processes it started are stopped by their owner. */
    @Override
    default void close() {
    }
}
