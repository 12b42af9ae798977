package io.snapline.runtime.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The messages a rank had been sent but never received when it called {@code MPI.Finalize}, counted by sender,
 * context and tag in that order; they are dropped, and {@link #warning()} says so.
 *
 * @param rank the world rank they were sent to
 * @param groups one entry per sender, context and tag
 */
public record Unreceived(int rank, List<Group> groups) {
    /** At most this many senders get a line of their own; the rest are summed up in one more line. */
    static final int LISTED_SENDERS = 8;
    /** At most this many runs of consecutive tags are named per sender. */
    static final int LISTED_TAG_RUNS = 6;

    /** The messages from world rank {@code source} with one context and tag: how many, and their payload bytes. */
    public record Group(int source, int context, int tag, long messages, long bytes) {
    }

    public Unreceived {
        groups = List.copyOf(groups);
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    public long messages() {
        return groups.stream().mapToLong(Group::messages).sum();
    }

    public long bytes() {
        return groups.stream().mapToLong(Group::bytes).sum();
    }

    /**
     * The warning for standard error, or an empty string when every message was received: a line with the totals,
     * then a line per sender (and communicator) with its tags, consecutive tags merged into runs, each with its count
     * of messages. Every line ends with a line separator. For example:
     *
     * <pre>
     * snapline: warning: rank 1 called MPI.Finalize with 17 messages (3.1 KiB) it never received; they are dropped:
     *   from rank 0: 4 messages (3.0 KiB) with tags 7 (3), 9 (1)
     *   from rank 2: 13 messages (96 B) with tags 3 (1), 100..111 (12)
     * </pre>
     */
    public String warning() {
        if (isEmpty()) {
            return "";
        }
        String nl = System.lineSeparator();
        StringBuilder s = new StringBuilder("snapline: warning: rank ").append(rank).append(" called MPI.Finalize with ")
                .append(count(messages(), bytes())).append(" it never received; they are dropped:").append(nl);
        List<List<Group>> senders = bySender();
        for (int i = 0; i < Math.min(LISTED_SENDERS, senders.size()); i++) {
            List<Group> g = senders.get(i);
            Group first = g.get(0);
            s.append("  from rank ").append(first.source());
            if (first.context() != 0) {
                s.append(" on another communicator (context ").append(first.context()).append(')');
            }
            s.append(": ").append(count(sum(g, Group::messages), sum(g, Group::bytes))).append(" with ")
                    .append(tags(g)).append(nl);
        }
        if (senders.size() > LISTED_SENDERS) {
            List<Group> rest = senders.subList(LISTED_SENDERS, senders.size()).stream().flatMap(List::stream).toList();
            s.append("  and ").append(senders.size() - LISTED_SENDERS).append(" more senders: ")
                    .append(count(sum(rest, Group::messages), sum(rest, Group::bytes))).append(nl);
        }
        return s.toString();
    }

    /** The groups split by sender and context, in order. */
    private List<List<Group>> bySender() {
        List<List<Group>> out = new ArrayList<>();
        for (Group g : groups) {
            List<Group> last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last == null || last.get(0).source() != g.source() || last.get(0).context() != g.context()) {
                last = new ArrayList<>();
                out.add(last);
            }
            last.add(g);
        }
        return out;
    }

    /** {@code tag 7} or {@code tags 3 (1), 100..111 (12)}: runs of consecutive tags with their message counts. */
    private static String tags(List<Group> g) {
        if (g.size() == 1) {
            return "tag " + g.get(0).tag();
        }
        List<String> runs = new ArrayList<>();
        int more = 0;
        for (int i = 0; i < g.size(); ) {
            int j = i;
            long n = g.get(i).messages();
            while (j + 1 < g.size() && g.get(j + 1).tag() == g.get(j).tag() + 1) {
                j++;
                n += g.get(j).messages();
            }
            if (runs.size() < LISTED_TAG_RUNS) {
                runs.add((i == j ? Integer.toString(g.get(i).tag()) : g.get(i).tag() + ".." + g.get(j).tag()) + " (" + n
                        + ")");
            } else {
                more += j - i + 1;
            }
            i = j + 1;
        }
        return "tags " + String.join(", ", runs) + (more > 0 ? " and " + more + " more" : "");
    }

    private static long sum(List<Group> groups, java.util.function.ToLongFunction<Group> f) {
        return groups.stream().mapToLong(f).sum();
    }

    private static String count(long messages, long bytes) {
        return messages + (messages == 1 ? " message (" : " messages (") + size(bytes) + ")";
    }

    /** {@code 1.5 MiB}-style size (also the run report's). */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** Adds messages up by sender, context and tag. */
    static final class Counter {
        private record Key(int source, int context, int tag) {
        }

        private static final Comparator<Key> ORDER = Comparator.comparingInt(Key::source)
                .thenComparingInt(Key::context).thenComparingInt(Key::tag);

        private final int rank;
        private final Map<Key, long[]> counts = new TreeMap<>(ORDER);

        Counter(int rank) {
            this.rank = rank;
        }

        void add(int source, int context, int tag, long bytes) {
            long[] c = counts.computeIfAbsent(new Key(source, context, tag), k -> new long[2]);
            c[0]++;
            c[1] += bytes;
        }

        Unreceived result() {
            List<Group> groups = new ArrayList<>(counts.size());
            counts.forEach((k, c) -> groups.add(new Group(k.source(), k.context(), k.tag(), c[0], c[1])));
            return new Unreceived(rank, groups);
        }
    }
}
