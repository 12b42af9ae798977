package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The messages of the {@code -dev tcp} control channel between {@code snaprun} and each rank process. Their wire form
 * is described in {@link ControlChannel}; each type has a permanent id ({@link #type()}), never to be reassigned.
 *
 * <p>Rank to launcher: {@link Hello} (first, once), {@link Finished}, {@link Failed}, {@link Crashed}, {@link Abort},
 * {@link Heartbeat} or {@link Progress} (its heartbeat once the data plane is open); for checkpointing {@link Policy},
 * {@link Restored}, {@link Finalizing}, {@link KillRequest}, {@link Ready}, {@link CannotRestartAlone},
 * {@link PieceWritten}, {@link CheckpointDeferred}, with host copies {@link ReplicaWritten}, {@link PieceRead} and
 * {@link ReplicaFailed}, and,
 * where ranks restart alone, {@link Leaving}; where they do not, {@link PeerUnreachable}.
 * Launcher to rank: {@link CheckpointSetup} (once, right after the rank's hello), {@link Table} (once every rank has
 * said hello), {@link PeerDied}, {@link Stop}, {@link Heartbeat}, {@link Policy}, {@link Leave}.
 */
public sealed interface ControlMessage {
    byte HELLO = 1;
    byte TABLE = 2;
    byte HEARTBEAT = 3;
    byte FINISHED = 4;
    byte FAILED = 5;
    byte ABORT = 6;
    byte PEER_DIED = 7;
    byte STOP = 8;
    byte CHECKPOINT_SETUP = 9;
    byte POLICY = 10;
    byte RESTORED = 11;
    byte FINALIZING = 12;
    byte KILL_REQUEST = 13;
    byte CRASHED = 14;
    byte PROGRESS = 15;
    byte OUTPUT_MARK = 16;
    byte READY = 17;
    byte CANNOT_RESTART_ALONE = 18;
    byte LEAVING = 19;
    byte LEAVE = 20;
    byte PIECE_WRITTEN = 21;
    byte CHECKPOINT_DEFERRED = 22;
    byte REPLICA_WRITTEN = 23;
    byte PIECE_READ = 24;
    byte REPLICA_FAILED = 25;
    byte PEER_UNREACHABLE = 26;

    /** The permanent wire id of this message type. */
    byte type();

    /**
     * A rank introduces itself: the job's token, its rank and the address its data plane listens on.
     * {@code token} is compared in constant time by the launcher and never logged.
     */
    record Hello(byte[] token, int rank, InetSocketAddress dataAddress) implements ControlMessage {
        @Override
        public byte type() {
            return HELLO;
        }

        @Override
        public String toString() {
            return "Hello[rank=" + rank + ", dataAddress=" + dataAddress + "]";
        }
    }

    /** Every rank's data-plane address, indexed by rank; sent to each rank once all of them have said hello. */
    record Table(List<InetSocketAddress> addresses) implements ControlMessage {
        public Table {
            addresses = List.copyOf(addresses);
        }

        @Override
        public byte type() {
            return TABLE;
        }
    }

    /** Liveness: sent periodically in both directions; any message counts as a sign of life. */
    record Heartbeat() implements ControlMessage {
        @Override
        public byte type() {
            return HEARTBEAT;
        }
    }

    /**
     * A rank's heartbeat once its data plane is open, for the launcher's deadlock detection: {@code blockedEpoch}
     * counts the rank's waits inside the runtime and is 0 while the rank is not waiting, {@code waiting} says what it
     * waits for (empty when running), and {@code bytesRead} counts the bytes its data plane has read, so that waits
     * unchanged while data still moves are not taken for a deadlock.
     */
    record Progress(long blockedEpoch, long bytesRead, String waiting) implements ControlMessage {
        @Override
        public byte type() {
            return PROGRESS;
        }
    }

    /** The rank's {@code main} returned; the process exits with status 0 next. */
    record Finished() implements ControlMessage {
        @Override
        public byte type() {
            return FINISHED;
        }
    }

    /** The rank's {@code main} ended with an uncaught exception; {@code report} names the rank and has its trace. */
    record Failed(String report) implements ControlMessage {
        @Override
        public byte type() {
            return FAILED;
        }
    }

    /** The rank called {@code Abort(code)}: the job is to end with {@code code}. */
    record Abort(int code, String reason) implements ControlMessage {
        @Override
        public byte type() {
            return ABORT;
        }
    }

    /** The launcher tells a survivor that {@code rank} died, so operations pending on it can fail. */
    record PeerDied(int rank, String reason) implements ControlMessage {
        @Override
        public byte type() {
            return PEER_DIED;
        }
    }

    /** The job was aborted elsewhere: the rank is to stop (waits end, the process exits). */
    record Stop(String reason) implements ControlMessage {
        @Override
        public byte type() {
            return STOP;
        }
    }

    /**
     * What the rank is told about checkpointing before its program starts (it precedes the {@link Table}).
     *
     * @param settings           the policy's name (the rank loads it from its own class path) and settings
     * @param storeDirectory     where the rank writes its pieces: an absolute directory, or a store in the cluster
     *                           ({@code hazelcast://NAME}, opened through the rank's agent); null for a policy
     *                           without a store
     * @param fingerprint        the job's fingerprint, which the rank's pieces record (null without a store)
     * @param firstCheckpointId  the id the attempt's first global checkpoint takes
     * @param restoreFrom        the checkpoint this rank restores, or null to start fresh
     * @param killAtPoint        failure injection: the safe point to die at (0: never)
     * @param killDuringWriteOf  failure injection: the checkpoint to die while writing (0: never)
     * @param incarnation        0 for a rank started with its attempt; n for the n-th process of a rank restarted
     *                           alone while the others run on
     * @param restartsAlone      whether a rank that dies restarts alone while the others run on (the policy's
     *                           choice): its peers then keep their data-plane listeners open for its new process
     */
    record CheckpointSetup(PolicySettings settings, String storeDirectory, JobFingerprint fingerprint,
            long firstCheckpointId, RestoreFrom restoreFrom, long killAtPoint, long killDuringWriteOf,
            int incarnation, boolean restartsAlone) implements ControlMessage {
        @Override
        public byte type() {
            return CHECKPOINT_SETUP;
        }
    }

    /**
     * The rank is past everything collective its start involves (its policy's start, and its restore): should it die
     * from now on, it can restart alone without leaving the others waiting for it there.
     */
    record Ready() implements ControlMessage {
        @Override
        public byte type() {
            return READY;
        }
    }

    /**
     * The rank has passed {@code MPI.Finalize}'s final barrier and waits for {@link Leave} (sent only where ranks
     * restart alone).
     */
    record Leaving() implements ControlMessage {
        @Override
        public byte type() {
            return LEAVING;
        }
    }

    /** Launcher to every rank: all have passed the final barrier; each may leave the job. */
    record Leave() implements ControlMessage {
        @Override
        public byte type() {
            return LEAVE;
        }
    }

    /** The rank wrote its piece of a checkpoint, and what that cost (for the run report). */
    record PieceWritten(io.snapline.runtime.checkpoint.PieceWritten written) implements ControlMessage {
        @Override
        public byte type() {
            return PIECE_WRITTEN;
        }
    }

    /** Under {@code --async}: a checkpoint fell due while the previous one was being written (for the run report). */
    record CheckpointDeferred(io.snapline.runtime.checkpoint.CheckpointDeferred deferred) implements ControlMessage {
        @Override
        public byte type() {
            return CHECKPOINT_DEFERRED;
        }
    }

    /**
     * With host copies ({@code local+hazelcast://}): the rank's piece of checkpoint {@code id}, written on its host
     * first, is now in the replica too, {@code size} bytes stored with payload CRC32C {@code crc32c}; the checkpoint
     * commits once every rank said so of the very piece its manifest names (the same size and CRC32C).
     */
    record ReplicaWritten(long id, long size, int crc32c) implements ControlMessage {
        @Override
        public byte type() {
            return REPLICA_WRITTEN;
        }
    }

    /**
     * With host copies: the rank restored its piece of checkpoint {@code id} from its host's copy ({@code fastFailure}
     * empty) or from the replica, because its host's copy could not be read as {@code fastFailure} says.
     */
    record PieceRead(long id, String fastFailure) implements ControlMessage {
        @Override
        public byte type() {
            return PIECE_READ;
        }
    }

    /**
     * With host copies: a write of the rank's to the replica failed as {@code why} says, and its process writes
     * nothing more there, so no checkpoint commits in this attempt any more.
     */
    record ReplicaFailed(String why) implements ControlMessage {
        @Override
        public byte type() {
            return REPLICA_FAILED;
        }
    }

    /** Should this rank die, it cannot restart alone, and why: the whole job restarts instead. */
    record CannotRestartAlone(String why) implements ControlMessage {
        @Override
        public byte type() {
            return CANNOT_RESTART_ALONE;
        }
    }

    /**
     * A checkpoint policy's own message, opaque to the launcher: from a rank's policy to the attempt's coordinator, or
     * from the coordinator to one rank's policy.
     */
    record Policy(byte[] message) implements ControlMessage {
        @Override
        public byte type() {
            return POLICY;
        }

        @Override
        public String toString() {
            return "Policy[" + message.length + " bytes]";
        }
    }

    /** The rank restored checkpoint {@code id}, taken at safe point {@code point}, in {@code nanos}. */
    record Restored(long id, long point, long nanos) implements ControlMessage {
        @Override
        public byte type() {
            return RESTORED;
        }
    }

    /**
     * Where the rank is in its stdout: it had written {@code bytes} bytes in this attempt when it captured its state
     * for checkpoint {@code id} (a global id or its local checkpoint number), or, with {@code id} = {@link #RESUMED},
     * when its restarted program took its states back. Sent after flushing stdout, so the bytes are in the pipe.
     */
    record OutputMark(long id, long bytes) implements ControlMessage {
        /** The {@code id} of a mark that says the restarted program took its states back. */
        static final long RESUMED = -1;

        @Override
        public byte type() {
            return OUTPUT_MARK;
        }
    }

    /**
     * The rank called {@code MPI.Finalize}: no safe point follows (sent before Finalize's barrier, so the coordinator
     * stops starting checkpoints the rank could never join). {@link Finished} follows when {@code main} returns.
     */
    record Finalizing() implements ControlMessage {
        @Override
        public byte type() {
            return FINALIZING;
        }
    }

    /**
     * Failure injection: the rank reached the safe point it is to die at ({@code atSafePoint}) or began writing the
     * checkpoint it is to die during, and asks to be killed (SIGKILL) now; it sends nothing after this.
     */
    record KillRequest(boolean atSafePoint, String reason) implements ControlMessage {
        @Override
        public byte type() {
            return KILL_REQUEST;
        }
    }

    /**
     * The rank's {@code main} ended with an uncaught {@link Error} (out of memory, stack overflow, ...): like the
     * death of its process, a fault a restart may cure, unlike the bug an exception reports ({@link Failed}).
     * {@code report} names the rank and has its trace.
     */
    record Crashed(String report) implements ControlMessage {
        @Override
        public byte type() {
            return CRASHED;
        }
    }

    /**
     * This rank's connection to {@code rank} broke without the goodbye a rank says when it ends (its process died, or
     * the network between them failed): direct evidence that {@code rank} is gone for the job, which the launcher may
     * not see itself (a process on a hung host looks alive). Sent before the operations with {@code rank} fail, so
     * that the death comes before the failure it causes. Not sent by ranks that restart alone (a lost peer comes
     * back there).
     */
    record PeerUnreachable(int rank, String reason) implements ControlMessage {
        @Override
        public byte type() {
            return PEER_UNREACHABLE;
        }
    }
}
