package io.snapline.runtime.checkpoint;

import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.Message;

/**
 * The engine's {@link ChannelHook} in front of a policy's {@link TrafficHook}: it shows the policy each message in the
 * SPI's types. A send is shown through one {@link Outgoing} view, pointed at the message for the call (sends come from
 * the rank's program thread, one at a time); an accepted message as its {@link Envelope} (and on a log also the
 * {@link SavedMessage} the policy keeps). No lock.
 */
final class TrafficAdapter implements ChannelHook {
    private final TrafficHook hook;
    /** This rank (world rank): the receiver of what it accepts. */
    private final int rank;
    private final Sending sending = new Sending();

    TrafficAdapter(TrafficHook hook, int rank) {
        this.hook = hook;
        this.rank = rank;
    }

    @Override
    public boolean beforeSend(Send m) {
        Sending s = sending;
        s.m = m;
        boolean send = false;
        try {
            send = hook.beforeSend(s);
            return send;
        } finally {
            if (!send || !m.followedByAfterSend()) {
                s.m = null;
            } // else the view stays pointed at the message until afterSend
        }
    }

    @Override
    public void afterSend(Send m) {
        Sending s = sending;
        try {
            hook.afterSend(s);
        } finally {
            s.m = null;
        }
    }

    @Override
    public int onAccept(int source, int context, int tag, int epoch, long seq) {
        return hook.onAccept(new Envelope(source, rank, context, tag, epoch, seq));
    }

    @Override
    public void log(Message m, byte[] payload) {
        hook.log(envelope(m), new SavedMessage(m.source(), m.context(), m.tag(), EngineMessages.typeOf(m.base()),
                m.elements(), payload));
    }

    @Override
    public void onDatum(int source, byte[] datum) {
        hook.onDatum(source, datum);
    }

    private static Envelope envelope(Message m) {
        return new Envelope(m.source(), m.dest(), m.context(), m.tag(), m.epoch(), m.seq());
    }

    /** A message about to be sent, as the policy may see and stamp it: valid during {@link #beforeSend} only. */
    private static final class Sending implements Outgoing {
        private Send m;

        @Override
        public boolean followedByAfterSend() {
            return m.followedByAfterSend();
        }

        @Override
        public int dest() {
            return m.dest();
        }

        @Override
        public boolean agreesContext() {
            return io.snapline.runtime.engine.collective.Collectives.agreesContext(m.context(), m.tag());
        }

        @Override
        public boolean confirmsContext() {
            return io.snapline.runtime.engine.collective.Collectives.confirmsContext(m.context(), m.tag());
        }

        @Override
        public int context() {
            return m.context();
        }

        @Override
        public int tag() {
            return m.tag();
        }

        @Override
        public void stamp(int epoch, long seq) {
            m.stamp(epoch, seq);
        }

        @Override
        public SavedMessage save() {
            return new SavedMessage(m.source(), m.context(), m.tag(), EngineMessages.typeOf(m.base()), m.elements(),
                    m.packedCopy());
        }

        @Override
        public int type() {
            return EngineMessages.typeOf(m.base());
        }

        @Override
        public int elements() {
            return m.elements();
        }

        @Override
        public boolean objects() {
            return m.base() == io.snapline.runtime.engine.BaseType.OBJECT;
        }

        @Override
        public int payloadBytes() {
            return Math.toIntExact(m.payloadBytes());
        }

        @Override
        public void writePayload(byte[] dst, int offset) {
            m.writePayload(dst, offset);
        }

        @Override
        public String toString() {
            return "Outgoing[dest=" + m.dest() + ", context=" + m.context() + ", tag=" + m.tag() + "]";
        }
    }
}
