package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.ChannelHook.Send;
import io.snapline.runtime.engine.Message;
import org.junit.jupiter.api.Test;

class DependencyTrackerTest {
    private static Message from(int source, int dest, int epoch, long seq) {
        Message m = Message.arrived(source, dest, 0, 0, BaseType.BYTE, 0, new byte[0], null);
        m.stamp(epoch, seq);
        return m;
    }

    /** {@code m} accepted by {@code t}, as the mailbox shows it (its envelope and stamp). */
    private static int accept(DependencyTracker t, Message m) {
        return t.onAccept(m.source(), m.context(), m.tag(), m.epoch(), m.seq());
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
        assertEquals(ChannelHook.KEEP, accept(t, from(2, 1, 0, 1)), "no policy hook asks for logging");
        accept(t, from(0, 1, 1, 4));
        DependencyRecord r = DependencyRecord.decode(t.close());
        assertEquals(0, r.interval());
        assertTrue(Math.abs(r.closedAtMillis() - System.currentTimeMillis()) < 60_000, "closed now");
        // Listed by run: a channel's consecutive numbers together, channels in the order they were first used.
        assertArrayEquals(new int[] {0, 0, 2}, r.sendTo());
        assertArrayEquals(new long[] {1, 2, 1}, r.sendSeq());
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
            public boolean beforeSend(Send m) {
                m.stamp(7, 40);
                return m.dest() == 1;
            }

            @Override
            public int onAccept(int source, int context, int tag, int epoch, long seq) {
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
        assertEquals(ChannelHook.LOG, accept(t, from(0, 1, 6, 3)), "the policy's answer");
        DependencyRecord r = DependencyRecord.decode(t.close());
        assertArrayEquals(new int[] {1}, r.sendTo(), "a suppressed send is not recorded again");
        assertArrayEquals(new long[] {40}, r.sendSeq());
        assertArrayEquals(new int[] {6}, r.senderInterval());
    }

    @Test
    void shouldRecordUnreceivedMessagesInTheNextIntervalWhenDeferred() {
        DependencyTracker t = new DependencyTracker(3);
        accept(t, from(0, 1, 0, 1));
        accept(t, from(2, 1, 0, 1));
        accept(t, from(0, 1, 1, 2));
        accept(t, from(2, 1, 1, 2));

        // The program received 0's first and 2's first; 0's second and 2's second wait in the mailbox.
        DependencyRecord r = DependencyRecord.decode(t.close(new long[][] {{0, 2}, {2, 2}}));
        assertArrayEquals(new int[] {0, 2}, r.receiveFrom());
        assertArrayEquals(new long[] {1, 1}, r.receiveSeq());

        accept(t, from(0, 1, 1, 3));
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
        assertEquals(ChannelHook.KEEP, accept(t, from(1, 0, DependencyTracker.SETUP, 0)));
        accept(t, from(1, 0, 3, 9)); // a peer that has restored already
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

    /** A million messages on two channels make a record of a few runs, which still lists every message when read. */
    @Test
    void shouldKeepConsecutiveMessagesAsRunsSoThatTheRecordFollowsTheChannelsNotTheMessages() {
        DependencyTracker t = new DependencyTracker(3);
        for (int i = 0; i < 500_000; i++) {
            t.beforeSend(to(1));
            t.beforeSend(to(2));
            accept(t, from(1, 0, 0, i + 1));
            accept(t, from(2, 0, i < 250_000 ? 0 : 1, i + 1)); // rank 2 checkpointed half way: a new run
        }
        byte[] bytes = t.close();
        assertTrue(bytes.length < 200, "2 send runs and 3 receive runs: " + bytes.length + " bytes");
        DependencyRecord r = DependencyRecord.decode(bytes);
        assertEquals(1_000_000, r.sendTo().length);
        assertEquals(1_000_000, r.receiveFrom().length);
        assertEquals(500_000, r.sendSeq()[499_999]);
        assertEquals(2, r.sendTo()[500_000]);
        assertEquals(1, r.sendSeq()[500_000]);
        assertEquals(2, r.receiveFrom()[750_000]);
        assertEquals(250_001, r.receiveSeq()[750_000]);
        assertEquals(1, r.senderInterval()[750_000]);
        assertEquals(0, r.senderInterval()[749_999]);
    }

    @Test
    void shouldSplitARunWhenAMessageInItsMiddleIsDeferredToTheNextInterval() {
        DependencyTracker t = new DependencyTracker(2);
        for (int k = 1; k <= 5; k++) {
            accept(t, from(1, 0, 0, k));
        }
        DependencyRecord r = DependencyRecord.decode(t.close(new long[][] {{1, 3}}));
        assertArrayEquals(new long[] {1, 2, 4, 5}, r.receiveSeq(), "message 3 was not received by the checkpoint");
        accept(t, from(1, 0, 0, 6));
        DependencyRecord next = DependencyRecord.decode(t.close());
        assertArrayEquals(new long[] {3, 6}, next.receiveSeq());

        // A whole unreceived tail, and then a whole run: what is left out leaves no empty run behind.
        for (int k = 7; k <= 10; k++) {
            accept(t, from(1, 0, 0, k));
        }
        byte[] bytes = t.close(new long[][] {{1, 8}, {1, 9}, {1, 10}});
        assertArrayEquals(new long[] {7}, DependencyRecord.decode(bytes).receiveSeq());
        byte[] none = t.close(new long[][] {{1, 8}, {1, 9}, {1, 10}});
        assertEquals(0, DependencyRecord.decode(none).receiveSeq().length);
        assertEquals(4 + 16 + 16 + 4 + 4, none.length, "no runs at all");
        assertArrayEquals(new long[] {8, 9, 10}, DependencyRecord.decode(t.close()).receiveSeq());
    }

    @Test
    void shouldRefuseARecordWhoseRunsAreDamaged() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 16 + 8 + 4 + 20 + 4);
        b.putInt(-2).putInt(0).putLong(0).putInt(1).putLong(0).putInt(1).putInt(0).putLong(1).putLong(-5).putInt(0);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DependencyRecord.decode(b.array()));
        assertTrue(e.getMessage().contains("a run of -5"), e.getMessage());
    }

    /** Records of the first layout, one entry per message, as older checkpoints hold them, still read. */
    @Test
    void shouldReadRecordsOfTheFirstLayout() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 8 + 4 + 16 + 4 + 12 + 4 + 16);
        b.putInt(7).putLong(1234).putInt(2).putLong(3).putLong(0);
        b.putInt(1).putInt(0).putLong(3);
        b.putInt(1).putInt(1).putLong(9).putInt(4);
        DependencyRecord r = DependencyRecord.decode(b.array());
        assertEquals(7, r.interval());
        assertArrayEquals(new int[] {0}, r.sendTo());
        assertArrayEquals(new long[] {9}, r.receiveSeq());
        assertArrayEquals(new int[] {4}, r.senderInterval());
        assertEquals(7, DependencyRecord.head(b.array()).interval());
        assertArrayEquals(new long[] {3, 0}, DependencyRecord.head(b.array()).sentSoFar());
    }
}
