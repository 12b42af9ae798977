package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.independent.logging.LoggingMessage;
import io.snapline.runtime.checkpoint.Envelope;
import io.snapline.runtime.checkpoint.Outgoing;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.SavedMessage;
import io.snapline.runtime.checkpoint.TrafficHook;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.determinant.Determinants;
import io.snapline.runtime.testing.ScriptedRankServices;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rank half of {@code --logging pessimistic} against a scripted runtime, with scripted message orders: which
 * messages a rank accepts, drops as duplicates or as sent by or to an incarnation that died, which of its own sends it
 * suppresses, and how it stamps and resends them.
 */
@Timeout(20)
class LoggingRankTest {
    /** A 3-rank job seen from rank {@code rank}, incarnation {@code incarnation}, started fresh. */
    static final class Services extends ScriptedRankServices {
        final int incarnation;
        final List<byte[]> toCoordinator = Collections.synchronizedList(new ArrayList<>());
        final List<String> resent = Collections.synchronizedList(new ArrayList<>());
        final int rank;
        final List<String> refusals = new ArrayList<>();
        boolean pendingReceives;

        Services(int rank, int incarnation) {
            super(PolicySettings.of("independent", null, java.util.Map.of("--logging", "pessimistic",
                    "--interval", "1h")));
            this.rank = rank;
            this.incarnation = incarnation;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int size() {
            return 3;
        }

        @Override
        public int incarnation() {
            return incarnation;
        }

        @Override
        public void toCoordinator(byte[] message) {
            toCoordinator.add(message);
        }

        @Override
        public void installHook(TrafficHook hook) {
        }

        @Override
        public long[] exchange(long[] toEach, int round) {
            return new long[3];
        }

        @Override
        public List<byte[]> readEvents() {
            return List.of();
        }

        @Override
        public void await(BooleanSupplier condition, String what) {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("would wait forever: " + what);
            }
        }

        @Override
        public <T> T atomically(Supplier<T> action) {
            return action.get();
        }

        @Override
        public void resend(int dest, SavedMessage message, int epoch, long seq) {
            resent.add(dest + ":" + seq + "@" + Integer.toHexString(epoch));
        }

        @Override
        public Determinants determinants() {
            return NO_CHOICES;
        }

        @Override
        public boolean hasPendingReceives() {
            return pendingReceives;
        }

        @Override
        public void cannotRestartAlone(String why) {
            refusals.add(why);
        }

        /** The last message to the coordinator of this type. */
        byte[] last(byte type) {
            byte[] m = lastOrNull(type);
            if (m == null) {
                throw new AssertionError("no message of type " + type);
            }
            return m;
        }

        /** The last message to the coordinator of this type, or null. */
        byte[] lastOrNull(byte type) {
            synchronized (toCoordinator) {
                for (int i = toCoordinator.size() - 1; i >= 0; i--) {
                    if (LoggingMessage.type(toCoordinator.get(i)) == type) {
                        return toCoordinator.get(i);
                    }
                }
            }
            return null;
        }
    }

    /** A program that makes no non-deterministic call: nothing to record or replay. */
    static final Determinants NO_CHOICES = new Determinants() {
        @Override
        public void record(Mark from) {
        }

        @Override
        public Mark mark() {
            return new Mark(0, null);
        }

        @Override
        public Drained drainAll() {
            return new Drained(0, new DeterminantLog(List.of()), List.of());
        }

        @Override
        public void replay(DeterminantLog log, long[] reproducibleUpTo, long skipIdleCalls) {
        }

        @Override
        public void record() {
        }

        @Override
        public DeterminantLog endRecording() {
            return new DeterminantLog(List.of());
        }

        @Override
        public DeterminantLog drainRecording() {
            return new DeterminantLog(List.of());
        }

        @Override
        public void dropRecording() {
        }

        @Override
        public void replay(DeterminantLog log, long[] reproducibleUpTo) {
        }

        @Override
        public boolean replaying() {
            return false;
        }

        @Override
        public void programEnded() {
        }
    };

    /** A message of one long from this rank to {@code dest}. */
    static class Send implements Outgoing {
        final int dest;
        int epoch = -1;
        long seq = -1;

        Send(int dest) {
            this.dest = dest;
        }

        @Override
        public int dest() {
            return dest;
        }

        @Override
        public int context() {
            return 0;
        }

        @Override
        public int tag() {
            return 7;
        }

        @Override
        public void stamp(int epoch, long seq) {
            this.epoch = epoch;
            this.seq = seq;
        }

        @Override
        public SavedMessage save() {
            return new SavedMessage(0, 0, 7, 5, 1, new byte[8]);
        }

        @Override
        public int type() {
            return 5;
        }

        @Override
        public boolean objects() {
            return false;
        }

        @Override
        public int elements() {
            return 1;
        }

        @Override
        public int payloadBytes() {
            return 8;
        }

        @Override
        public void writePayload(byte[] dst, int offset) {
        }
    }

    private static Envelope from(int source, int to, int by, long seq) {
        return new Envelope(source, 9, 0, 7, LoggingRank.epoch(to, by), seq);
    }

    @Test
    void shouldDropDuplicatesAndWhatDeadIncarnationsSentOrWereSentOnceItHasRejoined() {
        Services s = new Services(1, 2); // rank 1's second restart alone, from the beginning
        LoggingRank rank = new LoggingRank(s);
        rank.onControl(new LoggingMessage.Rejoined(new long[] {5, 0, 3}, new int[] {1, 2, 0}, new boolean[3]).encode());
        rank.onStart();
        assertArrayEquals(new long[] {0, 0, 0}, LoggingMessage.restoredCounts(s.last(LoggingMessage.RESTORED)),
                "from the beginning it holds nothing: the others send it everything again");

        assertEquals(TrafficHook.DROP, rank.onAccept(from(0, 1, 1, 1)), "sent to its incarnation 1, which died");
        assertEquals(TrafficHook.DROP, rank.onAccept(from(0, 2, 0, 1)), "sent by rank 0's incarnation 0, dead");
        assertEquals(TrafficHook.LOG, rank.onAccept(from(0, 2, 1, 1)), "kept, and logged while the setup runs");
        assertEquals(TrafficHook.DROP, rank.onAccept(from(0, 2, 1, 1)), "a duplicate of message 1");
        assertEquals(TrafficHook.LOG, rank.onAccept(from(2, 2, 0, 1)));
        rank.log(from(2, 2, 0, 1), new SavedMessage(2, 0, 7, 5, 1, new byte[8]));
        rank.onSetupDone();
        assertEquals(TrafficHook.KEEP, rank.onAccept(from(0, 2, 1, 2)), "after the setup, nothing is logged");
    }

    @Test
    void shouldSuppressReexecutedSendsThePeerHoldsAndStampTheRestForItsIncarnation() {
        Services s = new Services(1, 2);
        LoggingRank rank = new LoggingRank(s);
        rank.onControl(new LoggingMessage.Rejoined(new long[] {2, 0, 1}, new int[] {1, 2, 0}, new boolean[3]).encode());
        rank.onStart();
        List<Boolean> sentToZero = new ArrayList<>();
        Send third = null;
        for (int i = 0; i < 3; i++) {
            Send m = new Send(0);
            sentToZero.add(rank.beforeSend(m));
            third = m;
        }
        assertEquals(List.of(false, false, true), sentToZero, "rank 0 holds messages 1 and 2 of this channel");
        assertEquals(3, third.seq);
        assertEquals(LoggingRank.epoch(1, 2), third.epoch, "for rank 0's incarnation 1, from this one, 2");
        Send toTwo = new Send(2);
        assertFalse(rank.beforeSend(toTwo));
        Send again = new Send(2);
        assertTrue(rank.beforeSend(again));
        assertEquals(2, again.seq);
        assertEquals(LoggingRank.epoch(0, 2), again.epoch);
    }

    @Test
    void shouldSayWhatItHoldsFromARestartingRankThenDropItsDeadIncarnationAndResendInOrder() throws Exception {
        Services s = new Services(0, 0);
        LoggingRank rank = new LoggingRank(s);
        assertEquals(TrafficHook.LOG, rank.onAccept(from(1, 0, 0, 1)));
        assertEquals(TrafficHook.LOG, rank.onAccept(from(1, 0, 0, 2)));
        rank.onSetupDone();
        for (int i = 0; i < 4; i++) {
            assertTrue(rank.beforeSend(new Send(1)));
        }

        rank.onControl(new LoggingMessage.Peer(1, 1, 0).encode(LoggingMessage.PEER_RESTARTING));
        LoggingMessage.Peer answer = LoggingMessage.Peer.decode(s.last(LoggingMessage.ACCEPTED));
        assertEquals(new LoggingMessage.Peer(1, 1, 2), answer, "it holds messages 1 and 2 of rank 1");
        assertEquals(TrafficHook.DROP, rank.onAccept(from(1, 0, 0, 3)), "rank 1's dead incarnation, late");
        assertEquals(TrafficHook.KEEP, rank.onAccept(from(1, 0, 1, 3)), "its new one");

        // Rank 1 restored a checkpoint holding messages 1..2 of this rank's: 3 and 4 go again, stamped for it.
        rank.onControl(new LoggingMessage.Peer(1, 1, 2).encode(LoggingMessage.RESEND));
        awaitCondition(() -> s.resent.size() >= 2); // the resend runs on a thread of its own
        assertEquals(List.of("1:3@10000", "1:4@10000"), s.resent);
        Send next = new Send(1);
        assertTrue(rank.beforeSend(next));
        assertEquals(5, next.seq);
        assertEquals(LoggingRank.epoch(1, 0), next.epoch, "what follows the resend is for the new incarnation");
    }

    /** A small message on shm: the engine calls afterSend once it is in the ring. */
    static final class RingSend extends Send {
        RingSend(int dest) {
            super(dest);
        }

        @Override
        public boolean followedByAfterSend() {
            return true;
        }
    }

    /** Whether the thread named {@code name} is waiting for a message log's lock. */
    private static boolean waitingForTheLogsLock(String name) {
        for (java.util.Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().equals(name)) {
                for (StackTraceElement f : e.getValue()) {
                    if (f.getMethodName().equals("lockContended") && f.getClassName().endsWith(".SenderLog")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * A small message is numbered and stamped before it goes into the ring and logged after (afterSend), the log's
     * lock held in between: a resend to a restarted receiver that comes meanwhile waits, and then sends it again too.
     */
    @Test
    @Timeout(60)
    void shouldLogASmallMessageAfterItLeftAndResendItToAReceiverThatRestartedMeanwhile() throws Exception {
        Services s = new Services(0, 0);
        LoggingRank rank = new LoggingRank(s);
        rank.onSetupDone();
        for (int i = 0; i < 2; i++) {
            RingSend m = new RingSend(1);
            assertTrue(rank.beforeSend(m));
            rank.afterSend(m);
        }
        RingSend third = new RingSend(1);
        assertTrue(rank.beforeSend(third));
        assertEquals(3, third.seq);
        assertEquals(LoggingRank.epoch(0, 0), third.epoch, "stamped for rank 1's incarnation 0");

        // Rank 1 restarts alone from a checkpoint holding message 1, while message 3 is in the ring but not logged.
        rank.onControl(new LoggingMessage.Peer(1, 1, 0).encode(LoggingMessage.PEER_RESTARTING));
        rank.onControl(new LoggingMessage.Peer(1, 1, 1).encode(LoggingMessage.RESEND));
        awaitCondition(() -> waitingForTheLogsLock("snapline-resend-0-to-1"));
        assertTrue(waitingForTheLogsLock("snapline-resend-0-to-1"), "the resend waits for the log's lock");
        assertEquals(List.of(), s.resent, "the resend waits for the log's lock, held until the message is logged");
        rank.afterSend(third);
        awaitCondition(() -> s.resent.size() >= 2); // the resend runs on a thread of its own
        assertEquals(List.of("1:2@10000", "1:3@10000"), s.resent, "message 3 too, logged after it left");
        RingSend next = new RingSend(1);
        assertTrue(rank.beforeSend(next));
        rank.afterSend(next);
        assertEquals(4, next.seq);
        assertEquals(LoggingRank.epoch(1, 0), next.epoch, "what follows the resend is for the new incarnation");
    }

    /**
     * Rank 0 said it held messages 1..4 of this rank (restarted alone), then failed in turn and restored a checkpoint
     * holding only message 1: what this rank had suppressed since is sent from its log, and its next re-executed
     * sends are no longer suppressed.
     */
    @Test
    void shouldSendAgainWhatItSuppressedWhenThePeerRestoredLessThanItHeld() throws Exception {
        Services s = new Services(1, 2);
        LoggingRank rank = new LoggingRank(s);
        rank.onControl(new LoggingMessage.Rejoined(new long[] {4, 0, 0}, new int[] {1, 2, 0}, new boolean[3]).encode());
        rank.onStart();
        assertFalse(rank.beforeSend(new Send(0)), "message 1: rank 0 holds it");
        assertFalse(rank.beforeSend(new Send(0)), "message 2: rank 0 said it held it");
        rank.onControl(new LoggingMessage.Peer(0, 2, 0).encode(LoggingMessage.PEER_RESTARTING));
        rank.onControl(new LoggingMessage.Peer(0, 2, 1).encode(LoggingMessage.RESEND));
        awaitCondition(() -> !s.resent.isEmpty()); // the resend runs on a thread of its own
        assertEquals(List.of("0:2@20002"), s.resent, "message 2, logged though suppressed, for incarnation 2");
        Send third = new Send(0);
        assertTrue(rank.beforeSend(third), "message 3 is sent: rank 0 holds only 1 now");
        assertEquals(3, third.seq);
        assertEquals(LoggingRank.epoch(2, 2), third.epoch);
    }

    @Test
    void shouldEndTheJobRatherThanTakeAMessagePastOneItNeverGot() throws Exception {
        Services s = new Services(0, 0);
        LoggingRank rank = new LoggingRank(s);
        rank.onSetupDone();
        assertEquals(TrafficHook.KEEP, rank.onAccept(from(1, 0, 0, 1)));
        assertEquals(TrafficHook.DROP, rank.onAccept(from(1, 0, 0, 3)), "message 2 never came");
        awaitCondition(() -> s.lastOrNull(LoggingMessage.FAIL) != null); // reported from a thread of its own
        assertEquals("rank 0 (incarnation 0) got message 3 from rank 1 before message 2: a message would be lost, so "
                + "the job ends", LoggingMessage.reason(s.last(LoggingMessage.FAIL)));
        assertEquals(TrafficHook.KEEP, rank.onAccept(from(1, 0, 0, 2)), "the one it waited for is still taken");
    }

    @Test
    void shouldRefuseToRestartAloneWhenASetupReceiveIsPendingAtTheFirstRestoreOr() {
        Services s = new Services(0, 0);
        LoggingRank rank = new LoggingRank(s);
        s.pendingReceives = true;
        rank.onSetupDone();
        assertEquals(List.of("a receive its setup code posted (before its first Checkpoint.restoreOr) was still "
                + "pending then: what completes it afterwards is not among the messages its setup kept"), s.refusals);
        assertEquals(TrafficHook.KEEP, rank.onAccept(from(1, 0, 0, 1)), "the setup is over: nothing more is kept");
    }

    @Test
    void shouldKeepTheUnnumberedSetupTrafficOfAWholeRestartButDropItWhenRestartedAlone() {
        Envelope setup = new Envelope(2, 1, 0, 7, -1, 0);
        assertEquals(TrafficHook.KEEP, new LoggingRank(new Services(1, 0)).onAccept(setup), "not counted, and not in the setup log");
        Services s = new Services(1, 1);
        LoggingRank alone = new LoggingRank(s);
        alone.onControl(new LoggingMessage.Rejoined(new long[3], new int[] {0, 1, 0}, new boolean[3]).encode());
        alone.onStart();
        assertEquals(TrafficHook.DROP, alone.onAccept(setup));
    }

    /** Waits (at most 10 s) until {@code done} holds. */
    private static void awaitCondition(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
