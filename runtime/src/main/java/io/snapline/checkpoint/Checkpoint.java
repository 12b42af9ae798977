package io.snapline.checkpoint;

import com.esotericsoftware.kryo.Serializer;
import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.launch.RankRegistry;
import java.util.function.Supplier;

/**
 * User-directed checkpoints. The program says where it is safe to checkpoint and what to save; the policy chosen
 * with {@code --checkpoint} decides when, and after a failure the job restarts from the last committed checkpoint
 * with the state restored and every message that was in flight delivered exactly once.
 *
 * <pre>{@code
 * MPI.Init(args);
 * Heat state = Checkpoint.restoreOr(() -> new Heat(n, rank));   // fresh, or restored after a restart
 * while (state.step < steps) {
 *     exchangeHalos(state);
 *     relax(state);
 *     state.step++;
 *     Checkpoint.point(state);                                   // a safe point
 * }
 * MPI.Finalize();
 * }</pre>
 *
 * <p>Contract:
 * <ul>
 *   <li>Call {@code restoreOr} for every state object after {@code MPI.Init} and before the first safe point; code
 *       before it runs again after a restart, so it must do the same on every run (create communicators, attach
 *       buffers, read input).</li>
 *   <li>State is encoded with Kryo: any class, Serializable or not; shared references and cycles are kept;
 *       {@code transient} fields are left out (rebuild them in {@link Restorable#afterRestore()}); types Kryo
 *       cannot handle get a serializer with {@link #serializer}.</li>
 *   <li>At a safe point the program has no receive pending (every {@code Irecv} waited for); sends may be
 *       pending.</li>
 *   <li>Under {@code coordinated}, the k-th safe point of every rank must be reachable without messages that other
 *       ranks send only after their own k-th safe point — true for iterative SPMD loops that call {@code point}
 *       once per iteration on every rank. A violation is reported as a deadlock, not left hanging.</li>
 * </ul>
 * Programs that never call this class run unchanged; after a failure they restart from the beginning.
 */
public final class Checkpoint {
    /** The name {@link #restoreOr(Supplier)} and {@link #point(Object)} use. */
    public static final String DEFAULT_NAME = "state";
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private Checkpoint() {
    }

    /** {@link #restoreOr(String, Supplier)} with the name {@value #DEFAULT_NAME}. */
    public static <T> T restoreOr(Supplier<T> fresh) {
        return agent().restoreOr(DEFAULT_NAME, fresh);
    }

    /**
     * Registers the state object {@code name}: after a restart it returns the object as it was at the checkpoint
     * (and restores the rank's communication state with the first call); otherwise it returns {@code fresh.get()}.
     * Either way the object returned is saved at every checkpoint from now on.
     */
    public static <T> T restoreOr(String name, Supplier<T> fresh) {
        return agent().restoreOr(name, fresh);
    }

    /** Replaces the object saved under {@code name} (for state that is replaced rather than changed in place). */
    public static void set(String name, Object value) {
        agent().set(name, value);
    }

    /** A safe point: the policy may checkpoint the registered state here. */
    public static void point() {
        agent().point();
    }

    /** {@code set(DEFAULT_NAME, state)} followed by a safe point. */
    public static void point(Object state) {
        RankAgent a = agent();
        a.set(DEFAULT_NAME, state);
        a.point();
    }

    /** Uses {@code serializer} for {@code type} and its subclasses; call before {@link #restoreOr}. */
    public static <T> void serializer(Class<T> type, Serializer<? super T> serializer) {
        agent().serializer(type, serializer);
    }

    /** Whether this run continues from a checkpoint. */
    public static boolean isRestart() {
        return agent().isRestart();
    }

    /** Safe points this rank has passed since the job began (counting those before a restart). */
    public static long points() {
        return agent().points();
    }

    private static RankAgent agent() {
        ClassLoader loader = WALKER.walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c != Checkpoint.class)
                .findFirst()
                .map(Class::getClassLoader)
                .orElse(Thread.currentThread().getContextClassLoader()));
        return RankRegistry.lookup(loader).checkpoint();
    }
}
