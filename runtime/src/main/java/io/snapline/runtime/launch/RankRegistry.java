package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * How a rank's {@code mpi.MPI} finds its rank. On {@code shm} each rank's {@code mpi.MPI} is defined by that
 * rank's class loader, so the loader identifies the rank; a process that hosts exactly one rank registers it as the
 * process rank. A program started without a launcher becomes a job of one rank, as in MPI's singleton init.
 */
public final class RankRegistry {
    private static final Map<ClassLoader, RankContext> BY_LOADER = new ConcurrentHashMap<>();
    private static volatile Supplier<RankContext> processRank;

    private RankRegistry() {
    }

    public static void bind(ClassLoader loader, RankContext context) {
        BY_LOADER.put(loader, context);
    }

    public static void unbind(ClassLoader loader) {
        BY_LOADER.remove(loader);
    }

    /** Sets the one rank this process hosts (a device with one process per rank). */
    public static void bindProcess(RankContext context) {
        processRank = () -> context;
    }

    /**
     * Sets the one rank this process hosts, built when {@code MPI.Init} first asks for it (the {@code tcp} data plane
     * connects to its peers then). The supplier is called on every lookup, so it must remember what it built; what it
     * throws reaches the caller of {@code MPI.Init}.
     */
    public static void bindProcess(Supplier<RankContext> context) {
        processRank = context;
    }

    /** The rank whose {@code mpi.MPI} was defined by {@code loader}, or a fresh single-rank job when there is none. */
    public static RankContext lookup(ClassLoader loader) {
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            RankContext c = BY_LOADER.get(l);
            if (c != null) {
                return c;
            }
        }
        Supplier<RankContext> p = processRank;
        return p != null ? p.get() : singleton(loader);
    }

    private static RankContext singleton(ClassLoader loader) {
        return BY_LOADER.computeIfAbsent(loader, l -> {
            ShmDevice device = new ShmDevice(1);
            Mailbox mailbox = new Mailbox();
            device.register(0, mailbox);
            JobState job = new JobState(1);
            job.bindThread(0, Thread.currentThread());
            Endpoint endpoint = new Endpoint(0, device, mailbox, job);
            return new RankContext(endpoint, "shm", 0, l, new RankAgent(endpoint, l, RankSetup.none()));
        });
    }
}
