package io.snapline.recovery.cli;

import io.snapline.recovery.LocalRecovery;
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
        describe(local, new int[0], err);
    }

    /** As {@link #describe(StoreHistory.Local, PrintWriter)}, with the plan for a failure of {@code failed} ranks. */
    static void describe(StoreHistory.Local local, int[] failed, PrintWriter err) {
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
        if ("pessimistic".equals(local.logging())) {
            long[] newest = new long[ranks];
            for (int r = 0; r < ranks; r++) {
                List<Long> kept = read.localIndexes().get(r);
                newest[r] = kept.isEmpty() ? 0 : kept.get(kept.size() - 1);
            }
            StringBuilder plan = new StringBuilder();
            for (int f : failed) {
                plan.append(plan.length() == 0 ? "" : "; ").append("rank ").append(f).append(" restores ")
                    .append(newest[f] == 0 ? "nothing (it starts from the beginning)" : "its checkpoint " + newest[f])
                    .append(" and replays the messages the others logged for it since");
            }
            err.println("snapline: these checkpoints were taken with --logging pessimistic: "
                + (failed.length == 0 ? "a rank that fails restarts alone from its own newest checkpoint"
                    : "for a failure of " + (failed.length == 1 ? "rank " + failed[0] : "ranks " + Arrays.toString(failed))
                        + ", " + plan)
                + " while the others keep running (on shm, also when several fail at once; docs/checkpointing.md); a"
                + " restart of the whole job (--resume, tcp, a setup that cannot be repeated alone) takes every rank to"
                + " its own newest checkpoint, "
                + Arrays.toString(newest) + ", and replays its logged messages and events from there; the lines below"
                + " come from the dependency records alone, as if nothing were logged");
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
