package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.Envelope;
import io.snapline.runtime.checkpoint.NonePolicy;
import io.snapline.runtime.checkpoint.Outgoing;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.SavedMessage;
import io.snapline.runtime.checkpoint.TrafficHook;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rank killed on {@code shm} while its thread works on another rank's mailbox: on {@code shm} a sender takes the
 * small messages waiting in the receiver's ring before it hands over one on the locked path, and runs the receiver's
 * policy hook for each, under the receiver's lock. The kill must not land there (as {@code Thread.stop} did), or the
 * receiver's hook has counted a message that is still in the ring, and the receiver takes it a second time (CI saw
 * {@code coordinated-nb} reject the repeat, and an {@code Allgatherv} of the independent policy receive a block twice).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmKillTest {
    private static final int TAG_SMALL = 1;
    private static final int TAG_WATCHED = 2;
    private static final int TAG_LARGE = 3;

    @TempDir
    Path store;

    /**
     * Rank 1 sends rank 0 small messages (into the ring) and then a large one (the locked path, which takes the ring's
     * first); rank 0 stays out of the runtime meanwhile (in its policy, at its first safe point), so rank 1's thread is
     * the one that takes them.
     */
    public static class SmallThenLarge {
        public static void main(String[] args) {
            MPI.Init(args);
            Checkpoint.point(); // rank 0 waits here until rank 1's part is over; rank 1 until rank 0 is waiting
            if (MPI.COMM_WORLD.Rank() == 1) {
                MPI.COMM_WORLD.Send(new int[] {1}, 0, 1, MPI.INT, 0, TAG_SMALL);
                MPI.COMM_WORLD.Send(new int[] {2}, 0, 1, MPI.INT, 0, TAG_WATCHED);
                MPI.COMM_WORLD.Send(new int[1024], 0, 1024, MPI.INT, 0, TAG_LARGE);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldLetAKilledRanksThreadLeaveTheMailboxItWorksOnWhole() {
        Scripted policy = new Scripted();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        LaunchOptions options = LaunchOptions.parse(Map.of("none", new NonePolicy(), "scripted", policy),
                "-np", "2", "-dev", "shm", "-cp", MpiRun.classPathOf(SmallThenLarge.class), "--checkpoint", "scripted",
                "--store", store.toString(), "--max-restarts", "0", "--inject-failure", "rank=1,during-checkpoint=1",
                SmallThenLarge.class.getName());

        JobResult r = ShmJob.run(options, Supervision.open(options, policy, e),
                new PrintStream(out, true, StandardCharsets.UTF_8), e);

        String log = err.toString(StandardCharsets.UTF_8);
        assertNull(policy.problem.get(), log);
        assertTrue(policy.killedInHook.get(), "the kill came while rank 1's thread ran rank 0's hook\n" + log);
        assertEquals(1, policy.watchedAccepts.get(), "rank 0 accepted rank 1's small message once\n" + log);
        assertFalse(r.succeeded(), log);
        assertEquals(1, r.failures().get(0).rank(), log);
        assertTrue(log.contains("rank 1 failed (killed: injected failure while writing checkpoint 1)"), log);
    }

    /**
     * A policy that scripts the interleaving: rank 0's hook, run by rank 1's thread for the watched message, has rank 1
     * killed (its injected failure "during checkpoint 1") and waits until the kill reaches the thread; rank 0 waits at
     * its first safe point until then, and takes what its rings hold.
     */
    private static final class Scripted implements CheckpointPolicy {
        final CountDownLatch zeroWaits = new CountDownLatch(1);
        final CountDownLatch episodeOver = new CountDownLatch(1);
        final AtomicReference<RankServices> one = new AtomicReference<>();
        final AtomicReference<Thread> oneThread = new AtomicReference<>();
        final AtomicInteger watchedAccepts = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean killedInHook = new java.util.concurrent.atomic.AtomicBoolean();
        final AtomicReference<String> problem = new AtomicReference<>();

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public String description() {
            return "scripts a kill inside another rank's mailbox (a test policy)";
        }

        @Override
        public RankPolicy forRank(RankServices services) {
            if (services.rank() == 0) {
                services.installHook(new Hook());
            } else {
                one.set(services);
            }
            services.exchange(new long[services.size()], 2); // nobody sends before rank 0 watches
            return new RankPolicy() {
                @Override
                public void atPoint(long point) {
                    if (point != 1) {
                        return;
                    }
                    try {
                        if (services.rank() == 1) {
                            oneThread.set(Thread.currentThread());
                            zeroWaits.await();
                        } else {
                            zeroWaits.countDown();
                            episodeOver.await();
                            services.atomically(() -> null); // takes what the rings hold, under the lock
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onControl(byte[] message) {
                }
            };
        }

        @Override
        public PolicyCoordinator coordinator(CoordinatorServices services) {
            return new PolicyCoordinator() {
                @Override
                public void onRankMessage(int rank, byte[] message) {
                }

                @Override
                public void onTick(long nanoTime) {
                }

                @Override
                public void onRankFinished(int rank) {
                }
            };
        }

        /** Rank 0's hook. */
        private final class Hook implements TrafficHook {
            @Override
            public boolean beforeSend(Outgoing m) {
                return true;
            }

            @Override
            public int onAccept(Envelope e) {
                if (e.source() != 1 || e.tag() != TAG_WATCHED) {
                    return KEEP;
                }
                if (watchedAccepts.incrementAndGet() > 1) {
                    return KEEP;
                }
                if (Thread.currentThread() != oneThread.get()) {
                    problem.set("rank 1's thread did not take the watched message: " + Thread.currentThread());
                    episodeOver.countDown();
                    return KEEP;
                }
                try {
                    one.get().aboutToWrite(CheckpointId.of(1)); // rank 1's injected failure: it is killed now
                    new CountDownLatch(1).await(30, TimeUnit.SECONDS); // until the kill reaches this thread
                    problem.set("the kill never reached rank 1's thread");
                } catch (InterruptedException ie) {
                    killedInHook.set(true); // the kill interrupts the thread, which finishes what it does here
                    Thread.currentThread().interrupt();
                } catch (Error killed) {
                    killedInHook.set(true); // the thread was stopped here
                    throw killed;
                } finally {
                    episodeOver.countDown();
                }
                return KEEP;
            }

            @Override
            public void log(Envelope e, SavedMessage saved) {
            }
        }
    }
}
