package io.snapline.runtime.launch;

import java.util.List;

/**
 * A rank that failed in an attempt, and why ({@code killed: injected failure at safe point 10}, {@code
 * java.lang.OutOfMemoryError: ...}). Failures that strike at the same moment end one attempt together and are named
 * together.
 */
record FailedRank(int rank, String reason) {
    /** The reason of one failure, or "rank 1: ...; rank 2: ..." for several. */
    static String reasons(List<FailedRank> failed) {
        if (failed.size() == 1) {
            return failed.get(0).reason();
        }
        StringBuilder b = new StringBuilder();
        for (FailedRank f : failed) {
            b.append(b.length() == 0 ? "" : "; ").append("rank ").append(f.rank()).append(": ").append(f.reason());
        }
        return b.toString();
    }
}
