package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.Message;
import org.junit.jupiter.api.Test;

class DependencyTrackerTest {
    private static Message from(int source, int dest, int epoch, long seq) {
        Message m = Message.arrived(source, dest, 0, 0, BaseType.BYTE, 0, new byte[0], null);
        m.stamp(epoch, seq);
        return m;
    }

    private static Message to(int dest) {
        return Message.arrived(1, dest, 0, 0, BaseType.BYTE, 0, new byte[0], null);
    }

    @Test
    void shouldStampAndRecordEveryMessageOfTheIntervalWhenNoPolicyHookIsInstalled() {
        DependencyTracker t = new DependencyTracker(3);
        Message a = to(0);
        Message b = to(2);
        Message c = to(0);
        assertTrue(t.beforeSend(a) && t.beforeSend(b) && t.beforeSend(c));
        assertEquals(0, a.epoch());
        assertEquals(1, a.seq());
        assertEquals(1, b.seq());
        assertEquals(2, c.seq(), "numbers count per channel");
        assertEquals(ChannelHook.KEEP, t.onAccept(from(2, 1, 0, 1)), "no policy hook asks for logging");
        t.onAccept(from(0, 1, 1, 4));
        DependencyRecord r = DependencyRecord.decode(t.close());
        assertEquals(0, r.interval());
        assertTrue(Math.abs(r.closedAtMillis() - System.currentTimeMillis()) < 60_000, "closed now");
        assertArrayEquals(new int[] {0, 2, 0}, r.sendTo());
        assertArrayEquals(new long[] {1, 1, 2}, r.sendSeq());
        assertArrayEquals(new int[] {2, 0}, r.receiveFrom());
        assertArrayEquals(new long[] {1, 4}, r.receiveSeq());
        assertArrayEquals(new int[] {0, 1}, r.senderInterval());
        assertArrayEquals(new long[] {2, 0, 1}, r.sentSoFar());

        Message d = to(2);
        t.beforeSend(d);
        assertEquals(1, d.epoch(), "the next interval");
        assertEquals(2, d.seq());
        DependencyRecord next = DependencyRecord.decode(t.close());
        assertEquals(1, next.interval());
        assertArrayEquals(new int[] {2}, next.sendTo());
        assertEquals(0, next.receiveFrom().length);
    }

    @Test
    void shouldContinueTheNumberingOfTheCheckpointWhenRestored() {
        DependencyTracker t = new DependencyTracker(2);
        t.beforeSend(to(1));
        t.beforeSend(to(1));
        byte[] record = t.close();
        DependencyTracker restored = new DependencyTracker(2);
        restored.beforeSend(to(1)); // the setup code that runs again before the restore
        restored.restore(record);
        Message m = to(1);
        restored.beforeSend(m);
        assertEquals(1, m.epoch());
        assertEquals(3, m.seq());
    }

    @Test
    void shouldLetThePolicyHookStampSuppressAndAskForLogsWhenWrapped() {
        DependencyTracker t = new DependencyTracker(2);
        t.wrap(new ChannelHook() {
            @Override
            public boolean beforeSend(Message m) {
                m.stamp(7, 40);
                return m.dest() == 1;
            }

            @Override
            public int onAccept(Message m) {
                return LOG;
            }

            @Override
            public void log(Message m, byte[] payload) {
            }
        });
        Message kept = to(1);
        assertTrue(t.beforeSend(kept));
        assertEquals(7, kept.epoch());
        assertFalse(t.beforeSend(to(0)), "suppressed by the policy");
        assertEquals(ChannelHook.LOG, t.onAccept(from(0, 1, 6, 3)), "the policy's answer");
        DependencyRecord r = DependencyRecord.decode(t.close());
        assertArrayEquals(new int[] {1}, r.sendTo(), "a suppressed send is not recorded again");
        assertArrayEquals(new long[] {40}, r.sendSeq());
        assertArrayEquals(new int[] {6}, r.senderInterval());
    }

    @Test
    void shouldRecordUnreceivedMessagesInTheNextIntervalWhenDeferred() {
        DependencyTracker t = new DependencyTracker(3);
        t.onAccept(from(0, 1, 0, 1));
        t.onAccept(from(2, 1, 0, 1));
        t.onAccept(from(0, 1, 1, 2));
        t.onAccept(from(2, 1, 1, 2));

        // The program received 0's first and 2's first; 0's second and 2's second wait in the mailbox.
        DependencyRecord r = DependencyRecord.decode(t.close(new long[][] {{0, 2}, {2, 2}}));
        assertArrayEquals(new int[] {0, 2}, r.receiveFrom());
        assertArrayEquals(new long[] {1, 1}, r.receiveSeq());

        t.onAccept(from(0, 1, 1, 3));
        DependencyRecord next = DependencyRecord.decode(t.close(new long[][] {{2, 2}}));
        assertArrayEquals(new int[] {0, 0}, next.receiveFrom(), "the deferred one first, then the new one");
        assertArrayEquals(new long[] {2, 3}, next.receiveSeq());
        assertArrayEquals(new int[] {1, 1}, next.senderInterval());

        DependencyRecord last = DependencyRecord.decode(t.close());
        assertArrayEquals(new int[] {2}, last.receiveFrom(), "deferred twice, then received");
        assertArrayEquals(new long[] {2}, last.receiveSeq());
        assertEquals(2, last.interval());
    }

    @Test
    void shouldLeaveReExecutedSetupTrafficOutOfEveryIntervalUntilRestored() {
        DependencyTracker first = new DependencyTracker(2);
        first.beforeSend(to(1));
        byte[] checkpoint = first.close();

        DependencyTracker t = new DependencyTracker(2);
        t.beforeRestore();
        Message setup = to(1);
        assertTrue(t.beforeSend(setup));
        assertEquals(DependencyTracker.SETUP, setup.epoch());
        assertEquals(ChannelHook.KEEP, t.onAccept(from(1, 0, DependencyTracker.SETUP, 0)));
        t.onAccept(from(1, 0, 3, 9)); // a peer that has restored already
        t.restore(checkpoint);
        Message after = to(1);
        t.beforeSend(after);

        assertEquals(1, after.epoch());
        assertEquals(2, after.seq(), "numbering continues the checkpoint's, not the setup's");
        DependencyRecord r = DependencyRecord.decode(t.close());
        assertArrayEquals(new int[] {1}, r.sendTo());
        assertArrayEquals(new long[] {2}, r.sendSeq());
        assertArrayEquals(new long[] {9}, r.receiveSeq(), "only the restored peer's message");
    }
}
