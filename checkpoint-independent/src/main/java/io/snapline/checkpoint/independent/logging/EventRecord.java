package io.snapline.checkpoint.independent.logging;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.determinant.Determinant;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Received;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.determinant.Determinants;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One record of a rank's event stream as the event logger keeps it: the determinants at stream positions
 * {@code first ..} (a receive not matched yet recorded as such) and the matches of receives taken unmatched before
 * ({@link Determinants.Resolution}). Encoded as: magic "SLEV" i32, first i64, resolutions i32, each (position i64,
 * source i32, tag i32, seq i64), then the events as a {@link DeterminantLog}.
 */
public record EventRecord(long first, DeterminantLog events, List<Determinants.Resolution> resolved) {
    private static final int MAGIC = 0x534c4556;

    public EventRecord {
        resolved = List.copyOf(resolved);
    }

    /** The record of what a drain took. */
    public static EventRecord of(Determinants.Drained d) {
        return new EventRecord(d.first(), d.events(), d.resolved());
    }

    /**
     * An empty record at {@code position}: the floor of a stream whose earlier records were dropped (a replay from
     * before it finds a gap).
     */
    public static EventRecord floor(long position) {
        return new EventRecord(position, DeterminantLog.EMPTY, List.of());
    }

    /** The position after the record's last event. */
    public long end() {
        return first + events.events().size();
    }

    public byte[] encode() {
        byte[] log = events.encode();
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 4 + resolved.size() * 24 + log.length);
        b.putInt(MAGIC).putLong(first).putInt(resolved.size());
        for (Determinants.Resolution r : resolved) {
            b.putLong(r.position()).putInt(r.matched().source()).putInt(r.matched().tag()).putLong(r.matched().seq());
        }
        return b.put(log).array();
    }

    /** @throws CheckpointException naming {@code where} when the bytes are not such a record */
    public static EventRecord decode(byte[] bytes, String where) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt() != MAGIC) {
                throw new CheckpointException(where + " is not an event record (wrong magic)");
            }
            long first = b.getLong();
            int n = b.getInt();
            if (first < 0 || n < 0 || n > b.remaining() / 24) {
                throw new CheckpointException(where + " is damaged: position " + first + ", " + n + " resolutions");
            }
            List<Determinants.Resolution> resolved = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                resolved.add(new Determinants.Resolution(b.getLong(), new Matched(b.getInt(), b.getInt(), b.getLong())));
            }
            byte[] log = new byte[b.remaining()];
            b.get(log);
            return new EventRecord(first, DeterminantLog.decode(log, where), resolved);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CheckpointException(where + " is truncated", e);
        }
    }

    /**
     * A rank's stream from a checkpoint on, ready to replay: the events from the checkpoint's position to the end of
     * what was logged, every receive that a later record resolved filled in; {@code end} is the position after the
     * last; {@code unresolved} the positions of receives still recorded unmatched (a replay decides them freely, and
     * their match must then be logged).
     */
    public record Stream(DeterminantLog log, long end, Set<Long> unresolved) {
    }

    /**
     * Joins {@code records} into the stream from position {@code from} on, taking them in the order of their first
     * positions (records other ranks held under {@code --logging causal} are appended as they come). Records may
     * overlap (a re-executed rank logs what it had logged before only past the end; several ranks may hand in the
     * same record), but where they do they must agree; events past the end of one record must begin where it ends.
     *
     * @throws CheckpointException naming {@code rank} when the records leave a gap at or after {@code from} (events
     *     the rank made stable were lost, and a replay would differ), or when two records give different events for
     *     one position
     */
    public static Stream join(int rank, List<EventRecord> records, long from) {
        List<EventRecord> ordered = new ArrayList<>(records);
        ordered.sort(java.util.Comparator.comparingLong(EventRecord::first)); // stable: logged order among equals
        List<Determinant> events = new ArrayList<>();
        long end = from;
        for (EventRecord r : ordered) {
            List<Determinant> es = r.events().events();
            for (long p = Math.max(from, r.first()); p < Math.min(end, r.end()); p++) {
                Determinant had = events.get((int) (p - from));
                Determinant now = es.get((int) (p - r.first()));
                if (!sameEvent(had, now)) {
                    throw new CheckpointException("rank " + rank + "'s event stream has two different events at "
                            + "position " + p + " (" + had + " and " + now + "), so its replay cannot be exact");
                }
                if (had instanceof Received rh && rh.matched() == null) {
                    events.set((int) (p - from), now); // the one whose match is known, if it is
                }
            }
            if (r.end() <= end) {
                continue;
            }
            if (r.first() > end) {
                throw new CheckpointException("rank " + rank + "'s event stream has a gap: positions " + end + ".."
                        + (r.first() - 1) + " are missing, so its replay from position " + from + " cannot be exact");
            }
            events.addAll(es.subList((int) (end - r.first()), es.size()));
            end = r.end();
        }
        Set<Long> unresolved = new HashSet<>();
        for (int k = 0; k < events.size(); k++) {
            if (events.get(k) instanceof Received rc && rc.matched() == null) {
                unresolved.add(from + k);
            }
        }
        for (EventRecord r : records) {
            for (Determinants.Resolution res : r.resolved()) {
                long p = res.position();
                if (p >= from && p < end && unresolved.remove(p)) {
                    Received rc = (Received) events.get((int) (p - from));
                    events.set((int) (p - from), new Received(rc.source(), rc.tag(), rc.context(), res.matched()));
                } else if (p >= from && p < end && events.get((int) (p - from)) instanceof Received rc
                        && rc.matched() != null && !rc.matched().equals(res.matched())) {
                    throw new CheckpointException("rank " + rank + "'s event stream has two different matches for "
                            + "the receive at position " + p + " (" + rc.matched() + " and "
                            + res.matched() + "), so its replay cannot be exact");
                }
            }
        }
        return new Stream(new DeterminantLog(events), end, unresolved);
    }

    /**
     * Whether two records of one position agree: equal, or the same receive of which one was logged before its match
     * was known (a later record resolves it).
     */
    private static boolean sameEvent(Determinant a, Determinant b) {
        if (a.equals(b)) {
            return true;
        }
        return a instanceof Received ra && b instanceof Received rb && ra.source() == rb.source()
                && ra.tag() == rb.tag() && ra.context() == rb.context()
                && (ra.matched() == null || rb.matched() == null);
    }
}
