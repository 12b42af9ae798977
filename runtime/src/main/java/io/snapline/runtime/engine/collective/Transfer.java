package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.DataMover;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.JobAbortedException;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.TypeMap;

/**
 * Messages on the collective context whose receives check the signature: a collective receive must get exactly the
 * number of base elements it posted for, of a compatible base type. A mismatch means the ranks passed inconsistent
 * counts or datatypes, and is reported as such rather than as a truncated point-to-point message.
 */
final class Transfer {
    private Transfer() {
    }

    static void send(Communicator c, Object buf, int off, int count, TypeMap t, int dest, int tag) {
        c.sendColl(buf, off, count, t, dest, tag);
    }

    /** Receives exactly {@code count} items of {@code t} from {@code src}. */
    static void recv(Communicator c, Object buf, int off, int count, TypeMap t, int src, int tag) {
        Request r = c.irecvColl(buf, off, count, t, src, tag);
        await(c, r, count * t.size(), src);
    }

    /** Sends and receives at once; the receive must get exactly {@code rcount} items of {@code rt}. */
    static void sendrecv(Communicator c, Object sbuf, int soff, int scount, TypeMap st, int dest, Object rbuf,
            int roff, int rcount, TypeMap rt, int src, int tag) {
        Request r = c.irecvColl(rbuf, roff, rcount, rt, src, tag);
        Request s = c.isendColl(sbuf, soff, scount, st, dest, tag);
        await(c, r, rcount * rt.size(), src);
        c.endpoint().await(s);
    }

    /** Waits for a receive posted with {@link Communicator#irecvColl} and checks it got {@code expected} elements. */
    static void await(Communicator c, Request r, int expected, int src) {
        try {
            c.endpoint().await(r);
        } catch (JobAbortedException e) {
            throw e;
        } catch (EngineException e) {
            throw mismatch(c, src, r.statusElements(), expected, e);
        }
        if (r.statusElements() != expected) {
            throw mismatch(c, src, r.statusElements(), expected, null);
        }
    }

    /**
     * Awaits the receives {@code rs[0 .. k-1]} (null entries are skipped), each from {@code from[i]} expecting
     * {@code expected[i]} elements. If one fails, the others are cancelled, so no stale receive stays posted on the
     * collective context to swallow a later operation's message.
     */
    static void awaitAll(Communicator c, Request[] rs, int k, int[] expected, int[] from) {
        int i = 0;
        try {
            for (; i < k; i++) {
                if (rs[i] != null) {
                    await(c, rs[i], expected[i], from[i]);
                }
            }
        } catch (RuntimeException e) {
            for (int j = i + 1; j < k; j++) {
                if (rs[j] != null) {
                    c.endpoint().cancel(rs[j]);
                }
            }
            throw e;
        }
    }

    private static EngineException mismatch(Communicator c, int src, int got, int expected, EngineException cause) {
        String what = got != expected
                ? "rank " + src + " sent " + got + " element(s) but rank " + c.rank() + " expected " + expected
                : "rank " + src + " sent data rank " + c.rank() + " cannot receive (" + cause.getMessage() + ")";
        return new EngineException(what + "; every rank must pass counts and datatypes whose signatures match"
                + " (count x datatype size, same base type) as the operation requires", cause);
    }

    /**
     * Moves a rank's contribution to itself. Objects go through the engine (encoded and decoded) so the receiver
     * gets copies, as from any other rank; other data is copied directly.
     */
    static void local(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff, int rcount,
            TypeMap rt, int tag) {
        int elements = scount * st.size();
        if (elements != rcount * rt.size()) {
            throw new EngineException("rank " + c.rank() + " sends " + elements + " element(s) to itself but its own"
                    + " receive block holds " + rcount * rt.size() + "; the send and receive signatures must match");
        }
        if (elements > 0 && !st.base().compatibleWith(rt.base())) {
            throw new EngineException("rank " + c.rank() + " sends " + st.base() + " but receives " + rt.base()
                    + "; the send and receive datatypes must have the same base type");
        }
        if (st.base() == BaseType.OBJECT && elements > 0) {
            sendrecv(c, sbuf, soff, scount, st, c.rank(), rbuf, roff, rcount, rt, c.rank(), tag);
        } else {
            DataMover.copy(sbuf, soff, st, rbuf, roff, rt, elements);
        }
    }

    /** A dense buffer of {@code n} base elements of {@code t}'s base type (a byte[] when there is no base type). */
    static Object dense(TypeMap t, int n) {
        return t.base() == null ? new byte[n] : t.base().newArray(n);
    }

    /** The layout of a {@link #dense} buffer: the basic type of {@code t}'s base type. */
    static TypeMap denseType(TypeMap t) {
        return TypeMap.basic(t.base() == null ? BaseType.BYTE : t.base());
    }
}
