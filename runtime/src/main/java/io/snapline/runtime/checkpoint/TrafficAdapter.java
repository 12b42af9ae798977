package io.snapline.runtime.checkpoint;

import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.Message;

/**
 * The engine's {@link ChannelHook} in front of a policy's {@link TrafficHook}: it shows the policy each message in the
 * SPI's types. One small object per call (an {@link Outgoing} view of the message, or its {@link Envelope}; on a log
 * also the {@link SavedMessage} the policy keeps), no lock.
 */
final class TrafficAdapter implements ChannelHook {
    private final TrafficHook hook;

    TrafficAdapter(TrafficHook hook) {
        this.hook = hook;
    }

    @Override
    public boolean beforeSend(Message m) {
        return hook.beforeSend(new Sending(m));
    }

    @Override
    public int onAccept(Message m) {
        return hook.onAccept(envelope(m));
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

    /** A message about to be sent, as the policy may see and stamp it. */
    private static final class Sending implements Outgoing {
        private final Message m;

        Sending(Message m) {
            this.m = m;
        }

        @Override
        public int dest() {
            return m.dest();
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
