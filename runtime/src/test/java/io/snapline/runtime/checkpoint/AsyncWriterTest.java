package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.CheckpointException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The at-most-one-in-flight rule and the skip/wait decisions, on an executor that runs nothing until the test says
 * so: a write is "in flight" exactly while its task sits in the queue.
 */
class AsyncWriterTest {
    /** Queues tasks; {@link #runNext} runs the oldest on the test's thread. */
    private static final class HeldExecutor implements Executor {
        final ArrayDeque<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            queued.add(task);
        }

        void runNext() {
            queued.remove().run();
        }
    }

    private final HeldExecutor executor = new HeldExecutor();
    private final List<CheckpointDeferred> reported = new ArrayList<>();
    private final List<String> waits = new ArrayList<>();
    private long now;

    /** A writer whose wait runs the queued write (as the writer thread would) and takes 5 ns of the fake clock. */
    private AsyncWriter writer(boolean local) {
        return new AsyncWriter(() -> executor, local, (condition, what) -> {
            waits.add(what);
            while (!condition.getAsBoolean()) {
                executor.runNext();
                now += 5;
            }
        }, reported::add, () -> now, 3);
    }

    @Test
    void shouldAdmitAtOnceWhenNoWriteIsInFlight() {
        AsyncWriter w = writer(true);
        assertTrue(w.admit(10, AsyncWriter.WhenBusy.SKIP));
        assertTrue(w.admit(11, AsyncWriter.WhenBusy.WAIT));
        assertTrue(reported.isEmpty());
        assertTrue(waits.isEmpty());
    }

    @Test
    void shouldSkipTheDueCheckpointAndReportItWhileThePreviousWriteIsInFlight() {
        AsyncWriter w = writer(true);
        w.start(1, () -> { });
        assertTrue(w.inFlight());
        assertFalse(w.admit(20, AsyncWriter.WhenBusy.SKIP));
        assertEquals(List.of(new CheckpointDeferred(true, 20, 1, true, 0)), reported);
        assertTrue(waits.isEmpty(), "a skip never waits");
        assertEquals(1, executor.queued.size(), "the write in flight is left alone");

        executor.runNext();
        assertFalse(w.inFlight());
        assertTrue(w.admit(30, AsyncWriter.WhenBusy.SKIP), "durable now: the next one is taken");
        assertEquals(1, reported.size());
    }

    @Test
    void shouldWaitForThePreviousWriteAndReportTheTimeWaitedWhenThePolicyNeedsTheCheckpoint() {
        AsyncWriter w = writer(false);
        boolean[] wrote = {false};
        w.start(7, () -> wrote[0] = true);
        assertTrue(w.admit(40, AsyncWriter.WhenBusy.WAIT));
        assertTrue(wrote[0], "admitted only once the previous piece was written");
        assertEquals(List.of(new CheckpointDeferred(false, 40, 7, false, 5)), reported);
        assertEquals(List.of("writing its checkpoint 7"), waits);
    }

    @Test
    void shouldRefuseASecondWriteWhileOneIsInFlight() {
        AsyncWriter w = writer(true);
        w.start(1, () -> { });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.start(2, () -> { }));
        assertEquals("rank 3 starts writing checkpoint 2 while checkpoint 1 is still being written; at most one "
                + "write is in flight", e.getMessage());
        assertEquals(1, executor.queued.size());
    }

    @Test
    void shouldRethrowAFailedWriteOnTheProgramThreadAtTheNextCheckpoint() {
        AsyncWriter w = writer(true);
        w.start(4, () -> {
            throw new IllegalStateException("disk full");
        });
        executor.runNext();
        CheckpointException e = assertThrows(CheckpointException.class, () -> w.admit(50,
                AsyncWriter.WhenBusy.SKIP));
        assertEquals("rank 3 could not write its checkpoint 4: disk full", e.getMessage());
        assertTrue(w.admit(60, AsyncWriter.WhenBusy.SKIP), "reported once");
    }

    @Test
    void shouldReuseOneWriteSlotFromCheckpointToCheckpoint() {
        AsyncWriter w = writer(true);
        for (long id = 1; id <= 3; id++) {
            assertTrue(w.admit(id * 10, AsyncWriter.WhenBusy.WAIT));
            w.start(id, () -> { });
        }
        assertEquals(2, reported.size(), "the second and third waited for the one before");
        assertEquals(1, executor.queued.size(), "never more than one in flight");
    }
}
