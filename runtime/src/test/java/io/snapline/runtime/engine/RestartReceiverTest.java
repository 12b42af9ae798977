package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.device.shm.ShmDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the engine offers a policy that restarts one rank alone while the others run on: a hook that drops messages
 * (as if received), a mailbox emptied for a new incarnation, and a kill that ends a rank where it touches nothing the
 * others share.
 */
@Timeout(30)
class RestartReceiverTest {
    private static final TypeMap INTS = TypeMap.basic(BaseType.INT);

    private final ShmDevice device = new ShmDevice(2);
    private final JobState job = new JobState(2);
    private final Mailbox[] boxes = {new Mailbox(), new Mailbox()};
    private final Endpoint[] ranks = new Endpoint[2];

    RestartReceiverTest() {
        for (int r = 0; r < 2; r++) {
            device.register(r, boxes[r]);
            ranks[r] = new Endpoint(r, device, boxes[r], job);
        }
    }

    /** Drops the messages whose tag is odd; keeps and records the others. */
    private static final class OddDropper implements ChannelHook {
        final List<Integer> kept = new ArrayList<>();

        @Override
        public boolean beforeSend(Send m) {
            return true;
        }

        @Override
        public int onAccept(int source, int context, int tag, int epoch, long seq) {
            if (tag % 2 == 1) {
                return DROP;
            }
            kept.add(tag);
            return KEEP;
        }

        @Override
        public void log(Message m, byte[] payload) {
        }
    }

    private Request send(SendMode mode, int tag, int... values) {
        return ranks[0].isend(mode, values, 0, values.length, INTS, 1, tag, 0, 1);
    }

    private int[] recv(int tag, int count) {
        int[] buf = new int[count];
        ranks[1].await(ranks[1].irecv(buf, 0, count, INTS, 0, tag, 0, null));
        return buf;
    }

    @Test
    void shouldCompleteTheSendsOfDroppedMessagesOfEveryPathAndLeaveThePostedReceivesForTheNext() {
        OddDropper hook = new OddDropper();
        ranks[1].setHook(hook);
        int[] big = new int[64 * 1024]; // a rendezvous: its send completes only once the message is taken or dropped
        big[5] = 9;
        int[] posted = new int[1];
        Request r = ranks[1].irecv(posted, 0, 1, INTS, 0, Ranks.ANY_TAG, 0, null);
        Request bigSend = send(SendMode.STANDARD, 1, big);
        assertTrue(bigSend.isComplete(), "the dropped rendezvous send completed");
        Request sync = send(SendMode.SYNCHRONOUS, 3, 7);
        assertTrue(sync.isComplete(), "a dropped Ssend completes as if received");
        for (int i = 0; i < 5; i++) {
            ranks[0].await(send(SendMode.STANDARD, 5, 100 + i)); // small ones, through the ring after the first
        }
        assertFalse(r.isComplete(), "no dropped message matched the posted receive");
        ranks[0].await(send(SendMode.STANDARD, 2, 42));
        ranks[1].await(r);
        assertArrayEquals(new int[] {42}, posted);
        assertEquals(List.of(2), hook.kept);
    }

    @Test
    void shouldEmptyTheMailboxForANewIncarnationAndCompleteTheSendsWaitingForIt() {
        int[] big = new int[64 * 1024];
        Request waiting = send(SendMode.STANDARD, 4, big);
        ranks[0].await(send(SendMode.STANDARD, 6, 1));
        ranks[0].await(send(SendMode.STANDARD, 6, 2));
        ranks[1].irecv(new int[1], 0, 1, INTS, 0, 99, 0, null); // the dead incarnation's receive
        ranks[0].await(send(SendMode.STANDARD, 6, 3)); // in the ring, not taken yet
        assertFalse(waiting.isComplete());
        OddDropper none = new OddDropper();
        boxes[1].restartReceiver(none);
        assertTrue(waiting.isComplete(), "a sender waiting for the dead incarnation completes");
        assertEquals(0, boxes[1].unexpectedCount());
        assertEquals(List.of(6), none.kept, "what the ring held went through the new hook, after the reset");
        Endpoint reborn = new Endpoint(1, device, boxes[1], job);
        ranks[1] = reborn;
        reborn.setHook(null);
        ranks[0].await(send(SendMode.STANDARD, 99, 5));
        assertArrayEquals(new int[] {5}, recv(99, 1), "the new incarnation's receive, not the dead one's, gets it");
    }

    @Test
    void shouldEndAKilledRanksWaitAndEveryLaterCallWithRankKilledError() throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                recv(1, 1);
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        job.bindThread(1, t);
        t.start();
        ranks[1].kill("injected failure");
        Throwable e;
        try {
            e = ended.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
            throw new AssertionError(ex);
        }
        assertTrue(e instanceof RankKilledError, String.valueOf(e));
        assertEquals("rank 1 was killed: injected failure", e.getMessage());
        assertThrows(RankKilledError.class, () -> ranks[1].isend(SendMode.STANDARD, new int[1], 0, 1, INTS, 0, 1, 0,
                0));
        assertFalse(ranks[0].isKilled());
        assertFalse(job.isAborted(), "the others run on");
    }

    @Test
    void shouldRunAnActionWithNothingAcceptedMeanwhileAfterTakingWhatTheRingsHold() {
        OddDropper hook = new OddDropper();
        ranks[1].setHook(hook);
        ranks[0].await(send(SendMode.STANDARD, 2, 1));
        ranks[0].await(send(SendMode.STANDARD, 4, 2)); // the second small message goes through the ring
        int seen = boxes[1].atomically(() -> hook.kept.size());
        assertEquals(2, seen, "the ring's message was taken before the action ran");
    }
}
