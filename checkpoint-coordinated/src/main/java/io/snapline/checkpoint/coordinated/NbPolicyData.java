package io.snapline.checkpoint.coordinated;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.SavedMessage;
import io.snapline.runtime.determinant.DeterminantLog;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code coordinated-nb} keeps in a rank's piece besides the runtime's image: the rank's channel counters at its
 * checkpoint and when every rank had taken it, the late messages it logged, and the non-deterministic events it
 * recorded from its checkpoint until every rank had taken it, with a digest of each message it sent meanwhile.
 *
 * <pre>
 * coordinated-nb policy data, version 3 (big-endian)
 * +--------+------+------------------------------------------------------------+
 * | offset | size | field                                                      |
 * +--------+------+------------------------------------------------------------+
 * |      0 |    4 | magic "SLNB"                                               |
 * |      4 |    2 | version = 3                                                |
 * |      6 |    2 | reserved, 0                                                |
 * |      8 |    4 | epoch (the checkpoint's number)                            |
 * |     12 |    4 | n, ranks in the job                                        |
 * |     16 |   8n | sentUpTo: messages sent to each rank before the checkpoint |
 * |    ... |   8n | acceptedUpTo: highest number accepted from each rank       |
 * |    ... |   8n | sentWhenAllTook: messages sent to each rank when every     |
 * |        |      |   rank had taken the checkpoint                            |
 * |    ... |    4 | L, late messages                                           |
 * |    ... |  ... | L x late message: from i32, seq i64, context i32, tag i32, |
 * |        |      |   base u8, elements i32, payload length i32, payload       |
 * |    ... |    4 | D, length of the determinant log                           |
 * |    ... |    D | the recorded events (DeterminantLog layout, version 1)     |
 * |    ... |    4 | S, messages (not of objects) sent while recording          |
 * |    ... |  16S | S x sent message: to i32, seq i64, CRC-32C of its packed   |
 * |        |      |   payload i32                                              |
 * +--------+------+------------------------------------------------------------+
 * </pre>
 * Version 2 had no sent messages (read: its re-executed sends are not checked). Version 1 (written before events
 * were recorded) began directly with the epoch and had neither the counters when all took the checkpoint nor the
 * events; it is refused, since a restart from it could not replay the rank's choices.
 *
 * @param late the logged late messages, in the order of {@code lateSeqs} (same length)
 * @param sent the messages sent while the events were recorded, or null for version 2 data (nothing recorded)
 */
record NbPolicyData(int epoch, long[] sentUpTo, long[] acceptedUpTo, long[] sentWhenAllTook, long[] lateSeqs,
        List<SavedMessage> late, DeterminantLog determinants, SentDigests sent) {
    static final int MAGIC = 0x534C4E42; // "SLNB"
    static final short VERSION = 3;

    NbPolicyData {
        late = List.copyOf(late);
        if (lateSeqs.length != late.size()) {
            throw new IllegalArgumentException(lateSeqs.length + " late sequence numbers for " + late.size()
                    + " late messages");
        }
    }

    int ranks() {
        return sentUpTo.length;
    }

    byte[] encode() {
        int n = ranks();
        byte[] log = determinants.encode();
        long size = 16L + 24L * n + 4 + 4 + log.length + 4 + 16L * sent.size();
        for (SavedMessage s : late) {
            size += 29 + s.payload().length;
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size));
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putInt(epoch).putInt(n);
        for (long[] counters : List.of(sentUpTo, acceptedUpTo, sentWhenAllTook)) {
            for (long c : counters) {
                b.putLong(c);
            }
        }
        b.putInt(late.size());
        for (int k = 0; k < late.size(); k++) {
            SavedMessage s = late.get(k);
            b.putInt(s.source()).putLong(lateSeqs[k]).putInt(s.context()).putInt(s.tag()).put((byte) s.type())
                    .putInt(s.elements()).putInt(s.payload().length).put(s.payload());
        }
        b.putInt(log.length).put(log);
        b.putInt(sent.size());
        for (int k = 0; k < sent.size(); k++) {
            b.putInt(sent.to(k)).putLong(sent.seq(k)).putInt(sent.crc(k));
        }
        return b.array();
    }

    /**
     * Reads the policy data of {@code where} (e.g. "checkpoint 7 of rank 2").
     *
     * @throws CheckpointException naming {@code where} and what to do when the bytes are not version 2 or 3 data
     */
    static NbPolicyData decode(byte[] bytes, String where) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            if (bytes.length < 8 || b.getInt() != MAGIC) {
                throw new CheckpointException(where + " holds no coordinated-nb data of version 2 or later (it was"
                        + " written by an older Snapline, which did not record the rank's non-deterministic events,"
                        + " or by another policy); resume it with the Snapline and the policy that wrote it, or start"
                        + " the job afresh");
            }
            short version = b.getShort();
            if (version != VERSION && version != 2) {
                throw new CheckpointException(where + " has coordinated-nb data version " + version + "; this build"
                        + " reads versions 2 and " + VERSION);
            }
            b.getShort();
            int epoch = b.getInt();
            int n = b.getInt();
            long[][] counters = new long[3][n];
            for (long[] c : counters) {
                for (int i = 0; i < n; i++) {
                    c[i] = b.getLong();
                }
            }
            int count = b.getInt();
            long[] seqs = new long[Math.max(count, 0)];
            List<SavedMessage> late = new ArrayList<>(seqs.length);
            for (int k = 0; k < count; k++) {
                int from = b.getInt();
                seqs[k] = b.getLong();
                int context = b.getInt();
                int tag = b.getInt();
                int base = b.get();
                int elements = b.getInt();
                byte[] payload = new byte[b.getInt()];
                b.get(payload);
                if (!SavedMessage.isKnownType(base)) {
                    throw new CheckpointException(where + " holds a late message of unknown element type " + base);
                }
                late.add(new SavedMessage(from, context, tag, base, elements, payload));
            }
            byte[] log = new byte[b.getInt()];
            b.get(log);
            SentDigests sent = null;
            if (version == VERSION) {
                int s = b.getInt();
                if (s < 0 || s > b.remaining() / 16) {
                    throw new BufferUnderflowException();
                }
                sent = new SentDigests();
                for (int k = 0; k < s; k++) {
                    sent.add(b.getInt(), b.getLong(), b.getInt());
                }
            }
            if (b.hasRemaining()) {
                throw new CheckpointException(where + " has " + b.remaining() + " unexpected bytes after its"
                        + " coordinated-nb data");
            }
            DeterminantLog determinants;
            try {
                determinants = DeterminantLog.decode(log, where);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(e.getMessage(), e);
            }
            return new NbPolicyData(epoch, counters[0], counters[1], counters[2], seqs, late, determinants, sent);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new CheckpointException(where + " ends inside its coordinated-nb data: the piece is truncated", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NbPolicyData d && d.epoch == epoch && Arrays.equals(d.sentUpTo, sentUpTo)
                && Arrays.equals(d.acceptedUpTo, acceptedUpTo) && Arrays.equals(d.sentWhenAllTook, sentWhenAllTook)
                && Arrays.equals(d.lateSeqs, lateSeqs) && d.late.equals(late)
                && d.determinants.equals(determinants) && java.util.Objects.equals(d.sent, sent);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {epoch, Arrays.hashCode(sentUpTo), Arrays.hashCode(acceptedUpTo),
            Arrays.hashCode(sentWhenAllTook), Arrays.hashCode(lateSeqs), late.size(), determinants.hashCode(),
            java.util.Objects.hashCode(sent)});
    }

    @Override
    public String toString() {
        return "NbPolicyData[epoch=" + epoch + ", sentUpTo=" + Arrays.toString(sentUpTo) + ", acceptedUpTo="
                + Arrays.toString(acceptedUpTo) + ", sentWhenAllTook=" + Arrays.toString(sentWhenAllTook)
                + ", lateSeqs=" + Arrays.toString(lateSeqs) + ", determinants=" + determinants.events().size()
                + " events, sent=" + (sent == null ? "not recorded" : sent.size() + " digests") + "]";
    }
}
