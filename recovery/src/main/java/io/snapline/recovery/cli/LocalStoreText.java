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
     * Which local checkpoints the history covers (and how its checkpoint indexes map to them), the warnings, the line
     * the last restart used and the line a restart of every rank would use now.
     */
    static void describe(StoreHistory.Local local, PrintWriter err) {
        LocalHistory.Read read = local.read();
        int ranks = read.history().rankCount();
        List<String> spans = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            long first = read.base(r);
            long last = read.last(r);
            spans.add("rank " + r + " " + (first == last ? Long.toString(first) : first + ".." + last));
        }
        err.println("snapline: the store holds local checkpoints (independent checkpointing): " + String.join(", ", spans)
            + " (0 = the rank's start); checkpoint index i of a rank is its i-th usable one after the first, the id"
            + " column its local number");
        for (String warning : local.warnings()) {
            err.println("snapline: warning: " + warning);
        }
        if (read.messagesBeforeWindow() > 0) {
            err.println("snapline: " + read.messagesBeforeWindow() + " message(s) sent before the oldest checkpoints"
                + " are left out");
        }
        local.lastRestartLine().ifPresent(line ->
            err.println("snapline: the last restart used local checkpoints " + Arrays.toString(line)));
        err.println("snapline: a restart of every rank now would use local checkpoints "
            + Arrays.toString(LocalRecovery.restartLine(read)) + " (the maximum strongly consistent line)");
    }
}
