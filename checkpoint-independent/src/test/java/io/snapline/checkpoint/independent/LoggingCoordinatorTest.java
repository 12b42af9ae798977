package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.checkpoint.independent.logging.LoggingMessage;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.InMemoryCheckpointStore;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import io.snapline.runtime.checkpoint.store.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The supervisor half of {@code --logging pessimistic} when one rank restarts alone, driven by hand: who is asked
 * what, and what the restarted rank is told, in which order.
 */
class LoggingCoordinatorTest {
    /** Records every message sent to a rank, decoded enough to compare. */
    static final class Services implements CoordinatorServices {
        final List<String> sent = new ArrayList<>();
        final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
        /** What {@link #localStore} returns instead of {@link #store}, when set. */
        LocalCheckpointStore local;
        final int ranks;
        final List<String> events = new ArrayList<>();
        final String logging;

        Services(int ranks) {
            this(ranks, "pessimistic");
        }

        Services(int ranks, String logging) {
            this.ranks = ranks;
            this.logging = logging;
        }

        @Override
        public int ranks() {
            return ranks;
        }

        @Override
        public PolicySettings settings() {
            return PolicySettings.of("independent", null, java.util.Map.of("--logging", logging));
        }

        @Override
        public void send(int rank, byte[] message) {
            String what = switch (LoggingMessage.type(message)) {
                case LoggingMessage.PEER_RESTARTING -> "peer-restarting " + peer(message);
                case LoggingMessage.RESEND -> "resend " + peer(message);
                case LoggingMessage.REJOINED -> {
                    LoggingMessage.Rejoined j = LoggingMessage.Rejoined.decode(message);
                    boolean any = false;
                    StringBuilder restarting = new StringBuilder();
                    for (int r = 0; r < j.restarting().length; r++) {
                        if (j.restarting()[r]) {
                            restarting.append(any ? "," : " restarting ").append(r);
                            any = true;
                        }
                    }
                    yield "rejoined " + java.util.Arrays.toString(j.accepted()) + " "
                            + java.util.Arrays.toString(j.incarnations()) + restarting;
                }
                case LoggingMessage.STABLE -> "stable " + LoggingMessage.number(message);
                case LoggingMessage.STABLE_ALL -> "stable-all " + java.util.Arrays.toString(
                        LoggingMessage.stableAllOf(message));
                case LoggingMessage.CONTRIBUTED -> "contributed " + LoggingMessage.number(message);
                default -> "type " + message[0];
            };
            sent.add(rank + ": " + what);
        }

        private static String peer(byte[] message) {
            LoggingMessage.Peer p = LoggingMessage.Peer.decode(message);
            return p.rank() + "/" + p.incarnation() + "/" + p.number();
        }

        @Override
        public LocalCheckpointStore localStore() {
            return local != null ? local : store;
        }

        @Override
        public CheckpointId nextId() {
            return CheckpointId.of(1);
        }

        @Override
        public boolean commit(Manifest manifest, long point, long[] blockedNanos) {
            throw new AssertionError("no manifest under independent");
        }

        @Override
        public RestoreFrom restoredFrom(int rank) {
            return null;
        }

        @Override
        public void localCommitted(int rank, long index, long point, long bytes, long blockedNanos) {
        }

        @Override
        public void discardLocal(int rank, long index) {
        }

        @Override
        public void messageLog(int rank, long bytes, long peakBytes, long spilledBytes, long spilledPeakBytes) {
            events.add("log " + rank + " " + bytes + " " + peakBytes + " " + spilledBytes + " " + spilledPeakBytes);
        }

        @Override
        public void fail(String reason) {
            events.add("fail " + reason);
        }

        @Override
        public void log(String line) {
            events.add(line);
        }
    }

    private static byte[] accepted(int rank, int incarnation, long count) {
        return new LoggingMessage.Peer(rank, incarnation, count).encode(LoggingMessage.ACCEPTED);
    }

    private static byte[] record(long first, int... sources) {
        List<io.snapline.runtime.determinant.Determinant> events = new ArrayList<>();
        for (int source : sources) {
            events.add(new io.snapline.runtime.determinant.Determinant.Received(-1, 0, 0,
                    new io.snapline.runtime.determinant.Determinant.Matched(source, 0, first + 1)));
        }
        return new io.snapline.checkpoint.independent.logging.EventRecord(first,
                new io.snapline.runtime.determinant.DeterminantLog(events), List.of()).encode();
    }

    private static io.snapline.checkpoint.independent.logging.HeldEvents.Held held(int origin, long number,
            byte[] record) {
        return new io.snapline.checkpoint.independent.logging.HeldEvents.Held(origin, number, record);
    }

    /**
     * Causal: the answers carry the restarting rank's records, which join its stream before it is told to go on; so do
     * records that reach a rank late while the answers are still coming; once it has gone on, a late record must be in
     * its stream already, or the job fails. Every rank learns how far each rank's records are stable.
     */
    @Test
    void shouldGatherARestartingRanksRecordsFromTheAnswersAndCheckLateOnesAgainstItsStream() {
        Services s = new Services(3, "causal");
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankMessage(1, LoggingMessage.events(4, record(0, 2)));
        c.onTick(1);
        assertEquals(List.of("1: stable 4", "0: stable-all [0, 4, 0]", "1: stable-all [0, 4, 0]",
                "2: stable-all [0, 4, 0]"), s.sent);
        c.onTick(2);
        assertEquals(4, s.sent.size(), "said once until it changes");
        s.sent.clear();

        byte[] a = record(0, 1, 2);
        byte[] b = record(2, 2);
        c.onRankRestarting(0, 1);
        s.sent.clear();
        c.onRankMessage(1, LoggingMessage.accepted(new LoggingMessage.Peer(0, 1, 5), List.of(held(0, 1, a))));
        c.onRankMessage(1, LoggingMessage.late(List.of(held(0, 2, b)))); // in time: the answers are not all in
        assertEquals(List.of(), s.sent);
        c.onRankMessage(2, LoggingMessage.accepted(new LoggingMessage.Peer(0, 1, 3), List.of(held(0, 1, a))));
        assertEquals(List.of("0: rejoined [0, 5, 3] [1, 0, 0]"), s.sent);
        List<byte[]> stream = s.store.readEvents(0);
        assertEquals(3, stream.size());
        assertArrayEquals(a, stream.get(0));
        assertArrayEquals(b, stream.get(1));
        assertArrayEquals(a, stream.get(2));
        assertEquals(List.of("rank 0 replays its stream with 3 record(s) of its events that the other ranks held "
                + "(each copy counted), which the event logger may not have had yet"), s.events);

        c.onRankMessage(2, LoggingMessage.late(List.of(held(0, 2, b)))); // a copy of one it has: nothing to do
        assertEquals(1, s.events.size(), s.events.toString());
        // Its newer checkpoint, verified, trimmed the stream: what it was given at its restart still counts.
        s.store.replaceEvents(0, List.of(io.snapline.checkpoint.independent.logging.EventRecord.floor(9).encode()));
        c.onRankMessage(1, LoggingMessage.late(List.of(held(0, 1, a), held(0, 2, b))));
        // Records that end where its restore begins are not replayed: whatever they say, they are not missed.
        c.onRankMessage(0, LoggingMessage.holds(new long[3], 2));
        c.onRankMessage(2, LoggingMessage.late(List.of(held(0, 1, record(0, 2, 2)))));
        assertEquals(1, s.events.size(), s.events.toString());
        c.onRankMessage(2, LoggingMessage.late(List.of(held(0, 3, record(3, 1)))));
        assertEquals("fail rank 2 depends on an outcome of rank 0's failed incarnation (its event record 3) that "
                + "reached it through a rank that failed too, after rank 0 had restarted without it: two ranks "
                + "failed too close together for --logging causal to continue exactly (--logging pessimistic makes "
                + "every outcome stable before it can spread)", s.events.get(1));

        c.onRankMessage(2, LoggingMessage.contribute(7, List.of(held(1, 9, record(1, 0)))));
        assertEquals("2: contributed 7", s.sent.get(s.sent.size() - 1));
        assertEquals(2, s.store.readEvents(1).size());
    }

    @Test
    void shouldAskEveryOtherRankWhatItHoldsAndTellTheRestartedRankOnlyOnceAllHaveAnswered() {
        Services s = new Services(4);
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankRestarting(2, 1);
        assertEquals(List.of("0: peer-restarting 2/1/0", "1: peer-restarting 2/1/0", "3: peer-restarting 2/1/0"),
                s.sent);
        s.sent.clear();

        c.onRankMessage(3, accepted(2, 1, 40));
        c.onRankMessage(0, accepted(2, 1, 17));
        assertEquals(List.of(), s.sent, "rank 1 has not answered yet");
        c.onRankMessage(1, accepted(2, 1, 5));
        assertEquals(List.of("2: rejoined [17, 5, 0, 40] [0, 0, 1, 0]"), s.sent);
        s.sent.clear();

        // Restored: what it holds from each; every other rank sends it again what lies beyond.
        c.onRankMessage(2, LoggingMessage.restored(new long[] {12, 3, 0, 38}));
        assertEquals(List.of("0: resend 2/1/12", "1: resend 2/1/3", "3: resend 2/1/38"), s.sent);
    }

    /**
     * Ranks 1 and 3 fail at once: each answers for the other with what its new incarnation will hold once restored
     * (HOLDS), not with its answer to PEER_RESTARTING; a RESEND for a restarting rank waits until it has restored.
     */
    @Test
    void shouldAnswerForARankRestartingItselfWithWhatItWillHoldAndResendOnlyOnceItHasRestored() {
        Services s = new Services(4);
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankRestarting(1, 1);
        c.onRankMessage(0, accepted(1, 1, 20));
        c.onRankMessage(3, accepted(1, 1, 99)); // rank 3's old incarnation answered, then died
        c.onRankRestarting(3, 1);
        c.onRankMessage(2, accepted(1, 1, 7));
        c.onRankMessage(0, accepted(3, 1, 30));
        c.onRankMessage(2, accepted(3, 1, 31));
        c.onRankMessage(1, accepted(3, 1, 555)); // a restarting rank's answer does not count
        s.sent.clear();
        c.onRankMessage(1, LoggingMessage.holds(new long[] {11, 0, 12, 13}, 0));
        assertEquals(List.of("3: rejoined [30, 13, 31, 0] [0, 1, 0, 1] restarting 1"), s.sent);
        s.sent.clear();
        c.onRankMessage(3, LoggingMessage.holds(new long[] {21, 22, 23, 0}, 0));
        assertEquals(List.of("1: rejoined [20, 0, 7, 22] [0, 1, 0, 1] restarting 3"), s.sent,
                "rank 3's answer is its new incarnation's, not the 99 its dead one gave");
        s.sent.clear();

        // Rank 3 restores first: ranks 0 and 2 resend to it at once, rank 1 once it has restored itself.
        c.onRankMessage(3, LoggingMessage.restored(new long[] {21, 22, 23, 0}));
        assertEquals(List.of("0: resend 3/1/21", "2: resend 3/1/23"), s.sent);
        s.sent.clear();
        c.onRankMessage(1, LoggingMessage.restored(new long[] {11, 0, 12, 13}));
        assertEquals(List.of("0: resend 1/1/11", "2: resend 1/1/12", "3: resend 1/1/13", "1: resend 3/1/22"), s.sent);
    }

    @Test
    void shouldSayOnceEveryOtherRankHasResentHowMuchTheRestartedRankGotAgainAndFromWhom() {
        Services s = new Services(4);
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankRestarting(2, 1);
        for (int r : new int[] {0, 1, 3}) {
            c.onRankMessage(r, accepted(2, 1, 10));
        }
        c.onRankMessage(2, LoggingMessage.restored(new long[] {4, 10, 0, 7}));
        s.events.clear();
        c.onRankMessage(0, new LoggingMessage.Resent(2, 1, 6, 48).encode());
        c.onRankMessage(3, new LoggingMessage.Resent(2, 0, 99, 99).encode()); // about an incarnation that died
        c.onRankMessage(3, new LoggingMessage.Resent(2, 1, 3, 2048).encode());
        assertEquals(List.of(), s.events, "rank 1 has not reported yet");
        c.onRankMessage(1, new LoggingMessage.Resent(2, 1, 0, 0).encode());
        assertEquals(List.of("rank 2 got 9 message(s) (2.0 KiB of payload) again from the others' logs, by sender "
                + "[6, 0, 0, 3]; they did not roll back"), s.events);
    }

    @Test
    void shouldSayNothingOfWhatWasSentAgainToAnIncarnationThatDiedBeforeEveryReportCame() {
        Services s = new Services(3);
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankRestarting(1, 1);
        c.onRankMessage(0, accepted(1, 1, 5));
        c.onRankMessage(2, accepted(1, 1, 5));
        c.onRankMessage(1, LoggingMessage.restored(new long[] {2, 0, 3}));
        c.onRankMessage(0, new LoggingMessage.Resent(1, 1, 3, 24).encode());
        c.onRankRestarting(1, 2); // died again
        s.events.clear();
        c.onRankMessage(2, new LoggingMessage.Resent(1, 1, 2, 16).encode());
        assertEquals(List.of(), s.events, "incarnation 1 is gone: nothing it got counts");
    }

    @Test
    void shouldIgnoreAnswersAboutAnIncarnationThatDiedMeanwhile() {
        Services s = new Services(3);
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankRestarting(1, 1);
        c.onRankMessage(0, accepted(1, 1, 9));
        c.onRankRestarting(1, 2); // died again before rank 2 answered
        s.sent.clear();
        c.onRankMessage(2, accepted(1, 1, 4)); // about incarnation 1: too late
        assertEquals(List.of(), s.sent);
        c.onRankMessage(0, accepted(1, 2, 9));
        c.onRankMessage(2, accepted(1, 2, 4));
        assertEquals(List.of("1: rejoined [9, 0, 4] [0, 2, 0]"), s.sent);
        s.sent.clear();
        c.onRankMessage(1, LoggingMessage.restored(new long[] {9, 0, 4}));
        assertEquals(List.of("0: resend 1/2/9", "2: resend 1/2/4"), s.sent, "stamped with the live incarnation");
    }

    @Test
    void shouldTellAnAloneRankOfOneRankJobAtOnceAndKeepLogSamplesForTheReport() {
        Services s = new Services(1);
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankRestarting(0, 3);
        assertEquals(List.of("0: rejoined [0] [3]"), s.sent);
        c.onRankMessage(0, LoggingMessage.logSize(4096, 8192, 1 << 20, 3 << 20));
        assertEquals(List.of("log 0 4096 8192 1048576 3145728"), s.events);
        assertArrayEquals(new long[] {4096, 8192, 5, 6}, LoggingMessage.logSizeOf(LoggingMessage.logSize(4096, 8192,
                5, 6)));
    }

    @Test
    void shouldCountARankThatFinishedAndRestartedAloneOnceWhenItFinishesAgain() throws Exception {
        Services s = new Services(3);
        LoggingCoordinator c = new LoggingCoordinator(s);
        c.onRankFinished(1);
        c.onRankRestarting(1, 1); // killed after MPI.Finalize
        c.onRankMessage(0, accepted(1, 1, 0));
        c.onRankMessage(2, accepted(1, 1, 0));
        c.onRankFinished(1);
        c.onRankFinished(0);
        // Rank 2 is still running: the verifier must still take its checkpoints.
        s.store.writeLocal(2, 1, new io.snapline.runtime.checkpoint.RankImage(2, 3, 1, 10, 3, 0, List.of(),
                new byte[0], new byte[0], java.nio.ByteBuffer.wrap(new byte[16])).encodeParts());
        c.onRankMessage(2, new LoggingMessage.Checkpointed(1, 10, 100, 5, 0, new long[3], new long[3]).encode());
        c.onRankFinished(2); // waits for the verification and applies it
        assertArrayEquals(new long[] {0, 0, 1}, s.store.recoveryLine().orElseThrow(),
                "rank 2's checkpoint was verified and recorded");

        // Rank 0 dies inside MPI.Finalize after every rank had finished, restarts alone and checkpoints again.
        c.onRankRestarting(0, 1);
        c.onRankMessage(1, accepted(0, 1, 0));
        c.onRankMessage(2, accepted(0, 1, 0));
        s.store.writeLocal(0, 1, new io.snapline.runtime.checkpoint.RankImage(0, 3, 1, 10, 3, 0, List.of(),
                new byte[0], new byte[0], java.nio.ByteBuffer.wrap(new byte[16])).encodeParts());
        c.onRankMessage(0, new LoggingMessage.Checkpointed(1, 10, 100, 5, 0, new long[3], new long[3]).encode());
        c.onRankFinished(0);
        assertArrayEquals(new long[] {1, 0, 1}, s.store.recoveryLine().orElseThrow(),
                "the checkpoint of a rank restarted after every rank had finished is verified too");
    }

    /**
     * Checkpoints a rank reports while the verifier is still reading back an earlier one are not all read back in
     * turn: only the newest, which supersedes the others. (Reading back each made a queue that grew whenever
     * checkpoints came faster than they read back, and what the logs kept grew with it.)
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReadBackOnlyTheNewestOfTheCheckpointsARankReportedWhileTheVerifierWasBusy() throws Exception {
        Services s = new Services(2);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> readBack = java.util.Collections.synchronizedList(new ArrayList<>());
        s.local = (LocalCheckpointStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {LocalCheckpointStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("verifyLocal")) {
                        long index = (Long) args[1];
                        readBack.add(index);
                        if (index == 1) {
                            busy.countDown();
                            release.await();
                        }
                    }
                    try {
                        return method.invoke(s.store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LoggingCoordinator c = new LoggingCoordinator(s);
        for (long k = 1; k <= 4; k++) {
            s.store.writeLocal(1, k, new io.snapline.runtime.checkpoint.RankImage(1, 2, k, 10 * k, 3, 0, List.of(),
                    new byte[0], new byte[0], java.nio.ByteBuffer.wrap(new byte[16])).encodeParts());
        }
        c.onRankMessage(1, new LoggingMessage.Checkpointed(1, 10, 100, 5, 0, new long[] {1, 0}, new long[2]).encode());
        busy.await();
        for (long k = 2; k <= 4; k++) {
            c.onRankMessage(1, new LoggingMessage.Checkpointed(k, 10 * k, 100, 5, 0, new long[] {k, 0}, new long[2])
                    .encode());
        }
        release.countDown();
        c.onRankFinished(0);
        c.onRankFinished(1); // waits for the verifications and applies them
        assertEquals(List.of(1L, 4L), readBack, "checkpoints 2 and 3 were superseded by 4 before their turn");
        assertArrayEquals(new long[] {0, 4}, s.store.recoveryLine().orElseThrow());
    }
}
