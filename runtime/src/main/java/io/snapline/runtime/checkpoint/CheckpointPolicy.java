package io.snapline.runtime.checkpoint;

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
     * Refuses settings this policy cannot honour, with a message for the user (e.g. {@code --every} for a policy
     * whose ranks do not agree on safe points).
     *
     * @throws IllegalArgumentException naming the setting and what to use instead
     */
    default void validate(PolicySettings settings) {
    }

    /** The rank half, created once per rank and attempt, when the rank calls {@code MPI.Init}. */
    RankPolicy forRank(RankServices services);

    /** The supervisor half, created once per job attempt before the ranks start. */
    PolicyCoordinator coordinator(CoordinatorServices services);
}
