package io.snapline.runtime.determinant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.launch.RankRegistry;
import io.snapline.runtime.testing.MpiRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import mpi.MPIException;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The determinant recorder on a real engine (shm, and tcp in the second run of the suite): a rank records its
 * choices, then replays them while the messages arrive in another order, and gets the recorded outcomes; a rank that
 * calls something else is stopped with an error naming it and the event.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeterminantReplayTest {
    static final int GO = 1;
    static final int DATA = 2;

    /** The recorder of the rank that runs {@code program}. */
    static Determinants recorder(Class<?> program) {
        return RankRegistry.lookup(program.getClassLoader()).checkpoint().determinants();
    }

    @Test
    void shouldReceiveInTheRecordedOrderWhenTheMessagesArriveInAnother() {
        MpiRun.Outcome o = MpiRun.ok(4, ForcedOrder.class);
        assertEquals(List.of("recorded [3, 1, 2], replayed [3, 1, 2], replaying afterwards false, recorded again the"
                + " same: true"), o.lines());
    }

    /** Rank 0 receives from ANY_SOURCE in the order 3, 1, 2 (one sender at a time), then replays that order. */
    public static class ForcedOrder {
        public static void main(String[] args) {
            MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            int[] one = new int[1];
            if (rank == 0) {
                Determinants d = recorder(ForcedOrder.class);
                d.record();
                List<Integer> first = new ArrayList<>();
                for (int w : new int[] {3, 1, 2}) {
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, w, GO);
                    first.add(MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, MPI.ANY_SOURCE, DATA).source);
                }
                DeterminantLog log = d.endRecording();
                d.replay(log, null);
                d.record(); // a replayed rank that checkpoints records what it is made to do
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 1, GO); // now 1, 2, 3 send in turn
                MPI.COMM_WORLD.Barrier(); // every message has arrived
                List<Integer> second = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    second.add(MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, MPI.ANY_SOURCE, DATA).source);
                }
                System.out.println("recorded " + first + ", replayed " + second + ", replaying afterwards "
                        + d.replaying() + ", recorded again the same: " + d.endRecording().equals(log));
            } else {
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 0, GO);
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, DATA);
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, rank == 1 ? 0 : rank - 1, GO);
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, DATA);
                if (rank < 3) {
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, rank + 1, GO);
                }
                MPI.COMM_WORLD.Barrier();
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldRecordWhatATestSawOfANamedIrecvAndNothingOfANamedRecvWhateverItsTag() {
        MpiRun.Outcome o = MpiRun.ok(2, NamedReceives.class);
        assertEquals(List.of("Test over 1 request reported complete (rank 1 tag 2)",
                "Recv from ANY_SOURCE, tag 4 matched rank 1 tag 4", "received tags 5 6 7"), o.lines());
    }

    @Test
    void shouldRecordANamedRecvAndProbeWithAnyTagWhenTheRecordingIsBounded() {
        // coordinated-nb's replay ends at the first event that observed a message its sender will not send again: a
        // receive with ANY_TAG may be that event, so a bounded recording keeps it.
        MpiRun.Outcome o = MpiRun.ok(2, NamedReceives.class, "bounded");
        List<String> lines = o.lines();
        assertEquals("received tags 5 6 7", lines.get(lines.size() - 1), o.err());
        assertEquals(List.of("Recv from rank 1, ANY_TAG matched rank 1 tag 5", "Probe for rank 1, ANY_TAG found rank 1 tag 6",
                "Recv from rank 1, ANY_TAG matched rank 1 tag 7"), lines.subList(2, lines.size() - 1), o.err());
    }

    /**
     * Rank 0 records continuously (as message logging does) while it receives from rank 1 with a blocking Recv that
     * names its source and tag (no choice, and no test can see it), an Irecv that names them, which a Test reports
     * complete (what the test saw), a Recv from ANY_SOURCE (a choice), and then a Recv and a Probe that name the source
     * but not the tag (no choice either: rank 1's messages arrive in the order it sent them); it prints the events
     * recorded, polls that found nothing left out, and the tags the last two saw.
     */
    public static class NamedReceives {
        public static void main(String[] args) {
            MPI.Init(args);
            int[] one = new int[1];
            if (MPI.COMM_WORLD.Rank() == 0) {
                Determinants d = recorder(NamedReceives.class);
                if (args.length > 0 && args[args.length - 1].equals("bounded")) {
                    d.record(); // bounded, as coordinated-nb records
                } else {
                    d.record(new Determinants.Mark(0, null)); // continuous, as message logging records
                }
                MPI.COMM_WORLD.Barrier(); // the three messages have arrived
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 1, 3);
                Request r = MPI.COMM_WORLD.Irecv(one, 0, 1, MPI.INT, 1, DATA);
                while (r.Test() == null) {
                    Thread.onSpinWait();
                }
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, MPI.ANY_SOURCE, 4);
                int first = MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 1, MPI.ANY_TAG).tag;
                int probed = MPI.COMM_WORLD.Probe(1, MPI.ANY_TAG).tag;
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 1, probed);
                int last = MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 1, MPI.ANY_TAG).tag;
                for (Determinant e : d.endRecording().events()) {
                    if (!(e instanceof Determinant.Idle)) {
                        System.out.println(e.describe());
                    }
                }
                System.out.println("received tags " + first + " " + probed + " " + last);
            } else {
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, DATA);
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, 3);
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, 4);
                MPI.COMM_WORLD.Barrier();
                for (int tag = 5; tag <= 7; tag++) {
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, tag);
                }
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldReplayPollsAndWaitsWhenEveryMessageIsAlreadyThere() {
        MpiRun.Outcome o = MpiRun.ok(4, PollsAndWaits.class);
        List<String> lines = o.lines();
        assertEquals(2, lines.size(), o.out());
        assertEquals(lines.get(0).replace("recorded", "replayed"), lines.get(1));
        assertEquals(true, lines.get(0).matches("recorded: Iprobe found nothing [1-9][0-9]* times, Waitany 1,"
                + " Waitsome \\[2\\], Testany found nothing [0-9]+ times then 0, Testsome \\[\\]x[0-9]+"), lines.get(0));
    }

    /**
     * Rank 0 polls with Iprobe, then waits with Waitany, Waitsome, Testany and Testsome over receives from ranks 1
     * to 3 while the workers send one at a time, each when told; then replays the same calls while every message is
     * already there.
     */
    public static class PollsAndWaits {
        public static void main(String[] args) {
            MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            int[] one = new int[1];
            if (rank == 0) {
                Determinants d = recorder(PollsAndWaits.class);
                d.record();
                System.out.println("recorded: " + session(true));
                DeterminantLog log = d.endRecording();
                for (int w = 1; w < 4; w++) {
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, w, GO);
                }
                MPI.COMM_WORLD.Barrier(); // every message of the second session has arrived
                d.replay(log, null);
                System.out.println("replayed: " + session(false));
            } else {
                for (int k = 0; k < (rank == 3 ? 2 : 1); k++) {
                    MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 0, GO);
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, DATA);
                }
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 0, GO);
                for (int k = 0; k < (rank == 3 ? 2 : 1); k++) {
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, DATA);
                }
                MPI.COMM_WORLD.Barrier();
            }
            MPI.Finalize();
        }

        private static String session(boolean tell) {
            int[] one = new int[1];
            int idle = MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, DATA) == null ? 1 : 0;
            go(tell, 3);
            while (MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, DATA) == null) {
                idle++;
            }
            MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 3, DATA);
            int[][] in = new int[3][1];
            Request[] rs = new Request[3];
            for (int w = 1; w < 4; w++) {
                rs[w - 1] = MPI.COMM_WORLD.Irecv(in[w - 1], 0, 1, MPI.INT, w, DATA);
            }
            go(tell, 2);
            int any = Request.Waitany(rs).index;
            go(tell, 3);
            List<Integer> some = new ArrayList<>();
            for (Status s : Request.Waitsome(rs)) {
                some.add(s.index);
            }
            int testsome = 0;
            List<Integer> none = new ArrayList<>();
            Status[] ts = Request.Testsome(rs);
            for (Status s : ts) {
                none.add(s.index);
            }
            testsome++;
            go(tell, 1);
            int testany = 0;
            Status t;
            while ((t = Request.Testany(rs)) == null) {
                testany++;
            }
            return "Iprobe found nothing " + idle + " times, Waitany " + any + ", Waitsome " + some
                    + ", Testany found nothing " + testany + " times then " + t.index + ", Testsome " + none + "x"
                    + testsome;
        }

        private static void go(boolean tell, int worker) {
            if (tell) {
                MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, worker, GO);
            }
        }
    }

    @Test
    void shouldStopTheRankWithTheEventNamedWhenItCallsSomethingElseThanRecorded() {
        MpiRun.Outcome o = MpiRun.ok(3, Diverging.class);
        String error = "rank 0: replaying event 1 (Recv from ANY_SOURCE, tag 2 matched rank 1 tag 2) but the program"
                + " called Waitany over 2 requests; the rank does not re-execute as it did before the restart, so its"
                + " result could differ. Make what it does depend only on its messages and the results of MPI calls,"
                + " not on clocks, threads or Cancel (docs/checkpointing.md, contract 4)";
        assertEquals(List.of("Waitany: " + error, "again: Iprobe: " + error), o.lines());
    }

    @Test
    void shouldFailTheRankWhenItsProgramEndsBeforeItsReplayIsOver() {
        MpiRun.Outcome o = MpiRun.run(2, List.of(), EndingEarly.class);
        assertEquals(false, o.result().succeeded(), o.err());
        String failure = o.result().failures().get(0).description();
        assertEquals(true, failure.contains("mpi.MPIException: Finalize: rank 0: replaying event 2 (Iprobe for"
                + " rank 1, tag 2 found rank 1 tag 2) but the program ended (MPI.Finalize) first;"), failure);
    }

    /** Rank 0 records two probes, then in its replay makes only one before it finalizes. */
    public static class EndingEarly {
        public static void main(String[] args) {
            MPI.Init(args);
            int[] one = new int[1];
            if (MPI.COMM_WORLD.Rank() == 0) {
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 1, GO); // rank 1's message is there from now on
                Determinants d = recorder(EndingEarly.class);
                d.record();
                MPI.COMM_WORLD.Iprobe(1, DATA);
                MPI.COMM_WORLD.Iprobe(1, DATA);
                d.replay(d.endRecording(), null);
                MPI.COMM_WORLD.Iprobe(1, DATA);
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 1, DATA);
            } else {
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, DATA);
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, GO);
            }
            MPI.Finalize();
        }
    }

    /** Rank 0 records a receive from ANY_SOURCE, then in its replay calls Waitany instead. */
    public static class Diverging {
        public static void main(String[] args) {
            MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            int[] one = new int[1];
            if (rank == 0) {
                Determinants d = recorder(Diverging.class);
                d.record();
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 1, GO);
                MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, MPI.ANY_SOURCE, DATA);
                d.replay(d.endRecording(), null);
                Request[] rs = {MPI.COMM_WORLD.Irecv(new int[1], 0, 1, MPI.INT, 1, DATA),
                    MPI.COMM_WORLD.Irecv(new int[1], 0, 1, MPI.INT, 2, DATA)};
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 1, GO);
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 2, GO);
                try {
                    Request.Waitany(rs);
                    System.out.println("Waitany went on");
                } catch (MPIException e) {
                    System.out.println(e.getMessage());
                }
                try {
                    MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, DATA);
                    System.out.println("Iprobe went on");
                } catch (MPIException e) {
                    System.out.println("again: " + e.getMessage());
                }
                rs[0].Wait();
                rs[1].Wait();
            } else {
                for (int k = 0; k < (rank == 1 ? 2 : 1); k++) {
                    MPI.COMM_WORLD.Recv(one, 0, 1, MPI.INT, 0, GO);
                    MPI.COMM_WORLD.Send(one, 0, 1, MPI.INT, 0, DATA);
                }
            }
            MPI.Finalize();
        }
    }
}
