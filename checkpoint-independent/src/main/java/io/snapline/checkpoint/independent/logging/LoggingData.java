package io.snapline.checkpoint.independent.logging;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.SavedMessage;
import io.snapline.runtime.determinant.Determinant;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.determinant.Determinants;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a local checkpoint of {@code --logging pessimistic} adds to the rank's image: how many messages the rank had
 * sent on each channel ({@code sentTo}) and accepted from each ({@code acceptedFrom}, the unreceived ones saved in
 * the image), where its event stream stood ({@code mark}), its sender log, and its setup: what it had accepted from
 * each rank when its setup code ended ({@code setupAccepted}), those messages themselves in the order they came
 * ({@code setup}), and why its setup cannot be repeated alone ({@code setupRefusal}, empty when it can: its setup
 * code made no non-deterministic call). A rank restarted alone runs its setup code again against {@code setup}, since
 * its senders do not send those messages again.
 *
 * <p>Encoded as: magic "SLLE" i32, ranks i32, sentTo i64 x ranks, acceptedFrom i64 x ranks, position i64, open idle
 * run as a {@link DeterminantLog} of 0 or 1 events (length i32, bytes), setupAccepted i64 x ranks, setupRefusal
 * (length i32, UTF-8), setup message count i32 and each as source, context, tag, type, elements, payload length (i32
 * each) and payload, the other ranks' event records it held ({@code --logging causal}, {@link HeldEvents#encode};
 * length i32 and bytes, empty otherwise), then the log ({@link SenderLog#encode}) to the end.
 */
public record LoggingData(long[] sentTo, long[] acceptedFrom, Determinants.Mark mark, long[] setupAccepted,
        String setupRefusal, List<SavedMessage> setup, byte[] held, byte[] log) {
    private static final int MAGIC = 0x534c4c46;
    /** The format before held records ({@code --logging causal}) were kept: read, with none held. */
    private static final int MAGIC_V2 = 0x534c4c45;
    /** The format before setups were kept: read, with the setup unknown. */
    private static final int MAGIC_V1 = 0x534c4c44;

    public byte[] encode() {
        int n = sentTo.length;
        byte[] open = new DeterminantLog(mark.open() == null ? List.of() : List.of(mark.open())).encode();
        byte[] refusal = setupRefusal.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long setupBytes = 0;
        for (SavedMessage m : setup) {
            setupBytes += 24 + m.payload().length;
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(8 + 16L * n + 8 + 4 + open.length + 8L * n + 4
                + refusal.length + 4 + setupBytes + 4 + held.length + log.length));
        b.putInt(MAGIC).putInt(n);
        LoggingMessage.putLongs(b, sentTo);
        LoggingMessage.putLongs(b, acceptedFrom);
        b.putLong(mark.position()).putInt(open.length).put(open);
        LoggingMessage.putLongs(b, setupAccepted);
        b.putInt(refusal.length).put(refusal).putInt(setup.size());
        for (SavedMessage m : setup) {
            b.putInt(m.source()).putInt(m.context()).putInt(m.tag()).putInt(m.type()).putInt(m.elements())
                    .putInt(m.payload().length).put(m.payload());
        }
        b.putInt(held.length).put(held);
        return b.put(log).array();
    }

    /** @throws CheckpointException naming {@code where} when the bytes are not such data for {@code ranks} ranks */
    public static LoggingData decode(byte[] bytes, int ranks, String where) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int magic = b.getInt();
            if (magic != MAGIC && magic != MAGIC_V2 && magic != MAGIC_V1) {
                throw new CheckpointException(where + " was not taken with message logging (no message-logging data in "
                        + "it)");
            }
            int n = b.getInt();
            if (n != ranks) {
                throw new CheckpointException(where + " was taken with " + n + " ranks, not " + ranks);
            }
            long[] sent = LoggingMessage.getLongs(b, n);
            long[] accepted = LoggingMessage.getLongs(b, n);
            long position = b.getLong();
            byte[] open = new byte[b.getInt()];
            b.get(open);
            List<Determinant> idle = DeterminantLog.decode(open, where).events();
            if (idle.size() > 1 || idle.size() == 1 && !(idle.get(0) instanceof Determinant.Idle)) {
                throw new CheckpointException(where + " is damaged: its open idle run is " + idle);
            }
            long[] setupAccepted = new long[n];
            String refusal = "it was taken by an earlier build, which did not keep the setup";
            List<SavedMessage> setup = new ArrayList<>();
            if (magic != MAGIC_V1) {
                setupAccepted = LoggingMessage.getLongs(b, n);
                byte[] r = new byte[b.getInt()];
                b.get(r);
                refusal = new String(r, java.nio.charset.StandardCharsets.UTF_8);
                int count = b.getInt();
                for (int k = 0; k < count; k++) {
                    int source = b.getInt();
                    int context = b.getInt();
                    int tag = b.getInt();
                    int type = b.getInt();
                    int elements = b.getInt();
                    byte[] payload = new byte[b.getInt()];
                    b.get(payload);
                    setup.add(new SavedMessage(source, context, tag, type, elements, payload));
                }
            }
            byte[] held = new byte[0];
            if (magic == MAGIC) {
                held = new byte[b.getInt()];
                b.get(held);
            }
            byte[] log = new byte[b.remaining()];
            b.get(log);
            return new LoggingData(sent, accepted,
                    new Determinants.Mark(position, idle.isEmpty() ? null : (Determinant.Idle) idle.get(0)),
                    setupAccepted, refusal, List.copyOf(setup), held, log);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new CheckpointException(where + " holds damaged message-logging data: " + e.getMessage(), e);
        }
    }
}
