package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.Recovered;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A fault-tolerance policy, selected with {@code --checkpoint NAME} and found with {@link java.util.ServiceLoader}
 * (a jar on the launcher's class path that lists its implementation in
 * {@code META-INF/services/io.snapline.runtime.checkpoint.CheckpointPolicy} adds a policy). Implementations are
 * stateless factories with a public no-argument constructor.
 */
public interface CheckpointPolicy {
    /** The name users select it by, e.g. {@code coordinated}. */
    String name();

    /** One line for {@code --help} and reports. */
    String description();

    /** Whether a failed job is restarted from this policy's checkpoints ({@code false} for {@code none}). */
    default boolean restarts() {
        return true;
    }

    /**
     * The command-line options of this policy: the launcher accepts them with {@code --checkpoint NAME}, lists them
     * under the policy in {@code snaprun --help}, and passes their values in {@link PolicySettings#options()}.
     */
    default List<PolicyOption> options() {
        return List.of();
    }

    /**
     * Refuses settings this policy cannot honour, with a message for the user: values of its options it does not
     * accept, or combinations it cannot follow (e.g. both {@code --interval} and a safe-point count).
     *
     * @throws IllegalArgumentException naming the setting and what to use instead
     */
    default void validate(PolicySettings settings) {
    }

    /** When this policy checkpoints under {@code settings}, for the launcher's first line, e.g. {@code every 30 s}. */
    default String schedule(PolicySettings settings) {
        if (settings.auto() != null) {
            return "interval auto: " + settings.auto().describe() + ", starting at "
                    + IntervalChooser.human(IntervalChooser.of(settings.auto(), 0).intervalNanos());
        }
        Duration d = settings.intervalOrDefault();
        return "every " + (d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms");
    }

    /**
     * The settings a {@code --resume} must repeat for this policy to read the checkpoints back as they were written
     * (e.g. a message-logging mode), as one line; it is part of the job's fingerprint. Empty when none matter.
     */
    default String fingerprint(PolicySettings settings) {
        return "";
    }

    /**
     * Whether checkpoints that recorded {@code recorded} as this policy's settings ({@link #fingerprint} when they
     * were written) may be continued under {@code settings}: by default when it is what {@link #fingerprint} gives
     * now. A policy overrides it to go on reading what an earlier build recorded in another form.
     */
    default boolean continues(String recorded, PolicySettings settings) {
        return recorded.equals(fingerprint(settings));
    }

    /**
     * {@link #restartPoint(CheckpointStore, int, Consumer)} for a job run with {@code settings}, for a policy whose
     * restart depends on its options; by default the same.
     */
    default RestartPoint restartPoint(CheckpointStore store, int ranks, PolicySettings settings, Consumer<String> warn) {
        return restartPoint(store, ranks, warn);
    }

    /**
     * Where a job continues after a failure, or with {@code --resume}: by default the newest complete global
     * checkpoint (falling back past damaged ones, each reported to {@code warn}). Policies whose ranks checkpoint on
     * their own compute a recovery line instead. Called by the supervisor while no rank runs, so it may change the
     * store (e.g. drop checkpoints the restarted run will not use).
     *
     * @throws io.snapline.runtime.checkpoint.store.CheckpointStoreException if the store cannot be read, or its
     *     checkpoints were taken with another number of ranks
     */
    default RestartPoint restartPoint(CheckpointStore store, int ranks, Consumer<String> warn) {
        Optional<Recovered> latest = store.latest();
        latest.ifPresent(r -> r.warnings().forEach(warn));
        if (latest.isEmpty()) {
            return RestartPoint.fresh(ranks);
        }
        latest.get().manifest().requireRanks(ranks);
        return RestartPoint.global(latest.get().manifest());
    }

    /**
     * Whether the policy keeps local checkpoints (each rank's own, committed by the rank alone: see
     * {@link io.snapline.runtime.checkpoint.store.LocalCheckpointStore}) rather than only global ones committed through
     * the coordinator. A store with host copies ({@code local+hazelcast://}) holds global checkpoints only: it commits
     * one once every rank's piece of it is in the replica, which a rank committing alone cannot wait for.
     */
    default boolean keepsLocalCheckpoints() {
        return false;
    }

    /**
     * Whether, after a rank dies, the other ranks are let run on to their next safe point before the attempt ends, so
     * that the policy can checkpoint them there (its coordinator is told with
     * {@link PolicyCoordinator#onRankFailed}); a restart may then continue them from where they stopped instead of
     * from an older checkpoint. False: the other ranks are stopped at once.
     */
    default boolean stopsSurvivorsAtSafePoints() {
        return false;
    }

    /**
     * Whether a rank that dies under {@code settings} restarts alone while the others run on (message logging): the
     * supervisor then starts a new incarnation of just that rank ({@link RankServices#incarnation()}), from
     * {@link #restartPointAlone}, and tells the coordinator ({@link PolicyCoordinator#onRankRestarting}); the whole
     * attempt restarts only when that cannot be done (a rank whose policy said
     * {@link RankServices#cannotRestartAlone}, a failure while a rank is still starting, a device that cannot replace
     * one rank).
     */
    default boolean restartsRanksAlone(PolicySettings settings) {
        return false;
    }

    /**
     * Where rank {@code rank} continues when it restarts alone ({@link #restartsRanksAlone}): its checkpoint, or null
     * for the beginning. The other ranks are running; only {@code rank}'s part of the store may be changed.
     *
     * @throws io.snapline.runtime.checkpoint.store.CheckpointStoreException when it cannot continue exactly
     */
    default RestoreFrom restartPointAlone(CheckpointStore store, int rank, int ranks, PolicySettings settings,
            Consumer<String> warn) {
        throw new UnsupportedOperationException(name() + " does not restart ranks alone");
    }

    /** The rank half, created once per rank and attempt, when the rank calls {@code MPI.Init}. */
    RankPolicy forRank(RankServices services);

    /** The supervisor half, created once per job attempt before the ranks start. */
    PolicyCoordinator coordinator(CoordinatorServices services);
}
