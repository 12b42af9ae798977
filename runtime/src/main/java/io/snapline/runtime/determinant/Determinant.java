package io.snapline.runtime.determinant;

import java.util.List;

/**
 * One recorded outcome of a non-deterministic operation of a rank, in the order the program called them. Ranks are
 * world ranks; {@link #ANY} stands for {@code MPI.ANY_SOURCE} or {@code MPI.ANY_TAG}; a message is named by its
 * sender, tag and number on its channel ({@link Matched}).
 */
public sealed interface Determinant {
    /** {@code MPI.ANY_SOURCE} and {@code MPI.ANY_TAG} in a recorded source or tag. */
    int ANY = -2;

    /** The operation, as the program called it, e.g. {@code Recv from ANY_SOURCE matched rank 2 seq 41}. */
    String describe();

    /** The operations whose outcomes are recorded, with permanent codes (the log format stores them). */
    enum Op {
        RECV(1, "Recv"), PROBE(2, "Probe"), IPROBE(3, "Iprobe"), TEST(4, "Test"), TESTALL(5, "Testall"),
        TESTANY(6, "Testany"), TESTSOME(7, "Testsome"), WAITANY(8, "Waitany"), WAITSOME(9, "Waitsome");

        private final int code;
        private final String call;

        Op(int code, String call) {
            this.code = code;
            this.call = call;
        }

        /** The permanent code; never reassign one. */
        public int code() {
            return code;
        }

        /** The mpiJava name of the call. */
        public String call() {
            return call;
        }

        /** The operation with {@code code}, or null. */
        public static Op of(int code) {
            for (Op op : values()) {
                if (op.code == code) {
                    return op;
                }
            }
            return null;
        }
    }

    /** A message: the {@code seq}-th on the channel from world rank {@code source} (0: not numbered), with {@code tag}. */
    record Matched(int source, int tag, long seq) {
        String describe() {
            return "rank " + source + " tag " + tag + (seq > 0 ? " seq " + seq : "");
        }
    }

    /**
     * A receive posted for {@code source} and {@code tag} on {@code context}, one of them {@link #ANY}, matched
     * {@code matched}; null when it matched only after the recording ended (its replay then decides freely).
     */
    record Received(int source, int tag, int context, Matched matched) implements Determinant {
        @Override
        public String describe() {
            return "Recv from " + key(source, tag) + (matched == null ? " matched after the recording ended"
                    : " matched " + matched.describe());
        }
    }

    /** A {@code Probe} ({@code blocking}) or {@code Iprobe} for {@code source} and {@code tag} found {@code found}. */
    record Probed(boolean blocking, int source, int tag, int context, Matched found) implements Determinant {
        public Probed {
            if (found == null) {
                throw new IllegalArgumentException("a probe that found nothing is recorded as an Idle run");
            }
        }

        @Override
        public String describe() {
            return (blocking ? "Probe" : "Iprobe") + " for " + key(source, tag) + " found " + found.describe();
        }
    }

    /**
     * {@code op} over {@code requests} requests reported the requests at {@code done} complete (ascending, at least
     * one; a test that reported none is part of an {@link Idle} run).
     */
    record Completed(Op op, int requests, List<Done> done) implements Determinant {
        public Completed {
            done = List.copyOf(done);
            if (done.isEmpty()) {
                throw new IllegalArgumentException(op.call() + " that reported nothing is recorded as an Idle run");
            }
        }

        @Override
        public String describe() {
            StringBuilder b = new StringBuilder(op.call()).append(" over ").append(requests)
                    .append(requests == 1 ? " request" : " requests").append(" reported ");
            for (int k = 0; k < done.size(); k++) {
                b.append(k == 0 ? "" : ", ").append(done.get(k).describe(op));
            }
            return b.toString();
        }
    }

    /**
     * A request reported complete: its index, and for a receive the message that completed it (null for a send, or a
     * receive completed without a message).
     */
    record Done(int index, Matched message) {
        String describe(Op op) {
            return (op == Op.TEST ? "complete" : "request " + index)
                    + (message == null ? "" : " (" + message.describe() + ")");
        }
    }

    /** A call that found nothing: an {@code Iprobe} ({@code requests} 0) or a test over {@code requests} requests. */
    record Poll(Op op, int source, int tag, int context, int requests) {
        String describe() {
            return op == Op.IPROBE ? "Iprobe for " + key(source, tag) + " on context " + context
                    : op.call() + " over " + requests + (requests == 1 ? " request" : " requests");
        }
    }

    /**
     * A run of {@code times} consecutive calls that found nothing, each one of {@code polls} (a polling loop: an
     * {@code Iprobe} that found no message, a {@code Test}, {@code Testall}, {@code Testany} or {@code Testsome} that
     * reported nothing complete).
     */
    record Idle(long times, List<Poll> polls) implements Determinant {
        public Idle {
            polls = List.copyOf(polls);
            if (times < 1 || polls.isEmpty()) {
                throw new IllegalArgumentException("an idle run has at least one call of at least one kind");
            }
        }

        @Override
        public String describe() {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < polls.size(); k++) {
                b.append(k == 0 ? "" : " or ").append(polls.get(k).describe());
            }
            return b.append(" found nothing, ").append(times).append(times == 1 ? " call" : " calls").toString();
        }
    }

    /** {@code ANY_SOURCE}, {@code rank 2, tag 3} and the like. */
    static String key(int source, int tag) {
        return (source == ANY ? "ANY_SOURCE" : "rank " + source) + (tag == ANY ? ", ANY_TAG" : ", tag " + tag);
    }
}
