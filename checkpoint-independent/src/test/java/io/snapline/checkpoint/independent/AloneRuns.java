package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests of ranks restarting alone share: the launcher flags of a logged run, and reading which threads (on
 * {@code tcp}, processes) each rank started and ended in, from the lines {@link PessimisticLoggingTest.Chain} prints.
 */
final class AloneRuns {
    private AloneRuns() {
    }

    /** {@code --checkpoint independent --logging LOGGING}, a store under {@code tmp}, a 10 ms timer, the failures. */
    static List<String> flags(String logging, Path tmp, String store, String... failures) {
        List<String> f = new ArrayList<>(List.of("--checkpoint", "independent", "--logging", logging, "--store",
                tmp.resolve(store).toString(), "--interval", "10ms", "--max-restarts", "4"));
        for (String k : failures) {
            f.add("--inject-failure");
            f.add(k);
        }
        return f;
    }

    /** The first group of every match of {@code regex} in {@code text}. */
    static List<String> all(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /**
     * Rank r started once more for each of its {@code failures} and once otherwise, ended once, and in the thread
     * (process) its last start ran in.
     */
    static void assertOnlyRestarted(MpiRun.Outcome o, int ranks, Map<Integer, Integer> failures) {
        for (int r = 0; r < ranks; r++) {
            List<String> started = all(o.err(), "rank " + r + " started in thread ([\\d.]+)");
            List<String> ended = all(o.err(), "rank " + r + " ended in thread ([\\d.]+)");
            assertEquals(failures.getOrDefault(r, 0) + 1, started.size(), "rank " + r + "'s starts: " + o.err());
            assertEquals(List.of(started.get(started.size() - 1)), ended, "rank " + r + " ended once, in the thread "
                    + "its last start ran in: " + o.err());
        }
    }
}
