package io.snapline.checkpoint.coordinated.nb;

import static io.snapline.checkpoint.coordinated.nb.NbSimulator.Op.forward;
import static io.snapline.checkpoint.coordinated.nb.NbSimulator.Op.point;
import static io.snapline.checkpoint.coordinated.nb.NbSimulator.Op.recv;
import static io.snapline.checkpoint.coordinated.nb.NbSimulator.Op.recvAny;
import static io.snapline.checkpoint.coordinated.nb.NbSimulator.Op.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.coordinated.nb.NbSimulator.Mode;
import io.snapline.checkpoint.coordinated.nb.NbSimulator.Op;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scripted and randomised failure/restart runs: every rank must receive exactly what a failure-free run does. */
@Timeout(60)
class NbSimulationTest {

    private static NbSimulator run(Mode mode, List<List<Op>> programs, Consumer<NbSimulator> script) {
        NbSimulator sim = new NbSimulator(mode, programs);
        script.accept(sim);
        sim.runToEnd();
        return sim;
    }

    @Test
    void shouldReplayLateMessageWhenSenderIsRestoredPastItsSend() {
        List<List<Op>> programs = List.of(
                List.of(send(1, "a"), point(), send(1, "b")),
                List.of(point(), recv(0), recv(0)));
        Consumer<NbSimulator> script = sim -> {
            sim.requestCheckpoint();
            sim.step(0);                       // a leaves before rank 0's checkpoint
            sim.control(1).step(1);            // rank 1 checkpoints first
            sim.deliver(0, 1).step(1);         // a is late: accepted and received after rank 1's checkpoint
            sim.control(0).step(0);            // rank 0 checkpoints
            sim.controlAll().writePieces().controlAll();
            sim.step(0).kill(0);               // b sent, then rank 0 dies
        };
        NbSimulator nb = run(Mode.NB, programs, script);
        assertTrue(nb.log().contains("0->1 a LATE"), nb.log().toString());
        assertTrue(nb.log().contains("restart from 1"), nb.log().toString());
        assertEquals(NbSimulator.expected(programs), nb.received());

        NbSimulator naive = run(Mode.NAIVE, programs, script);
        assertEquals(1, naive.committed());
        assertEquals(List.of(List.of(), List.of("b")), naive.received(), "naive restart loses the late message");
    }

    @Test
    void shouldSuppressEarlyMessageWhenSenderReExecutesItAfterRestart() {
        List<List<Op>> programs = List.of(
                List.of(point(), send(1, "a"), send(1, "b")),
                List.of(recv(0), point(), recv(0)));
        Consumer<NbSimulator> script = sim -> {
            sim.requestCheckpoint();
            sim.control(0).step(0);            // rank 0 checkpoints
            sim.step(0).deliver(0, 1);         // a sent after it: early for rank 1, which learns of the checkpoint
            sim.step(1).control(1).step(1);    // rank 1 receives a, then checkpoints
            sim.controlAll().writePieces().controlAll();
            sim.kill(1);
        };
        NbSimulator nb = run(Mode.NB, programs, script);
        assertTrue(nb.log().contains("0->1 a EARLY"), nb.log().toString());
        assertTrue(nb.log().contains("0->1 a SUPPRESSED"), nb.log().toString());
        assertEquals(NbSimulator.expected(programs), nb.received());

        NbSimulator naive = run(Mode.NAIVE, programs, script);
        assertEquals(List.of(List.of(), List.of("a", "a")), naive.received(), "naive restart duplicates it");
    }

    @Test
    void shouldRecoverWhenMessagesCrossInBothDirectionsDuringOneCheckpoint() {
        List<List<Op>> programs = List.of(
                List.of(send(1, "a0"), point(), send(1, "b0"), recv(1), recv(1)),
                List.of(send(0, "a1"), point(), send(0, "b1"), recv(0), recv(0)));
        Consumer<NbSimulator> script = sim -> {
            sim.requestCheckpoint();
            sim.controlAll();
            sim.steps(0, 3);                               // a0, checkpoint, b0
            sim.deliver(0, 1).deliver(0, 1);               // a0 normal, b0 early for rank 1
            sim.steps(1, 3);                               // a1, checkpoint, b1
            sim.deliver(1, 0).deliver(1, 0);               // a1 late for rank 0, b1 normal
            sim.controlAll();
            sim.step(0);                                   // rank 0 receives (logs) a1
            sim.writePieces().controlAll();
            sim.step(1).kill(0);
        };
        NbSimulator nb = run(Mode.NB, programs, script);
        assertTrue(nb.log().containsAll(List.of("0->1 b0 EARLY", "1->0 a1 LATE", "0->1 b0 SUPPRESSED")),
                nb.log().toString());
        assertEquals(NbSimulator.expected(programs), nb.received());
        assertNotEquals(NbSimulator.expected(programs), run(Mode.NAIVE, programs, script).received());
    }

    private static List<List<Op>> pingPong(int rounds) {
        List<Op> a = new ArrayList<>();
        List<Op> b = new ArrayList<>();
        for (int k = 1; k <= rounds; k++) {
            a.addAll(List.of(send(1, "x" + k), point(), recv(1)));
            b.addAll(List.of(recv(0), point(), send(0, "y" + k)));
        }
        return List.of(a, b);
    }

    @Test
    void shouldRestoreFromPreviousCheckpointWhenFailureHitsOpenCheckpoint() {
        List<List<Op>> programs = pingPong(6);
        NbSimulator sim = new NbSimulator(Mode.NB, programs);
        assertEquals(1, sim.requestCheckpoint());
        sim.runUntil(() -> sim.committed() == 1);
        assertEquals(2, sim.requestCheckpoint());
        sim.runUntil(() -> sim.protocol(0).epoch() == 2);
        assertEquals(NbCoordinatorState.REQUESTED, sim.coordinator().state());
        sim.kill(1);
        assertTrue(sim.log().stream().anyMatch(l -> l.startsWith("abandoned 2") || l.equals("restart from 1")));
        assertTrue(sim.log().contains("restart from 1"), sim.log().toString());
        assertTrue(sim.runToEnd());
        assertEquals(NbSimulator.expected(programs), sim.received());
    }

    @Test
    void shouldRestoreFromNewCheckpointWhenFailureFollowsCommitBeforeRanksHearOfIt() {
        List<List<Op>> programs = pingPong(4);
        NbSimulator sim = new NbSimulator(Mode.NB, programs);
        sim.requestCheckpoint();
        sim.runUntil(() -> sim.committed() == 1);
        assertEquals(NbRankState.PREPARED, sim.protocol(0).state(), sim.log().toString());
        sim.kill(0);
        assertTrue(sim.log().contains("restart from 1"));
        assertTrue(sim.runToEnd());
        assertEquals(NbSimulator.expected(programs), sim.received());
    }

    @Test
    void shouldRecoverWhenTwoSuccessiveCheckpointsAreEachFollowedByAFailure() {
        List<List<Op>> programs = pingPong(8);
        NbSimulator sim = new NbSimulator(Mode.NB, programs);
        sim.requestCheckpoint();
        sim.runUntil(() -> sim.committed() == 1);
        sim.runUntil(() -> sim.received().get(0).size() >= 3).kill(1);
        assertEquals(2, sim.requestCheckpoint());
        sim.runUntil(() -> sim.committed() == 2);
        sim.runUntil(() -> sim.received().get(1).size() >= 5);
        sim.kill(0);
        assertEquals(List.of("restart from 1", "restart from 2"),
                sim.log().stream().filter(l -> l.startsWith("restart")).toList());
        assertTrue(sim.runToEnd());
        assertEquals(NbSimulator.expected(programs), sim.received());
    }

    @Test
    void shouldRestartFromScratchWhenFailureComesBeforeAnyCommit() {
        List<List<Op>> programs = pingPong(3);
        NbSimulator sim = new NbSimulator(Mode.NB, programs);
        sim.requestCheckpoint();
        sim.steps(0, 2);
        sim.kill(0);
        assertTrue(sim.log().contains("restart from 0"));
        assertTrue(sim.runToEnd());
        assertEquals(NbSimulator.expected(programs), sim.received());
    }

    /** Deadlock-free random programs: each round, every rank sends first, then receives that round's messages. */
    static List<List<Op>> randomPrograms(Random random, int n) {
        List<List<Op>> programs = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            programs.add(new ArrayList<>());
        }
        int rounds = 3 + random.nextInt(6);
        int[][] counter = new int[n][n];
        for (int round = 0; round < rounds; round++) {
            List<List<Op>> recvs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                recvs.add(new ArrayList<>());
            }
            for (int from = 0; from < n; from++) {
                List<Op> sends = new ArrayList<>();
                for (int to = 0; to < n; to++) {
                    int count = to == from ? 0 : random.nextInt(3);
                    for (int c = 0; c < count; c++) {
                        sends.add(send(to, from + ">" + to + "#" + ++counter[from][to]));
                        recvs.get(to).add(recv(from));
                    }
                }
                Collections.shuffle(sends, random);
                programs.get(from).addAll(sends);
                if (random.nextInt(3) == 0) {
                    programs.get(from).add(point());
                }
            }
            for (int r = 0; r < n; r++) {
                Collections.shuffle(recvs.get(r), random);
                programs.get(r).addAll(recvs.get(r));
                if (random.nextInt(4) != 0) {
                    programs.get(r).add(point());
                }
            }
        }
        return programs;
    }

    @Test
    void shouldReceiveExactlyTheFailureFreeMessagesWhenRandomSchedulesAndFailuresAreSwept() {
        int late = 0;
        int early = 0;
        int suppressed = 0;
        int restartsFromCheckpoint = 0;
        int commits = 0;
        for (int seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            List<List<Op>> programs = randomPrograms(random, 3 + random.nextInt(2));
            int failures = random.nextInt(3);
            int[] failAt = new int[failures];
            for (int f = 0; f < failures; f++) {
                failAt[f] = (f == 0 ? 0 : failAt[f - 1]) + 20 + random.nextInt(120);
            }
            NbSimulator sim = new NbSimulator(Mode.NB, programs);
            boolean finished = sim.runRandom(random, failAt);
            assertTrue(finished, "seed " + seed + " got stuck; log " + sim.log());
            assertEquals(NbSimulator.expected(programs), sim.received(), "seed " + seed + ": " + sim.log());
            for (String line : sim.log()) {
                late += line.endsWith(" LATE") ? 1 : 0;
                early += line.endsWith(" EARLY") ? 1 : 0;
                suppressed += line.endsWith(" SUPPRESSED") ? 1 : 0;
                restartsFromCheckpoint += line.startsWith("restart from") && !line.equals("restart from 0") ? 1 : 0;
                commits += line.startsWith("committed") ? 1 : 0;
            }
        }
        // The sweep must actually exercise the hard cases, or it proves nothing.
        assertTrue(late > 20 && early > 20 && suppressed > 5 && restartsFromCheckpoint > 20 && commits > 100,
                "late=" + late + " early=" + early + " suppressed=" + suppressed + " restarts="
                        + restartsFromCheckpoint + " commits=" + commits);
    }

    @Test
    void shouldBreakNaiveSnapshotsWhenTheSameRandomSweepRunsWithoutChannelState() {
        int wrong = 0;
        for (int seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            List<List<Op>> programs = randomPrograms(random, 3 + random.nextInt(2));
            NbSimulator sim = new NbSimulator(Mode.NAIVE, programs);
            boolean finished = sim.runRandom(random, 40 + random.nextInt(80));
            if (!finished || !NbSimulator.expected(programs).equals(sim.received())) {
                wrong++;
            }
        }
        assertTrue(wrong > 10, "naive protocol was wrong in only " + wrong + " of 200 runs");
    }

    // ---- programs that receive from any rank -------------------------------------------------------------------

    /**
     * Rank 0 checkpoints, takes rank 2's message before rank 1's and tells rank 2 so (an early message: rank 2 has
     * not checkpointed yet, and its checkpoint will hold it); then rank 0 fails. Re-executed, rank 0 must take rank
     * 2's message first again, or the message it re-sends (suppressed, since rank 2 has it) says something else than
     * what rank 2 holds.
     */
    private static final List<List<Op>> FARM = List.of(
            List.of(point(), recvAny(), forward(2, "f"), recvAny(), recvAny(), recvAny()),
            List.of(send(0, "a"), point(), send(0, "c")),
            List.of(send(0, "b"), recv(0), point(), send(0, "d")));

    private static final Consumer<NbSimulator> EARLY_CHOICE = sim -> {
        sim.requestCheckpoint();
        sim.step(1).step(2).deliver(1, 0).deliver(2, 0);   // a and b wait in rank 0's mailbox
        sim.control(0).step(0);                            // rank 0 checkpoints with both unreceived
        sim.stepAny(0, 2).step(0);                         // takes b, sends f@2
        sim.deliver(0, 2).step(2);                         // early at rank 2, which receives it
        sim.control(2).step(2).control(1).step(1);         // ranks 2 and 1 checkpoint
        sim.controlAll().writePieces().controlAll();
        sim.kill(0);
    };

    @Test
    void shouldReplayARecordedChoiceWhenTheRestartedRankWouldTakeAnotherSendersMessage() {
        NbSimulator nb = run(Mode.NB, FARM, EARLY_CHOICE);
        assertTrue(nb.log().containsAll(List.of("committed 1", "0->2 f@2 EARLY", "restart from 1",
                "rank 0 replayed receive from 2", "0->2 f@2 SUPPRESSED")), nb.log().toString());
        assertEquals(List.of(), nb.inconsistencies(), nb.log().toString());

        NbSimulator blind = run(Mode.NB_BLIND, FARM, EARLY_CHOICE);
        assertTrue(blind.log().contains("0->2 f@1 SUPPRESSED"), blind.log().toString());
        assertEquals(List.of("0->2 sent [f@1] received [f@2]"), blind.inconsistencies(),
                "without its recorded choice rank 0 re-sends another message than rank 2 holds");
    }

    /**
     * Two restarts in a row. Rank 0 takes rank 2's message first and tells rank 2 so (early); the job restarts from
     * checkpoint 1, where rank 2 holds that message, and rank 0 must re-send it (suppressed) after replaying its
     * choice. A checkpoint 2 requested before it has done so must not be taken by rank 0 until it has: otherwise
     * checkpoint 2 holds rank 2 with the message and rank 0 before the choice, and since every rank took checkpoint 2
     * before rank 0 made the choice again, the choice is in no recorded log; restarted from checkpoint 2, rank 0
     * chooses freely and re-sends (suppressed) another message than the one rank 2 holds.
     */
    @Test
    void shouldNotTakeACheckpointBeforeReSendingWhatPeersAlreadyHold() {
        List<List<Op>> programs = List.of(
                List.of(point(), point(), recvAny(), forward(2, "f"), point(), recvAny(), recvAny(), recvAny(),
                        send(1, "z"), send(2, "z")),
                List.of(send(0, "a"), point(), send(0, "c"), point(), recv(0)),
                List.of(send(0, "b"), recv(0), point(), send(0, "d"), point(), recv(0)));
        NbSimulator sim = new NbSimulator(Mode.NB, programs);
        sim.requestCheckpoint();
        sim.step(1).step(2).deliver(1, 0).deliver(2, 0);   // a and b wait in rank 0's mailbox
        sim.control(0).step(0).step(0);                    // rank 0 checkpoints, then passes its second safe point
        sim.stepAny(0, 2).step(0);                         // takes b, sends f@2
        sim.deliver(0, 2).step(2);                         // early at rank 2, which receives it
        sim.control(2).step(2).control(1).step(1);         // ranks 2 and 1 checkpoint
        sim.controlAll().writePieces().controlAll();
        assertEquals(1, sim.committed(), sim.log().toString());
        sim.kill(1);
        assertTrue(sim.log().contains("restart from 1"), sim.log().toString());

        assertEquals(2, sim.requestCheckpoint());
        sim.control(0).step(0);                            // rank 0's second safe point: f not yet re-sent
        assertEquals(NbRankState.CHECKPOINT_REQUESTED, sim.protocol(0).state(),
                "rank 0 waits with checkpoint 2 until it has re-sent f: " + sim.log());
        sim.passTime(10 * NbSimulator.TIMEOUT);            // re-executing up to f takes long: no timeout meanwhile
        assertEquals(NbCoordinatorState.REQUESTED, sim.coordinator().state(), sim.log().toString());
        sim.step(1).control(1).step(1).step(2).control(2).step(2); // ranks 1 and 2 checkpoint
        sim.runUntil(() -> sim.committed() == 2);
        assertTrue(sim.log().contains("0->2 f@2 SUPPRESSED"), sim.log().toString());
        sim.kill(1);
        assertTrue(sim.log().contains("restart from 2"), sim.log().toString());
        assertTrue(sim.runToEnd(), sim.log().toString());
        assertEquals(List.of(), sim.inconsistencies(), sim.log().toString());
        assertEquals(List.of("f@2", "z"), sim.received().get(2), sim.log().toString());
    }

    @Test
    void shouldEndTheReplayFreelyAtAMessageSentAfterItsSenderStoppedRecording() {
        List<List<Op>> programs = List.of(
                List.of(point(), recvAny(), recvAny(), point()),
                List.of(point(), send(0, "x"), point()),
                List.of(point(), send(0, "y"), point()));
        NbSimulator sim = new NbSimulator(Mode.NB, programs);
        sim.requestCheckpoint();
        sim.control(0).step(0).control(1).step(1).control(2).step(2);   // all three checkpoint, 0 first
        sim.control(1);                                                 // rank 1 has every promise: it stops recording
        sim.step(1).deliver(1, 0).stepAny(0, 1);                        // rank 0, still recording, takes x
        sim.controlAll().writePieces().controlAll();
        assertEquals(1, sim.committed(), sim.log().toString());
        sim.kill(2);
        assertTrue(sim.runToEnd());
        assertTrue(sim.log().contains("rank 0 replay over: event 1 (Recv from ANY_SOURCE, tag 0 matched rank 1 tag 0"
                + " seq 1) observed a message rank 1 sent after its own recording ended; the rank runs freely from"
                + " there"), sim.log().toString());
        assertEquals(List.of(), sim.inconsistencies());
    }

    /**
     * Deadlock-free random programs in rounds where some ranks ("wild") receive every message from any rank, forward
     * what they saw and pass a safe point every round, while the others pass one now and then. A round: every rank
     * sends its first messages; a wild rank then receives as many messages as the first sends bring it, sends the
     * rest (forwards that depend on the order it received in), and receives the remaining messages; the other ranks
     * receive theirs from named ranks. A wild rank's choices after its checkpoint thus often shape messages that
     * reach a rank before that rank's checkpoint.
     */
    static List<List<Op>> randomWildcardPrograms(Random random, int n) {
        boolean[] wild = new boolean[n];
        wild[random.nextInt(n)] = true;
        for (int r = 0; r < n; r++) {
            wild[r] |= random.nextInt(3) == 0;
        }
        List<List<Op>> programs = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            programs.add(new ArrayList<>());
        }
        int rounds = 6 + random.nextInt(8);
        int[][] counter = new int[n][n];
        for (int round = 0; round < rounds; round++) {
            List<List<Op>> first = new ArrayList<>();
            List<List<Op>> second = new ArrayList<>();
            int[] firstFor = new int[n];
            List<List<Op>> named = new ArrayList<>();
            int[] secondFor = new int[n];
            for (int r = 0; r < n; r++) {
                first.add(new ArrayList<>());
                second.add(new ArrayList<>());
                named.add(new ArrayList<>());
            }
            for (int from = 0; from < n; from++) {
                for (int to = 0; to < n; to++) {
                    int count = to == from ? 0 : random.nextInt(3);
                    for (int c = 0; c < count; c++) {
                        String label = from + ">" + to + "#" + ++counter[from][to];
                        boolean late = wild[from] && random.nextBoolean();
                        (late ? second : first).get(from).add(wild[from] ? forward(to, label)
                                : random.nextBoolean() ? forward(to, label) : send(to, label));
                        if (late) {
                            secondFor[to]++;
                        } else {
                            firstFor[to]++;
                        }
                        named.get(to).add(recv(from));
                    }
                }
            }
            for (int r = 0; r < n; r++) {
                List<Op> ops = programs.get(r);
                Collections.shuffle(first.get(r), random);
                ops.addAll(first.get(r));
                if (wild[r]) {
                    for (int k = 0; k < firstFor[r]; k++) {
                        ops.add(recvAny());
                    }
                    Collections.shuffle(second.get(r), random);
                    ops.addAll(second.get(r));
                    for (int k = 0; k < secondFor[r]; k++) {
                        ops.add(recvAny());
                    }
                } else {
                    Collections.shuffle(named.get(r), random);
                    ops.addAll(named.get(r));
                }
                if (wild[r] || random.nextInt(4) == 0) {
                    ops.add(point());
                }
            }
        }
        return programs;
    }

    private static int sweepWildcards(Mode mode, int[] counts) {
        int inconsistent = 0;
        for (int seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            List<List<Op>> programs = randomWildcardPrograms(random, 3 + random.nextInt(2));
            int failures = 1 + random.nextInt(2);
            int[] failAt = new int[failures];
            for (int f = 0; f < failures; f++) {
                failAt[f] = (f == 0 ? 0 : failAt[f - 1]) + 40 + random.nextInt(200);
            }
            NbSimulator sim = new NbSimulator(mode, programs);
            boolean finished = sim.runRandom(random, failAt);
            assertTrue(finished, "seed " + seed + " got stuck; log " + sim.log());
            if (!sim.inconsistencies().isEmpty()) {
                inconsistent++;
                if (mode == Mode.NB) {
                    throw new AssertionError("seed " + seed + ": " + sim.inconsistencies() + "\n" + sim.log());
                }
            }
            for (String line : sim.log()) {
                counts[0] += line.contains(" replayed receive from ") ? 1 : 0;
                counts[1] += line.endsWith(" SUPPRESSED") ? 1 : 0;
                counts[2] += line.contains("replay over: event") && line.contains("after its own recording ended")
                        ? 1 : 0;
                counts[3] += line.startsWith("restart from") && !line.equals("restart from 0") ? 1 : 0;
            }
        }
        return inconsistent;
    }

    @Test
    void shouldKeepEveryChannelConsistentWhenRandomProgramsReceiveFromAnyRankAndFail() {
        int[] counts = new int[4];
        assertEquals(0, sweepWildcards(Mode.NB, counts));
        // The sweep must exercise replays, suppressed re-sends, bounded replays and restarts from checkpoints.
        assertTrue(counts[0] > 500 && counts[1] > 300 && counts[2] > 5 && counts[3] > 80,
                "replayed receives=" + counts[0] + " suppressed=" + counts[1] + " bounded replays=" + counts[2]
                        + " restarts from a checkpoint=" + counts[3]);
    }

    @Test
    void shouldBreakConsistencyWithoutDeterminantsWhenTheSameWildcardSweepRuns() {
        int wrong = sweepWildcards(Mode.NB_BLIND, new int[4]);
        assertTrue(wrong > 20, "without recorded choices only " + wrong + " of 300 runs went wrong");
    }

    @Test
    void shouldMatchFailureFreeRunWhenNoFailureIsInjected() {
        Random random = new Random(7);
        List<List<Op>> programs = randomPrograms(random, 4);
        NbSimulator sim = new NbSimulator(Mode.NB, programs);
        assertTrue(sim.runRandom(random));
        assertEquals(NbSimulator.expected(programs), sim.received());
        assertFalse(sim.log().stream().anyMatch(l -> l.startsWith("restart")));
    }
}
