package io.snapline.runtime.checkpoint;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.store.FixedCuts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank's part of a global checkpoint: the program's state and the communication state needed to continue
 * exactly where the checkpoint was taken. It is the payload of the rank's piece in the store (the store adds its
 * own header and checksum, see {@code CheckpointFormatDescriptor}).
 *
 * <pre>
 * rank image, version 1 (big-endian)
 * +--------+------+------------------------------------------------------------+
 * | offset | size | field                                                      |
 * +--------+------+------------------------------------------------------------+
 * |      0 |    4 | magic "SLRI"                                               |
 * |      4 |    2 | version = 1                                                |
 * |      6 |    2 | reserved, 0                                                |
 * |      8 |    4 | rank                                                       |
 * |     12 |    4 | ranks in the job                                           |
 * |     16 |    8 | checkpoint id                                              |
 * |     24 |    8 | safe point number the checkpoint was taken at              |
 * |     32 |    4 | next free communicator context (for diagnostics: contexts  |
 * |        |      |   come back by re-creating communicators in setup code)    |
 * |     36 |    4 | attached buffer capacity in bytes (0: none attached)       |
 * |     40 |    4 | M, messages accepted by the runtime but not yet received   |
 * |     44 |  ... | M x message: source i32, context i32, tag i32, base u8,    |
 * |        |      |   elements i32, payload length i32, payload (packed form,  |
 * |        |      |   little-endian; encoded objects for OBJECT)               |
 * |    ... |    4 | P, length of the policy's data                             |
 * |    ... |    P | policy data (e.g. the late messages a non-blocking          |
 * |        |      |   checkpoint logged; empty for the blocking policy)        |
 * |    ... |    4 | D, length of the dependency record                         |
 * |    ... |    D | the record of the interval this checkpoint ends (messages  |
 * |        |      |   sent and received, with the senders' intervals; see      |
 * |        |      |   DependencyRecord), empty without tracking                |
 * |    ... |    4 | L, length of the program state                             |
 * |    ... |    L | program state: the named state objects as one Kryo graph   |
 * |        |      |   (a map from name to object, in registration order),      |
 * |        |      |   written with Kryo's unsafe streams (native byte order:   |
 * |        |      |   primitive arrays are bulk copies)                        |
 * +--------+------+------------------------------------------------------------+
 * </pre>
 */
public record RankImage(int rank, int ranks, long id, long point, int nextContext, int bsendCapacity,
        List<SavedMessage> unmatched, byte[] policyData, byte[] dependencies, ByteBuffer state, FixedCuts arrays) {
    static final int MAGIC = 0x534C5249; // "SLRI"
    static final short VERSION = 1;
    /** The version of an image whose program state is compressed (see {@link #encodeParts(Compression)}). */
    static final short COMPRESSED_VERSION = 2;
    /** In the flags after the version: the program state is compressed. */
    private static final short STATE_COMPRESSED = 1;
    private static final int HEADER = 44;
    private static final int MESSAGE_HEADER = 21;

    /**
     * {@code state} holds the encoded program state between its position and limit; a captured image's state is a view
     * of the rank's encoding buffer, valid until the rank captures again. {@code arrays} says where in {@code state}
     * the bytes of large primitive arrays lie (offsets from its position), for an incremental store to cut at fixed
     * offsets; it is not part of the image's bytes ({@link FixedCuts#NONE} for a decoded image).
     */
    public RankImage {
        unmatched = List.copyOf(unmatched);
        state = state.slice();
        java.util.Objects.requireNonNull(arrays, "arrays");
    }

    /** An image with no stretch of large primitive arrays marked in its state. */
    public RankImage(int rank, int ranks, long id, long point, int nextContext, int bsendCapacity,
            List<SavedMessage> unmatched, byte[] policyData, byte[] dependencies, ByteBuffer state) {
        this(rank, ranks, id, point, nextContext, bsendCapacity, unmatched, policyData, dependencies, state,
                FixedCuts.NONE);
    }

    /** This image with {@code data} as the policy's section. */
    public RankImage withPolicyData(byte[] data) {
        return new RankImage(rank, ranks, id, point, nextContext, bsendCapacity, unmatched, data, dependencies, state,
                arrays);
    }

    /**
     * Where the bytes of large primitive arrays lie in {@code parts}, the image as {@link #encodeParts(Compression)}
     * gave it: none when the state was compressed (its bytes are no longer the arrays').
     */
    public FixedCuts arraysIn(ByteBuffer[] parts, Compression compression) {
        return compression == Compression.NONE ? arrays.shift(parts[0].remaining()) : FixedCuts.NONE;
    }

    /** The image as bytes, in the layout above. */
    public byte[] encode() {
        ByteBuffer[] parts = encodeParts();
        byte[] all = new byte[parts[0].remaining() + parts[1].remaining()];
        parts[0].get(all, 0, parts[0].remaining());
        parts[1].get(all, all.length - parts[1].remaining(), parts[1].remaining());
        return all;
    }

    /**
     * The image as two consecutive parts — everything before the program state, then the state itself (not copied)
     * — for a store to write without joining them.
     */
    public ByteBuffer[] encodeParts() {
        return encodeParts(Compression.NONE);
    }

    /**
     * {@link #encodeParts()} with the program state compressed by {@code compression} (the rest of the image stays as
     * it is, so that a planner reads its head without decompressing anything); such an image is of version
     * {@link #COMPRESSED_VERSION}, which {@link #decode} reads back.
     */
    public ByteBuffer[] encodeParts(Compression compression) {
        ByteBuffer state = compression == Compression.NONE ? this.state : compression.compress(this.state);
        long size = HEADER + 12L + policyData.length + dependencies.length + state.remaining();
        long prefix = HEADER + 12L + policyData.length + dependencies.length;
        for (SavedMessage m : unmatched) {
            size += MESSAGE_HEADER + m.payload().length;
            prefix += MESSAGE_HEADER + m.payload().length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new CheckpointException("the checkpoint of rank " + rank + " would be " + size + " bytes; a rank's "
                    + "image is limited to 2 GiB in this version");
        }
        ByteBuffer b = ByteBuffer.allocate((int) prefix);
        b.putInt(MAGIC).putShort(compression == Compression.NONE ? VERSION : COMPRESSED_VERSION)
                .putShort((short) (compression == Compression.NONE ? 0 : STATE_COMPRESSED)).putInt(rank).putInt(ranks).putLong(id).putLong(point)
                .putInt(nextContext).putInt(bsendCapacity).putInt(unmatched.size());
        for (SavedMessage m : unmatched) {
            b.putInt(m.source()).putInt(m.context()).putInt(m.tag()).put((byte) m.type())
                    .putInt(m.elements()).putInt(m.payload().length).put(m.payload());
        }
        b.putInt(policyData.length).put(policyData);
        b.putInt(dependencies.length).put(dependencies);
        b.putInt(state.remaining());
        return new ByteBuffer[] {b.flip(), state.duplicate()};
    }

    /**
     * The fields of an image that describe it, without the saved messages, the policy data or the program state:
     * what a recovery planner reads.
     */
    public record Head(int rank, int ranks, long id, long point, byte[] dependencies) {
    }

    /**
     * Reads the {@link Head} of an image from its first bytes, without looking at the program state.
     *
     * @param prefix the image's first bytes
     * @param whole  whether {@code prefix} is the whole image (then a short one is truncated)
     * @return the head, or null when {@code prefix} is not whole and ends before the dependency record does (read more
     *     and call again)
     * @throws CheckpointException if the bytes are not a rank image of a version this build reads, or are truncated
     */
    public static Head head(byte[] prefix, boolean whole, String where) {
        if (!whole && prefix.length < HEADER) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(prefix);
        try {
            Fixed f = Fixed.read(b, where);
            b.position(HEADER - 4);
            int m = b.getInt();
            for (int i = 0; i < m; i++) {
                b.position(b.position() + MESSAGE_HEADER - 4);
                skip(b, b.getInt());
            }
            skip(b, b.getInt());
            byte[] dependencies = new byte[b.getInt()];
            b.get(dependencies);
            if (whole && (b.remaining() < 4 || b.getInt() != b.remaining())) {
                throw new CheckpointException(where + " ends early: the rank image is truncated");
            }
            return new Head(f.rank(), f.ranks(), f.id(), f.point(), dependencies);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            if (!whole) {
                return null;
            }
            throw new CheckpointException(where + " ends early: the rank image is truncated", e);
        }
    }

    /** The fields every image starts with, after its magic and version. */
    private record Fixed(int rank, int ranks, long id, long point, boolean compressed) {
        /** Reads them from the start of {@code b}, which is left at the next free context. */
        static Fixed read(ByteBuffer b, String where) {
            if (b.remaining() < HEADER || b.getInt() != MAGIC) {
                throw new CheckpointException(where + " is not a Snapline rank image");
            }
            short version = b.getShort();
            if (version != VERSION && version != COMPRESSED_VERSION) {
                throw new CheckpointException(where + " has rank image version " + version + "; this build reads "
                        + "versions " + VERSION + " and " + COMPRESSED_VERSION);
            }
            boolean compressed = (b.getShort() & STATE_COMPRESSED) != 0;
            if (compressed != (version == COMPRESSED_VERSION)) {
                throw new CheckpointException(where + " is damaged: rank image version " + version + " with the state "
                        + (compressed ? "" : "not ") + "marked compressed");
            }
            return new Fixed(b.getInt(), b.getInt(), b.getLong(), b.getLong(), compressed);
        }
    }

    private static void skip(ByteBuffer b, int length) {
        if (length < 0) {
            throw new NegativeArraySizeException();
        }
        b.position(b.position() + length);
    }

    /**
     * Reads an image written by {@link #encode()}.
     *
     * @throws CheckpointException if the bytes are not a rank image of a version this build reads
     */
    public static RankImage decode(byte[] bytes, String where) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            Fixed f = Fixed.read(b, where);
            int nextContext = b.getInt();
            int bsend = b.getInt();
            int m = b.getInt();
            List<SavedMessage> unmatched = new ArrayList<>(Math.min(m, 1 << 16));
            for (int i = 0; i < m; i++) {
                int source = b.getInt();
                int context = b.getInt();
                int tag = b.getInt();
                int base = b.get();
                int elements = b.getInt();
                byte[] payload = new byte[b.getInt()];
                b.get(payload);
                if (!SavedMessage.isKnownType(base)) {
                    throw new CheckpointException(where + " holds a message of unknown element type " + base);
                }
                unmatched.add(new SavedMessage(source, context, tag, base, elements, payload));
            }
            byte[] policyData = new byte[b.getInt()];
            b.get(policyData);
            byte[] dependencies = new byte[b.getInt()];
            b.get(dependencies);
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw new CheckpointException(where + " ends early: the rank image is truncated");
            }
            ByteBuffer state = b.slice().limit(length);
            b.position(b.position() + length);
            if (f.compressed()) {
                state = Compression.decompress(state, where + " (its program state)");
            }
            if (b.hasRemaining()) {
                throw new CheckpointException(where + " has " + b.remaining() + " unexpected trailing bytes");
            }
            return new RankImage(f.rank(), f.ranks(), f.id(), f.point(), nextContext, bsend, unmatched, policyData,
                    dependencies, state);
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new CheckpointException(where + " ends early: the rank image is truncated", e);
        }
    }
}
