package io.snapline.checkpoint.independent;

import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.IntervalChooser;
import java.nio.ByteBuffer;

/**
 * What a rank tells the coordinator after committing a local checkpoint: its number, safe point, size, how long it
 * held the program back, and the dependency record of the interval it ended (for the coordinator's garbage
 * collection). Encoded as: type u8 (1), index i64, point i64, bytes i64, blocked-nanos i64, record-length i32, record.
 */
record LocalReport(long index, long point, long bytes, long blockedNanos, byte[] record) {
    static final byte TYPE = 1;
    /** Coordinator to rank: another rank died; checkpoint at the next safe point and wait there. */
    static final byte STOP = 2;
    /** Rank to coordinator: stopped at safe point (i64) with local checkpoint (i64; 0: none). */
    static final byte STOPPED = 3;
    /** Rank to coordinator: {@code --interval auto} put a new interval in force ({@link IntervalChooser.Choice}). */
    static final byte INTERVAL = 4;

    static byte[] interval(IntervalChooser.Choice choice) {
        byte[] c = choice.encode();
        return ByteBuffer.allocate(1 + c.length).put(INTERVAL).put(c).array();
    }

    /**
     * If {@code message} is an {@link #INTERVAL} report of {@code rank}, hands it to the supervisor (progress line and
     * run report); returns whether it was one. (Both coordinators of {@code independent}.)
     */
    static boolean tookInterval(int rank, byte[] message, CoordinatorServices services) {
        if (message.length == 0 || message[0] != INTERVAL) {
            return false;
        }
        services.intervalChosen(rank, IntervalChooser.Choice.decode(ByteBuffer.wrap(message, 1, message.length - 1)));
        return true;
    }

    static byte[] stop() {
        return new byte[] {STOP};
    }

    static boolean isStop(byte[] message) {
        return message.length == 1 && message[0] == STOP;
    }

    static byte[] stopped(long point, long index) {
        return ByteBuffer.allocate(17).put(STOPPED).putLong(point).putLong(index).array();
    }

    /** The (point, index) of a {@link #STOPPED} message, or null for any other message. */
    static long[] stoppedAt(byte[] message) {
        if (message.length != 17 || message[0] != STOPPED) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(message, 1, 16);
        return new long[] {b.getLong(), b.getLong()};
    }

    /**
     * If {@code message} is a {@link #STOPPED} report of {@code rank}, logs it and tells the supervisor the rank has
     * stopped for the restart; returns whether it was one. (Both coordinators of {@code independent}.)
     */
    static boolean tookStopped(int rank, byte[] message, CoordinatorServices services) {
        long[] stopped = stoppedAt(message);
        if (stopped == null) {
            return false;
        }
        services.log("rank " + rank + " stopped at safe point " + stopped[0] + " for the restart, "
                + (stopped[1] > 0 ? "with local checkpoint " + stopped[1]
                        : "without a checkpoint (an operation with a failed rank had failed)"));
        services.stopped(rank);
        return true;
    }

    /** Rank {@code rank} died: every other rank checkpoints at its next safe point and waits there for the restart. */
    static void stopTheOthers(int rank, CoordinatorServices services) {
        services.log("rank " + rank + " died; the other ranks checkpoint at their next safe point before the restart");
        services.broadcast(stop());
    }

    byte[] encode() {
        return ByteBuffer.allocate(1 + 32 + 4 + record.length).put(TYPE).putLong(index).putLong(point).putLong(bytes)
                .putLong(blockedNanos).putInt(record.length).put(record).array();
    }

    static LocalReport decode(byte[] message) {
        ByteBuffer b = ByteBuffer.wrap(message);
        byte type = b.get();
        if (type != TYPE) {
            throw new IllegalArgumentException("not a local checkpoint report: type " + type);
        }
        long index = b.getLong();
        long point = b.getLong();
        long bytes = b.getLong();
        long blocked = b.getLong();
        byte[] record = new byte[b.getInt()];
        b.get(record);
        return new LocalReport(index, point, bytes, blocked, record);
    }
}
