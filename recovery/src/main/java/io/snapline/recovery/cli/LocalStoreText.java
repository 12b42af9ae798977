package io.snapline.recovery.cli;

import io.snapline.recovery.LocalRecovery;
import io.snapline.recovery.LoggedRecovery;
import io.snapline.recovery.io.LocalHistory;
import io.snapline.recovery.io.StoreHistory;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The notes {@code recovery-line --store} prints about a store of local checkpoints, before the report. */
final class LocalStoreText {
    private LocalStoreText() {
    }

    /**
     * Which local checkpoints the history covers (and how its checkpoint indexes map to them), the warnings (damaged
     * checkpoints among them), the floor below which checkpoints were deleted and the line a restart of every rank
     * would use now.
     */
    static void describe(StoreHistory.Local local, PrintWriter err) {
        describe(local, List.of(), err);
    }

    /**
     * As {@link #describe(StoreHistory.Local, PrintWriter)}, for a store taken with message logging with the plan for
     * a failure of the ranks {@code restarts} names (what each restores and gets again; none: no failure given).
     */
    static void describe(StoreHistory.Local local, List<LoggedRecovery.Restart> restarts, PrintWriter err) {
        LocalHistory.Read read = local.read();
        int ranks = read.history().rankCount();
        List<String> spans = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            spans.add("rank " + r + " " + ranges(read.localIndexes().get(r)));
        }
        err.println("snapline: the store holds local checkpoints (independent checkpointing): " + String.join(", ", spans)
            + " (0 = the rank's start); checkpoint index i of a rank is its i-th usable one, the id column its local"
            + " number");
        for (String warning : local.warnings()) {
            err.println("snapline: warning: " + warning);
        }
        if (read.messagesBeforeWindow() > 0) {
            err.println("snapline: " + read.messagesBeforeWindow() + " message(s) sent before the oldest checkpoints"
                + " are left out");
        }
        long[] floors = read.floors().stream().mapToLong(Long::longValue).toArray();
        if (Arrays.stream(floors).anyMatch(f -> f > 0)) {
            err.println("snapline: local checkpoints below " + Arrays.toString(floors) + " were deleted (the line the"
                + " last restart or garbage collection recorded)");
        }
        if (local.logsMessages()) {
            long[] newest = new long[ranks];
            for (int r = 0; r < ranks; r++) {
                newest[r] = read.last(r);
            }
            List<String> plans = new ArrayList<>();
            List<Integer> failed = new ArrayList<>();
            for (LoggedRecovery.Restart r : restarts) {
                plans.add(LoggedText.plan(read.history(), r));
                failed.add(r.rank());
            }
            err.println("snapline: these checkpoints were taken with --logging " + local.logging() + ": "
                + (failed.isEmpty() ? "a rank that fails restarts alone from its own newest checkpoint while the"
                    + " others keep running"
                    : "for a failure of " + (failed.size() == 1 ? "rank " + failed.get(0) : "ranks " + failed) + ", "
                        + String.join("; ", plans) + "; the others keep running")
                + " (also when several fail at once; docs/checkpointing.md)"
                + (failed.isEmpty() ? "" : "; " + LoggedText.counted(read.history()))
                + "; a restart of the whole job (--resume, a setup that cannot be repeated alone) takes every"
                + " rank to its own newest checkpoint, " + Arrays.toString(newest) + ", and replays its logged"
                + " messages and events from there; the recovery lines below come from the dependency records alone,"
                + " as if nothing were logged");
            return;
        }
        long[] line = LocalRecovery.restartLine(read);
        String why = Arrays.stream(line).allMatch(k -> k == 0) ? LocalRecovery.whyTheBeginning(read) : null;
        err.println("snapline: a restart of every rank now would use local checkpoints " + Arrays.toString(line)
            + " (the maximum strongly consistent line" + (why == null ? ")" : "; the beginning: " + why + ")"));
    }

    /** {@code 0, 3..5}: sorted numbers as runs. */
    static String ranges(List<Long> numbers) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < numbers.size(); ) {
            int j = i;
            while (j + 1 < numbers.size() && numbers.get(j + 1) == numbers.get(j) + 1) {
                j++;
            }
            out.append(out.length() == 0 ? "" : ", ").append(numbers.get(i))
                .append(j == i ? "" : ".." + numbers.get(j));
            i = j + 1;
        }
        return out.toString();
    }
}
