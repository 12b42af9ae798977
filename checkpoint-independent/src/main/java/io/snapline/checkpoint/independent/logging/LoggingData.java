package io.snapline.checkpoint.independent.logging;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.determinant.Determinant;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.determinant.Determinants;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a local checkpoint of {@code --logging pessimistic} adds to the rank's image: how many messages the rank had
 * sent on each channel ({@code sentTo}) and accepted from each ({@code acceptedFrom}, the unreceived ones saved in
 * the image), where its event stream stood ({@code mark}), and its sender log. Encoded as: magic "SLLD" i32,
 * ranks i32, sentTo i64 x ranks, acceptedFrom i64 x ranks, position i64, open idle run as a {@link DeterminantLog}
 * of 0 or 1 events (length i32, bytes), the log ({@link SenderLog#encode}).
 */
public record LoggingData(long[] sentTo, long[] acceptedFrom, Determinants.Mark mark, byte[] log) {
    private static final int MAGIC = 0x534c4c44;

    public byte[] encode() {
        int n = sentTo.length;
        byte[] open = new DeterminantLog(mark.open() == null ? List.of() : List.of(mark.open())).encode();
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * n + 8 + 4 + open.length + log.length);
        b.putInt(MAGIC).putInt(n);
        for (long v : sentTo) {
            b.putLong(v);
        }
        for (long v : acceptedFrom) {
            b.putLong(v);
        }
        return b.putLong(mark.position()).putInt(open.length).put(open).put(log).array();
    }

    /** @throws CheckpointException naming {@code where} when the bytes are not such data for {@code ranks} ranks */
    public static LoggingData decode(byte[] bytes, int ranks, String where) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt() != MAGIC) {
                throw new CheckpointException(where + " was not taken with --logging pessimistic (no message-logging "
                        + "data in it)");
            }
            int n = b.getInt();
            if (n != ranks) {
                throw new CheckpointException(where + " was taken with " + n + " ranks, not " + ranks);
            }
            long[] sent = new long[n];
            long[] accepted = new long[n];
            for (int k = 0; k < n; k++) {
                sent[k] = b.getLong();
            }
            for (int k = 0; k < n; k++) {
                accepted[k] = b.getLong();
            }
            long position = b.getLong();
            byte[] open = new byte[b.getInt()];
            b.get(open);
            List<Determinant> idle = DeterminantLog.decode(open, where).events();
            if (idle.size() > 1 || idle.size() == 1 && !(idle.get(0) instanceof Determinant.Idle)) {
                throw new CheckpointException(where + " is damaged: its open idle run is " + idle);
            }
            byte[] log = new byte[b.remaining()];
            b.get(log);
            return new LoggingData(sent, accepted,
                    new Determinants.Mark(position, idle.isEmpty() ? null : (Determinant.Idle) idle.get(0)), log);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new CheckpointException(where + " holds damaged message-logging data: " + e.getMessage(), e);
        }
    }
}
