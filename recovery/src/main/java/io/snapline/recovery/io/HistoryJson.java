package io.snapline.recovery.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;
import io.snapline.runtime.json.JsonText;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
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
        JsonNode top;
        try {
            top = object(JsonText.parse(text), "the history");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String what = e.getOriginalMessage();
            int start = what.indexOf(" (for "); // where the enclosing array or object began: noise here
            throw new RecoveryException("JSON syntax error" + (at == null ? "" : " at line " + at.getLineNr()
                + ", column " + at.getColumnNr()) + ": " + (start < 0 ? what : what.substring(0, start)), e);
        }
        checkMembers(top, TOP, "the history");
        JsonNode format = top.get("format");
        if (format != null && !format.isNull() && !FORMAT.equals(format.asText())) {
            throw new RecoveryException("format " + format + " is not supported; this reader understands \"" + FORMAT + "\"");
        }
        long unit = unitNanos(top.get("timeUnit"));
        JsonNode rankList = list(top.get("ranks"), "\"ranks\"");
        JsonNode messageList = top.has("messages") ? list(top.get("messages"), "\"messages\"")
            : JsonText.MAPPER.createArrayNode();

        List<String> names = new ArrayList<>();
        List<List<Checkpoint>> checkpoints = new ArrayList<>();
        long[] end = new long[rankList.size()];
        for (int r = 0; r < rankList.size(); r++) {
            String where = "rank " + r;
            JsonNode rank = object(rankList.get(r), where);
            checkMembers(rank, RANK, where);
            names.add(rank.has("name") ? string(rank.get("name"), where + " name") : "r" + r);
            checkpoints.add(checkpoints(r, list(rank.get("checkpoints"), where + " \"checkpoints\""), unit));
            end[r] = rank.has("end") ? time(rank.get("end"), unit, where + " end") : Long.MIN_VALUE;
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
        ObjectNode top = JsonText.MAPPER.createObjectNode().put("format", FORMAT).put("timeUnit", "ns");
        ArrayNode ranks = top.putArray("ranks");
        for (RankHistory rank : history.ranks()) {
            ObjectNode out = ranks.addObject().put("name", rank.name());
            ArrayNode checkpoints = out.putArray("checkpoints");
            for (Checkpoint c : rank.checkpoints()) {
                if (c.id() == c.index()) {
                    checkpoints.add(c.timeNanos());
                } else {
                    checkpoints.addObject().put("time", c.timeNanos()).put("id", c.id());
                }
            }
            out.put("end", rank.endTimeNanos());
        }
        ArrayNode messages = top.putArray("messages");
        for (Message m : history.messages()) {
            ObjectNode out = messages.addObject();
            if (m.name() != null) {
                out.put("name", m.name());
            }
            out.put("from", m.sender()).put("to", m.receiver()).put("sendInterval", m.senderInterval());
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
        }
        return JsonText.write(top, Integer.MAX_VALUE);
    }

    private static List<Checkpoint> checkpoints(int rank, JsonNode entries, long unit) {
        List<Checkpoint> checkpoints = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String where = "checkpoint " + i + " of rank " + rank;
            JsonNode entry = entries.get(i);
            if (entry.isObject()) {
                checkMembers(entry, CHECKPOINT, where);
                long id = entry.has("id") ? integer(entry.get("id"), where + " id") : i;
                checkpoints.add(new Checkpoint(rank, i, id, time(entry.get("time"), unit, where + " time")));
            } else {
                checkpoints.add(new Checkpoint(rank, i, i, time(entry, unit, where)));
            }
        }
        return checkpoints;
    }

    private static Message message(int m, JsonNode json, Map<String, Integer> byName,
                                   List<List<Checkpoint>> checkpoints, long unit, Map<Integer, Long> nextSeq) {
        String where = "message " + m + (json.path("name").isTextual() ? " (" + json.get("name").asText() + ")" : "");
        checkMembers(json, MESSAGE, where);
        int from = rank(json.get("from"), byName, where + " \"from\"");
        int to = rank(json.get("to"), byName, where + " \"to\"");
        long sendTime = json.has("sendTime") ? time(json.get("sendTime"), unit, where + " sendTime") : Message.NO_TIME;
        long receiveTime = json.has("receiveTime")
            ? time(json.get("receiveTime"), unit, where + " receiveTime") : Message.NO_TIME;
        int sendInterval = interval(json.get("sendInterval"), sendTime, checkpoints.get(from), where, "send");
        if (sendInterval == Message.NOT_RECEIVED) {
            throw new RecoveryException(where + ": give \"sendInterval\" or \"sendTime\" to place the send");
        }
        int receiveInterval = interval(json.get("receiveInterval"), receiveTime, checkpoints.get(to), where, "receive");
        long seq;
        if (json.has("seq")) {
            seq = integer(json.get("seq"), where + " seq");
        } else {
            seq = nextSeq.getOrDefault(from, 0L);
        }
        nextSeq.merge(from, seq + 1, Math::max);
        String name = json.has("name") ? string(json.get("name"), where + " name") : null;
        return new Message(from, sendInterval, to, receiveInterval, seq, sendTime, receiveTime, name);
    }

    /** The explicit interval, or the one holding {@code time}, or NOT_RECEIVED when neither is given. */
    private static int interval(JsonNode explicit, long time, List<Checkpoint> checkpoints, String where, String event) {
        if (explicit != null && !explicit.isNull()) {
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

    private static int rank(JsonNode value, Map<String, Integer> byName, String where) {
        if (value != null && value.isTextual()) {
            String name = value.asText();
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

    private static long unitNanos(JsonNode unit) {
        if (unit == null || unit.isNull()) {
            return 1;
        }
        return switch (unit.asText()) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> throw new RecoveryException("timeUnit " + unit + " is not one of ns, us, ms, s");
        };
    }

    private static long time(JsonNode value, long unit, String where) {
        if (value != null && value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                throw new RecoveryException(where + ": time " + value + " overflows 64-bit nanoseconds");
            }
            try {
                return Math.multiplyExact(value.longValue(), unit);
            } catch (ArithmeticException e) {
                throw new RecoveryException(where + ": time " + value + " overflows 64-bit nanoseconds");
            }
        }
        if (value != null && value.isNumber() && Double.isFinite(value.doubleValue())) {
            return Math.round(value.doubleValue() * unit);
        }
        throw new RecoveryException(where + ": expected a time (a number), found " + describe(value));
    }

    private static long integer(JsonNode value, String where) {
        if (value != null && value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        throw new RecoveryException(where + ": expected an integer, found " + describe(value));
    }

    private static String string(JsonNode value, String where) {
        if (value != null && value.isTextual()) {
            return value.asText();
        }
        throw new RecoveryException(where + ": expected a string, found " + describe(value));
    }

    private static JsonNode object(JsonNode value, String where) {
        if (value != null && value.isObject()) {
            return value;
        }
        throw new RecoveryException(where + ": expected a JSON object, found " + describe(value));
    }

    private static JsonNode list(JsonNode value, String where) {
        if (value != null && value.isArray()) {
            return value;
        }
        throw new RecoveryException(where + ": expected a JSON array, found " + describe(value));
    }

    private static void checkMembers(JsonNode json, Set<String> known, String where) {
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new RecoveryException(where + ": unknown member \"" + name + "\"; known members are "
                    + known.stream().sorted().toList());
            }
        }
    }

    /** The value as the messages name it: JSON text for scalars, "nothing" for a missing value or null. */
    private static String describe(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "an array";
        }
        return value.toString();
    }
}
