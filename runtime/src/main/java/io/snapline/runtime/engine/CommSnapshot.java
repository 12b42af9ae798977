package io.snapline.runtime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The communication state a checkpoint saves and a restart puts back: messages the runtime has accepted for a
 * rank that its program has not received yet. Also the channel flush a coordinated checkpoint is built on.
 *
 * <p>Checkpoint traffic travels on {@link #CONTEXT}, a context no communicator ever gets, so it cannot match a
 * program's receive.
 */
public final class CommSnapshot {
    /** The context of checkpoint markers (communicator contexts count up from 0 and never get here). */
    public static final int CONTEXT = Integer.MAX_VALUE - 1;
    /**
     * The tag of a policy's datum on {@link #CONTEXT} ({@link Endpoint#sendDatum}): the receiving mailbox hands it to
     * its {@link ChannelHook#onDatum} as it arrives, in channel order, and keeps nothing.
     */
    public static final int DATUM_TAG = -2;
    private static final TypeMap BYTES = TypeMap.basic(BaseType.BYTE);
    private static final byte[] NOTHING = new byte[0];

    private CommSnapshot() {
    }

    /**
     * A message saved in a checkpoint: its envelope and its payload in packed form ({@link PackCodec}, little-endian;
     * for {@link BaseType#OBJECT} the encoded objects).
     */
    public record Saved(int source, int context, int tag, BaseType base, int elements, byte[] payload) {
    }

    /**
     * Sends a marker with {@code tag} to every other rank and waits for a marker with {@code tag} from each. Channels
     * are FIFO, so afterwards every message a peer sent before its marker has reached this rank's mailbox.
     */
    public static void flush(Endpoint ep, int tag) {
        int n = ep.size();
        int me = ep.rank();
        Request[] markers = new Request[n];
        for (int p = 0; p < n; p++) {
            if (p != me) {
                markers[p] = ep.irecv(NOTHING, 0, 0, BYTES, p, tag, CONTEXT, null);
            }
        }
        for (int p = 0; p < n; p++) {
            if (p != me) {
                ep.await(ep.isend(SendMode.STANDARD, NOTHING, 0, 0, BYTES, p, tag, CONTEXT, p));
            }
        }
        for (Request r : markers) {
            if (r != null) {
                ep.await(r);
            }
        }
    }

    /**
     * Sends {@code toEach[p]} to every other rank p and returns what each sent this rank ({@code result[me]} is
     * {@code toEach[me]}). Tags 0 to 15 on {@link #CONTEXT} are reserved for it ({@link #flush} uses 16 and up).
     */
    public static long[] exchange(Endpoint ep, long[] toEach, int round) {
        int n = ep.size();
        int me = ep.rank();
        long[] got = new long[n];
        TypeMap longs = TypeMap.basic(BaseType.LONG);
        Request[] in = new Request[n];
        for (int p = 0; p < n; p++) {
            if (p != me) {
                in[p] = ep.irecv(got, p, 1, longs, p, round, CONTEXT, null);
            }
        }
        for (int p = 0; p < n; p++) {
            if (p != me) {
                ep.await(ep.isend(SendMode.STANDARD, toEach, p, 1, longs, p, round, CONTEXT, p));
            }
        }
        for (Request r : in) {
            if (r != null) {
                ep.await(r);
            }
        }
        got[me] = toEach[me];
        return got;
    }

    /** The receives the program has posted that have not completed, one description each (empty if none). */
    public static List<String> pendingReceives(Endpoint ep) {
        return ep.mailbox().describePosted();
    }

    /**
     * Copies out every message accepted for {@code ep}'s rank and not received yet, in arrival order. Payloads
     * still at their senders (a rendezvous, or a process on another host) are fetched first, which completes those
     * sends; afterwards the mailbox holds private copies in the same order, so the running program sees no
     * difference. {@code atomically} runs first, under the mailbox's lock: a {@link ChannelHook} is called under that
     * lock too, so whatever it records about accepted messages matches exactly the messages taken. Returns null,
     * taking nothing, when {@code atomically} returns false.
     */
    public static List<Saved> unmatched(Endpoint ep, java.util.function.BooleanSupplier atomically) {
        List<Message> taken = ep.mailbox().takeUnexpected(CONTEXT, atomically);
        if (taken == null) {
            return null;
        }
        List<Saved> saved = new ArrayList<>(taken.size());
        List<Message> copies = new ArrayList<>(taken.size());
        for (Message m : taken) {
            Saved s = new Saved(m.source(), m.context(), m.tag(), m.base, m.elements, payloadOf(ep, m));
            saved.add(s);
            copies.add(copyOf(ep, s));
        }
        ep.mailbox().prependUnexpected(copies);
        return saved;
    }

    /**
     * Runs {@code action} under the mailbox lock (so no message is accepted meanwhile) with the source and channel
     * number of every message accepted but not yet received by the program, checkpoint traffic excepted, oldest
     * first: {@code [i][0]} source, {@code [i][1]} number. The messages stay where they are.
     */
    public static <T> T withUnreceived(Endpoint ep, java.util.function.Function<long[][], T> action) {
        return ep.mailbox().withUnexpected(CONTEXT, action);
    }

    /**
     * Drops every message accepted for {@code ep}'s rank and not received yet, checkpoint traffic excepted, as if it
     * had been received (a sender waiting for its delivery completes); returns how many.
     */
    public static int drop(Endpoint ep) {
        List<Message> taken = ep.mailbox().takeUnexpected(CONTEXT, null);
        for (Message m : taken) {
            m.delivered();
        }
        return taken.size();
    }

    /** Puts a checkpoint's unreceived messages back in front of anything that arrived since the restart. */
    public static void restore(Endpoint ep, List<Saved> saved) {
        List<Message> copies = new ArrayList<>(saved.size());
        for (Saved s : saved) {
            copies.add(copyOf(ep, s));
        }
        ep.mailbox().prependUnexpected(copies);
    }

    private static Message copyOf(Endpoint ep, Saved s) {
        return Message.arrived(s.source(), ep.rank(), s.context(), s.tag(), s.base(), s.elements(), s.payload(), null);
    }

    private static byte[] payloadOf(Endpoint ep, Message m) {
        if (m.isRemote() || !m.eager && m.sendRequest != null) {
            return pull(ep, m);
        }
        byte[] bytes = copyPayload(m);
        m.delivered();
        return bytes;
    }

    /** A private copy of a local message's payload, in packed form. */
    static byte[] copyPayload(Message m) {
        byte[] bytes = new byte[Math.toIntExact(m.payloadBytes())];
        m.writePayload(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), 0, bytes.length);
        return bytes;
    }

    /** The first {@code n} base elements of a typed buffer layout, packed. */
    static byte[] pack(Object buf, int offset, TypeMap type, int n) {
        byte[] bytes = new byte[Math.toIntExact((long) n * type.base().byteSize())];
        PackCodec.write(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), buf, offset, type, n);
        return bytes;
    }

    /** Receives a message whose payload its sender still holds into a private buffer, then packs it. */
    private static byte[] pull(Endpoint ep, Message m) {
        int n = m.elements;
        TypeMap type = TypeMap.basic(m.base);
        Object buf = m.base == BaseType.OBJECT ? new Object[n] : m.base.newArray(n);
        Request r = Request.forReceive(ep, buf, 0, n, type, m.context(), m.source(), m.tag(), null);
        r.deliver(m);
        ep.await(r);
        if (m.base == BaseType.OBJECT) {
            return n == 0 ? NOTHING : ep.codec().encode((Object[]) buf, 0, type, n);
        }
        return pack(buf, 0, type, n);
    }
}
