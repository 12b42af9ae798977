package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What ranks print reaches the launcher's streams a whole line at a time, tagged when asked. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RankOutputTest {
    static final int LINES = 150;
    static final int WIDTH = 3000;

    /**
     * Every rank prints {@link #LINES} long lines, each in several pieces (so a line is many writes), all ranks at
     * once after a barrier.
     */
    public static class LongLines {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            char c = (char) ('a' + me);
            String body = String.valueOf(c).repeat(WIDTH);
            MPI.COMM_WORLD.Barrier();
            for (int i = 0; i < LINES; i++) {
                System.out.print("rank=" + me + " line=" + i + " ");
                System.out.print(body.substring(0, WIDTH / 2));
                System.out.print(body.substring(WIDTH / 2));
                System.out.println(" end");
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldKeepEveryLineWholeWhenManyRanksPrintLongLinesAtOnce() {
        int np = 8;
        MpiRun.Outcome o = MpiRun.ok(np, LongLines.class);
        Pattern line = Pattern.compile("rank=(\\d+) line=(\\d+) ([a-z]+) end");
        int[] next = new int[np];
        for (String l : o.lines()) {
            Matcher m = line.matcher(l);
            assertTrue(m.matches(), () -> "torn line: " + l.substring(0, Math.min(120, l.length())) + "...");
            int rank = Integer.parseInt(m.group(1));
            assertEquals(next[rank]++, Integer.parseInt(m.group(2)), "rank " + rank + "'s lines stay in order");
            assertEquals(String.valueOf((char) ('a' + rank)).repeat(WIDTH), m.group(3));
        }
        for (int r = 0; r < np; r++) {
            assertEquals(LINES, next[r], "lines of rank " + r);
        }
    }

    /** Prints a line to each stream, one from a thread it starts, then leaves a line unfinished. */
    public static class Chatty {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            System.out.println("first " + me);
            System.err.println("warning " + me);
            Thread helper = new Thread(() -> System.out.println("helper of " + me));
            helper.start();
            helper.join();
            MPI.Finalize();
            System.out.print("unfinished " + me);
        }
    }

    @Test
    void shouldPrefixLinesWithRankWhenTagOutputIsGiven() {
        MpiRun.Outcome o = MpiRun.run(3, List.of("--tag-output"), Chatty.class);
        assertEquals(0, o.result().exitCode(), o.err());
        for (int r = 0; r < 3; r++) {
            String p = "[" + r + "] ";
            assertEquals(List.of(p + "first " + r, p + "helper of " + r, p + "unfinished " + r), linesOf(o.lines(), p),
                    o.out());
        }
        assertEquals(List.of("[0] warning 0", "[1] warning 1", "[2] warning 2"), o.err().lines().sorted().toList());
    }

    @Test
    void shouldFlushUnfinishedLineUntaggedWhenTagOutputIsNotGiven() {
        MpiRun.Outcome o = MpiRun.run(2, Chatty.class);
        assertEquals(0, o.result().exitCode(), o.err());
        assertEquals(List.of("first 0", "first 1", "helper of 0", "helper of 1", "unfinished 0", "unfinished 1"),
                o.lines().stream().sorted().toList());
        assertTrue(o.out().endsWith("\n"), "the unfinished line is ended");
    }

    private static List<String> linesOf(List<String> lines, String prefix) {
        List<String> mine = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith(prefix)) {
                mine.add(l);
            }
        }
        return mine;
    }
}
