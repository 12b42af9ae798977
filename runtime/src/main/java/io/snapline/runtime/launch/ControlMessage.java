package io.snapline.runtime.launch;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The messages of the {@code -dev tcp} control channel between {@code snaprun} and each rank process. Their wire form
 * is described in {@link ControlChannel}; each type has a permanent id ({@link #type()}), never to be reassigned.
 *
 * <p>Rank to launcher: {@link Hello} (first, once), {@link Finished}, {@link Failed}, {@link Abort},
 * {@link Heartbeat}. Launcher to rank: {@link Table} (once every rank has said hello), {@link PeerDied},
 * {@link Stop}, {@link Heartbeat}.
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
}
