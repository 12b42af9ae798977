package io.snapline.recovery.io;

import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The history file format, {@code snapline-history/1}: one JSON object.
 *
 * <pre>{@code
 * {
 *   "format": "snapline-history/1",
 *   "timeUnit": "ms",                                  optional: ns (default), us, ms or s
 *   "ranks": [                                         rank i is entry i
 *     {"name": "P", "checkpoints": [0, 20, 50], "end": 90},
 *     {"name": "Q", "checkpoints": [{"time": 0, "id": 7}, {"time": 15, "id": 9}]}
 *   ],
 *   "messages": [
 *     {"name": "x", "from": "P", "to": "Q", "sendTime": 10, "receiveTime": 30},
 *     {"from": 1, "to": 0, "sendInterval": 1}
 *   ]
 * }
 * }</pre>
 *
 * <p>Ranks: {@code name} defaults to {@code r<i>}; {@code checkpoints} lists checkpoint 0 (the initial state) first,
 * each as its time or as {@code {"time": t, "id": n}} (the id defaults to the index); {@code end} (failure or
 * present) defaults to the rank's latest checkpoint or message time. Messages: {@code from}/{@code to} are rank
 * numbers or names; {@code sendInterval}/{@code receiveInterval} place the send and receive (interval i lies between
 * checkpoints i and i+1) and may be left out when the matching time is given, in which case the interval containing
 * the time is used (an event at a checkpoint's exact time counts as after it); a message with neither
 * {@code receiveInterval} nor {@code receiveTime} was never received; {@code seq} defaults to a per-sender counter in
 * file order; {@code name} labels the message in reports. Times are numbers in {@code timeUnit}. Unknown members
 * are errors, so typos do not pass silently. Stateless; thread-safe.
 */
public final class HistoryJson {
    /** The value of the {@code format} member this reader understands. */
    public static final String FORMAT = "snapline-history/1";

    private static final Set<String> TOP = Set.of("format", "timeUnit", "ranks", "messages");
    private static final Set<String> RANK = Set.of("name", "checkpoints", "end");
    private static final Set<String> CHECKPOINT = Set.of("time", "id");
    private static final Set<String> MESSAGE = Set.of("name", "from", "to", "sendInterval", "receiveInterval", "seq",
        "sendTime", "receiveTime");

    private HistoryJson() {
    }

    /** Reads a history file; any problem becomes a {@link RecoveryException} naming the file. */
    public static History read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RecoveryException("cannot read history file " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (RecoveryException e) {
            throw new RecoveryException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a history from JSON text. */
    public static History parse(String text) {
        Map<String, Object> top = object(Json.parse(text), "the history");
        checkMembers(top, TOP, "the history");
        Object format = top.get("format");
        if (format != null && !FORMAT.equals(format)) {
            throw new RecoveryException("format \"" + format + "\" is not supported; this reader understands \"" + FORMAT + "\"");
        }
        long unit = unitNanos(top.get("timeUnit"));
        List<Object> rankList = list(top.get("ranks"), "\"ranks\"");
        List<Object> messageList = top.containsKey("messages") ? list(top.get("messages"), "\"messages\"") : List.of();

        List<String> names = new ArrayList<>();
        List<List<Checkpoint>> checkpoints = new ArrayList<>();
        long[] end = new long[rankList.size()];
        for (int r = 0; r < rankList.size(); r++) {
            String where = "rank " + r;
            Map<String, Object> rank = object(rankList.get(r), where);
            checkMembers(rank, RANK, where);
            names.add(rank.containsKey("name") ? string(rank.get("name"), where + " name") : "r" + r);
            checkpoints.add(checkpoints(r, list(rank.get("checkpoints"), where + " \"checkpoints\""), unit));
            end[r] = rank.containsKey("end") ? time(rank.get("end"), unit, where + " end") : Long.MIN_VALUE;
        }
        Map<String, Integer> byName = new HashMap<>();
        for (int r = 0; r < names.size(); r++) {
            if (byName.put(names.get(r), r) != null) {
                throw new RecoveryException("two ranks are named \"" + names.get(r) + "\"; give each rank its own name");
            }
        }
        long[] latest = new long[rankList.size()];
        for (int r = 0; r < latest.length; r++) {
            latest[r] = checkpoints.get(r).isEmpty() ? 0 : checkpoints.get(r).get(checkpoints.get(r).size() - 1).timeNanos();
        }
        Map<Integer, Long> nextSeq = new HashMap<>();
        List<Message> messages = new ArrayList<>(messageList.size());
        for (int m = 0; m < messageList.size(); m++) {
            Message message = message(m, object(messageList.get(m), "message " + m), byName, checkpoints, unit, nextSeq);
            messages.add(message);
            latest[message.sender()] = Math.max(latest[message.sender()], message.sendTime());
            latest[message.receiver()] = Math.max(latest[message.receiver()], message.receiveTime());
        }
        List<RankHistory> ranks = new ArrayList<>();
        for (int r = 0; r < names.size(); r++) {
            ranks.add(new RankHistory(r, names.get(r), checkpoints.get(r), end[r] != Long.MIN_VALUE ? end[r] : latest[r]));
        }
        return new History(ranks, messages);
    }

    /** Writes {@code history} in this format, times in nanoseconds and every interval explicit. */
    public static String write(History history) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("format", FORMAT);
        top.put("timeUnit", "ns");
        List<Object> ranks = new ArrayList<>();
        for (RankHistory rank : history.ranks()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", rank.name());
            List<Object> checkpoints = new ArrayList<>();
            for (Checkpoint c : rank.checkpoints()) {
                if (c.id() == c.index()) {
                    checkpoints.add(c.timeNanos());
                } else {
                    Map<String, Object> checkpoint = new LinkedHashMap<>();
                    checkpoint.put("time", c.timeNanos());
                    checkpoint.put("id", c.id());
                    checkpoints.add(checkpoint);
                }
            }
            out.put("checkpoints", checkpoints);
            out.put("end", rank.endTimeNanos());
            ranks.add(out);
        }
        top.put("ranks", ranks);
        List<Object> messages = new ArrayList<>();
        for (Message m : history.messages()) {
            Map<String, Object> out = new LinkedHashMap<>();
            if (m.name() != null) {
                out.put("name", m.name());
            }
            out.put("from", m.sender());
            out.put("to", m.receiver());
            out.put("sendInterval", m.senderInterval());
            if (m.received()) {
                out.put("receiveInterval", m.receiverInterval());
            }
            out.put("seq", m.seq());
            if (m.hasSendTime()) {
                out.put("sendTime", m.sendTime());
            }
            if (m.hasReceiveTime()) {
                out.put("receiveTime", m.receiveTime());
            }
            messages.add(out);
        }
        top.put("messages", messages);
        return Json.write(top);
    }

    private static List<Checkpoint> checkpoints(int rank, List<Object> entries, long unit) {
        List<Checkpoint> checkpoints = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String where = "checkpoint " + i + " of rank " + rank;
            Object entry = entries.get(i);
            if (entry instanceof Map) {
                Map<String, Object> c = object(entry, where);
                checkMembers(c, CHECKPOINT, where);
                long id = c.containsKey("id") ? integer(c.get("id"), where + " id") : i;
                checkpoints.add(new Checkpoint(rank, i, id, time(c.get("time"), unit, where + " time")));
            } else {
                checkpoints.add(new Checkpoint(rank, i, i, time(entry, unit, where)));
            }
        }
        return checkpoints;
    }

    private static Message message(int m, Map<String, Object> json, Map<String, Integer> byName,
                                   List<List<Checkpoint>> checkpoints, long unit, Map<Integer, Long> nextSeq) {
        String where = "message " + m + (json.get("name") instanceof String s ? " (" + s + ")" : "");
        checkMembers(json, MESSAGE, where);
        int from = rank(json.get("from"), byName, where + " \"from\"");
        int to = rank(json.get("to"), byName, where + " \"to\"");
        long sendTime = json.containsKey("sendTime") ? time(json.get("sendTime"), unit, where + " sendTime") : Message.NO_TIME;
        long receiveTime = json.containsKey("receiveTime")
            ? time(json.get("receiveTime"), unit, where + " receiveTime") : Message.NO_TIME;
        int sendInterval = interval(json.get("sendInterval"), sendTime, checkpoints.get(from), where, "send");
        if (sendInterval == Message.NOT_RECEIVED) {
            throw new RecoveryException(where + ": give \"sendInterval\" or \"sendTime\" to place the send");
        }
        int receiveInterval = interval(json.get("receiveInterval"), receiveTime, checkpoints.get(to), where, "receive");
        long seq;
        if (json.containsKey("seq")) {
            seq = integer(json.get("seq"), where + " seq");
        } else {
            seq = nextSeq.getOrDefault(from, 0L);
        }
        nextSeq.merge(from, seq + 1, Math::max);
        String name = json.containsKey("name") ? string(json.get("name"), where + " name") : null;
        return new Message(from, sendInterval, to, receiveInterval, seq, sendTime, receiveTime, name);
    }

    /** The explicit interval, or the one holding {@code time}, or NOT_RECEIVED when neither is given. */
    private static int interval(Object explicit, long time, List<Checkpoint> checkpoints, String where, String event) {
        if (explicit != null) {
            long value = integer(explicit, where + " " + event + "Interval");
            if (value < 0 || value > Integer.MAX_VALUE) {
                throw new RecoveryException(where + ": " + event + "Interval " + value + " is negative or too large");
            }
            return (int) value;
        }
        if (time == Message.NO_TIME) {
            return Message.NOT_RECEIVED;
        }
        int interval = 0;
        while (interval + 1 < checkpoints.size() && checkpoints.get(interval + 1).timeNanos() <= time) {
            interval++;
        }
        return interval;
    }

    private static int rank(Object value, Map<String, Integer> byName, String where) {
        if (value instanceof String name) {
            Integer rank = byName.get(name);
            if (rank == null) {
                throw new RecoveryException(where + ": no rank is named \"" + name + "\"; ranks are " + byName.keySet());
            }
            return rank;
        }
        long rank = integer(value, where);
        if (rank < 0 || rank >= byName.size()) {
            throw new RecoveryException(where + ": rank " + rank + " does not exist; ranks are 0.." + (byName.size() - 1));
        }
        return (int) rank;
    }

    private static long unitNanos(Object unit) {
        if (unit == null) {
            return 1;
        }
        return switch (String.valueOf(unit)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> throw new RecoveryException("timeUnit \"" + unit + "\" is not one of ns, us, ms, s");
        };
    }

    private static long time(Object value, long unit, String where) {
        if (value instanceof Long l) {
            try {
                return Math.multiplyExact(l, unit);
            } catch (ArithmeticException e) {
                throw new RecoveryException(where + ": time " + l + " overflows 64-bit nanoseconds");
            }
        }
        if (value instanceof Double d && Double.isFinite(d)) {
            return Math.round(d * unit);
        }
        throw new RecoveryException(where + ": expected a time (a number), found " + describe(value));
    }

    private static long integer(Object value, String where) {
        if (value instanceof Long l) {
            return l;
        }
        throw new RecoveryException(where + ": expected an integer, found " + describe(value));
    }

    private static String string(Object value, String where) {
        if (value instanceof String s) {
            return s;
        }
        throw new RecoveryException(where + ": expected a string, found " + describe(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String where) {
        if (value instanceof Map) {
            return (Map<String, Object>) value;
        }
        throw new RecoveryException(where + ": expected a JSON object, found " + describe(value));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String where) {
        if (value instanceof List) {
            return (List<Object>) value;
        }
        throw new RecoveryException(where + ": expected a JSON array, found " + describe(value));
    }

    private static void checkMembers(Map<String, Object> json, Set<String> known, String where) {
        for (String name : json.keySet()) {
            if (!known.contains(name)) {
                throw new RecoveryException(where + ": unknown member \"" + name + "\"; known members are "
                    + known.stream().sorted().toList());
            }
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
