package io.snapline.recovery.svg;

import io.snapline.recovery.LoggedRecovery;
import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Draws a history as a space-time diagram in SVG: one horizontal timeline per rank (time runs left to right),
 * checkpoints as marks ({@code class="checkpoint"}, plus {@code useless} for those on a Z-cycle, drawn grey), messages
 * as arrows from send to receive ({@code class="message"}, plus {@code orphan} in red or {@code in-transit} dashed
 * with respect to any drawn line, {@code unreceived} for messages never received, drawn to the end of the receiver's
 * timeline), failed ranks with a red cross at their end ({@code class="failure"}), and each recovery line as a thick
 * polyline through its checkpoints ({@code class="recovery-line"}; a rank that keeps running is crossed at its end).
 * Under message logging ({@link #logged}) the failed ranks restart alone: the checkpoint each restores is ringed
 * ({@code class="restored"}), the messages it gets again are dashed in their own colour ({@code replayed} from the
 * senders' logs, {@code resent} by a failed sender's re-execution), its re-executed sends that the receivers hold are
 * dotted grey ({@code suppressed}), and a legend ({@code class="legend"}) says so and that the other ranks keep
 * running; nothing of this is drawn, nor its styles written, without it.
 * Events without a time are spread evenly inside their interval, a receive no earlier than its send where the
 * intervals allow ({@link EventTimes}). The time axis is 720 pixels wide, or 70 per checkpoint of the rank with most,
 * up to 2,400.
 *
 * <p><b>Readable at any size.</b> Labels — rank names, checkpoint names ({@code P2}; {@code #12} for a checkpoint the
 * store numbers 12 when that differs from its index, {@code data-id} holds the number), message names, line names —
 * never overlap: a checkpoint or message label that would is left out (lines' labels are stacked instead), and every
 * mark, arrow and line carries its full description as a {@code <title>} tooltip. Above {@link #DEFAULT_ARROWS}
 * messages (see {@link #maxArrows}), arrows stand for groups of messages ({@code class="message aggregate"},
 * {@code data-count}; see {@link MessageArrows}) and a note under the diagram says so, so the document's size grows
 * with ranks and checkpoints but not with messages. The view box covers everything drawn.
 *
 * <p>Usage: {@code SpaceTimeSvg.of(history).useless(u).failed(1).line("a", a).render()}. A builder; not thread-safe.
 */
public final class SpaceTimeSvg {
    /** Arrows drawn at most unless {@link #maxArrows} says otherwise. */
    public static final int DEFAULT_ARROWS = 300;

    private static final int PAD = 10;
    private static final int TOP = 50;
    private static final int ROW = 80;
    private static final int MIN_PLOT_WIDTH = 720;
    private static final int MAX_PLOT_WIDTH = 2400;
    private static final int PER_CHECKPOINT = 70;
    private static final int RANK_FONT = 14;
    private static final int CHECKPOINT_FONT = 10;
    private static final int MESSAGE_FONT = 12;
    private static final int LINE_FONT = 12;
    private static final double ARROW_HEAD = 10;
    private static final double[] LABEL_PLACES = {0.5, 0.35, 0.65, 0.2, 0.8};
    private static final String[] LINE_COLOURS = {"#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"};
    private static final String STYLE = markers("arrow", "#1f5fbf", "arrow-orphan", "#d62728") + """
        <style>
          .timeline { stroke: #333; stroke-width: 1.5; }
          .checkpoint { fill: #222; }
          .checkpoint.useless { fill: #bbb; }
          .checkpoint-label { fill: #444; }
          .message { stroke: #1f5fbf; stroke-width: 1.5; fill: none; }
          .message.orphan { stroke: #d62728; stroke-width: 2; }
          .message.in-transit { stroke-dasharray: 6 4; }
          .message-label { fill: #1f5fbf; font-style: italic; }
          .message-label.orphan { fill: #d62728; }
          .failure { stroke: #d62728; stroke-width: 3; fill: none; }
          .recovery-line { fill: none; stroke-width: 5; stroke-opacity: 0.7; stroke-linejoin: round; }
          .rank-label { font-weight: bold; }
          .note { fill: #444; }
        </style>
        """;

    private static final String LOGGED_STYLE = markers("arrow-replayed", "#e377c2", "arrow-suppressed", "#999") + """
        <style>
          .message.replayed, .legend-sample.replayed { stroke: #e377c2; stroke-width: 2; stroke-dasharray: 7 4; }
          .message.resent, .legend-sample.resent { stroke: #e377c2; stroke-width: 2; stroke-dasharray: 2 3; }
          .message.suppressed, .legend-sample.suppressed { stroke: #999; stroke-width: 1.5; stroke-dasharray: 1 3; }
          .message-label.replayed, .message-label.resent { fill: #c0399a; }
          .message-label.suppressed { fill: #888; }
          .restored { fill: none; stroke: #e377c2; stroke-width: 2.5; }
          .legend-text { fill: #444; }
        </style>
        """;
    /** {@code <defs>} with an arrowhead marker per (id, fill) pair. */
    private static String markers(String... idsAndFills) {
        StringBuilder out = new StringBuilder("<defs>\n");
        for (int i = 0; i < idsAndFills.length; i += 2) {
            out.append("  <marker id=\"").append(idsAndFills[i]).append("\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\""
                + " markerUnits=\"userSpaceOnUse\"\n    markerWidth=\"10\" markerHeight=\"10\" orient=\"auto\">\n"
                + "    <path d=\"M0,0 L10,5 L0,10 z\" fill=\"").append(idsAndFills[i + 1]).append("\"/></marker>\n");
        }
        return out.append("</defs>\n").toString();
    }

    private static final int LEGEND_ROW = 18;
    private static final int LEGEND_SAMPLE = 32;

    private final History history;
    private final Set<Checkpoint> useless = new HashSet<>();
    private final BitSet failed = new BitSet();
    private final List<String> lineNames = new ArrayList<>();
    private final List<RecoveryLine> lines = new ArrayList<>();
    private final List<LoggedRecovery.Restart> restarts = new ArrayList<>();
    private int maxArrows = DEFAULT_ARROWS;
    private long tMin;
    private long tMax;
    private double left;
    private double plotWidth;
    private long[] sendT;      // per message: the time its arrow starts at
    private long[] receiveT;   // per message: the time its arrow ends at (received messages only)

    private SpaceTimeSvg(History history) {
        this.history = history;
    }

    public static SpaceTimeSvg of(History history) {
        return new SpaceTimeSvg(history);
    }

    /** Greys these checkpoints out as useless. */
    public SpaceTimeSvg useless(List<Checkpoint> checkpoints) {
        useless.addAll(checkpoints);
        return this;
    }

    /** Marks these ranks as failed at the end of their timelines. */
    public SpaceTimeSvg failed(int... ranks) {
        for (int r : ranks) {
            failed.set(r);
        }
        return this;
    }

    /** Draws {@code line}, labelled {@code name}; messages crossing it are coloured orphan or in transit. */
    public SpaceTimeSvg line(String name, RecoveryLine line) {
        if (line.rankCount() != history.rankCount()) {
            throw new RecoveryException("line " + name + " names " + line.rankCount() + " rank(s) but the history has "
                + history.rankCount());
        }
        lineNames.add(name);
        lines.add(line);
        return this;
    }

    /**
     * Draws the restart of failed ranks under message logging: each restart's restored checkpoint, the messages the
     * rank gets again and its suppressed sends (see the class comment). Such a message is drawn as what the restart
     * does with it even where a drawn line would make it an orphan or in transit. An empty list draws nothing more.
     */
    public SpaceTimeSvg logged(List<LoggedRecovery.Restart> restarts) {
        for (LoggedRecovery.Restart r : restarts) {
            if (r.rank() < 0 || r.rank() >= history.rankCount()
                || r.checkpoint() < 0 || r.checkpoint() >= history.checkpointCount(r.rank())) {
                throw new RecoveryException("the restart of rank " + r.rank() + " from checkpoint " + r.checkpoint()
                    + " does not fit the history's " + history.rankCount() + " ranks and their checkpoints");
            }
        }
        this.restarts.addAll(restarts);
        return this;
    }

    /** One arrow per message up to {@code arrows} messages, groups above that; {@code Integer.MAX_VALUE}: all. */
    public SpaceTimeSvg maxArrows(int arrows) {
        if (arrows < 1) {
            throw new RecoveryException("a diagram draws at least one arrow, got " + arrows);
        }
        this.maxArrows = arrows;
        return this;
    }

    /** The SVG document. */
    public String render() {
        span();
        EventTimes times = EventTimes.of(history);
        sendT = times.send();
        receiveT = times.receive();
        double rankWidth = 0;
        for (RankHistory rank : history.ranks()) {
            rankWidth = Math.max(rankWidth, SvgWriter.textWidth(rank.name(), RANK_FONT));
        }
        left = PAD + rankWidth + 16;
        int most = 0;
        for (RankHistory rank : history.ranks()) {
            most = Math.max(most, rank.checkpointCount());
        }
        plotWidth = Math.max(MIN_PLOT_WIDTH, Math.min(MAX_PLOT_WIDTH, PER_CHECKPOINT * (most + 1)));
        SvgWriter body = new SvgWriter(8192 + 400 * Math.min(history.messages().size(), maxArrows)
            + 300 * history.totalCheckpoints());
        LabelSpace labels = new LabelSpace();
        drawRanks(body, labels);
        for (RankHistory rank : history.ranks()) {
            // message labels stay off the timelines and their checkpoint marks
            int y = y(rank.rank());
            labels.block(left - 4, y - 10, x(rank.endTimeNanos()) + 20, y + 10);
        }
        MessageArrows.Plan plan = MessageArrows.plan(history, sendT, receiveT, kinds(), maxArrows);
        drawMessages(body, labels, plan.arrows());
        drawRestored(body);
        drawLines(body, labels);
        double below = y(history.rankCount() - 1) + ROW / 2.0 + 8;
        if (plan.note() != null) {
            body.text("text", plan.note(), "class", "note", "x", left, "y", below, "font-size", MESSAGE_FONT);
            coverText(body, left, below, plan.note(), MESSAGE_FONT, "start");
            below += MESSAGE_FONT + 8;
        }
        drawLegend(body, below);
        double[] b = body.bounds();
        double x0 = Math.floor(Math.min(0, b[0] - PAD));
        double y0 = Math.floor(Math.min(0, b[1] - PAD));
        double width = Math.ceil(b[2] + PAD - x0);
        double height = Math.ceil(b[3] + PAD - y0);
        SvgWriter doc = new SvgWriter(body.toString().length() + 2048);
        doc.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        doc.start("svg", "xmlns", "http://www.w3.org/2000/svg", "class", "space-time", "width", (long) width,
            "height", (long) height, "viewBox", (long) x0 + " " + (long) y0 + " " + (long) width + " " + (long) height,
            "font-family", "sans-serif", "font-size", MESSAGE_FONT);
        doc.text("title", "Space-time diagram: " + history.rankCount() + " ranks, " + history.messages().size()
            + " messages" + (lineNames.isEmpty() ? "" : ", lines " + String.join(", ", lineNames))
            + (restarts.isEmpty() ? "" : "; with message logging, " + restartingRanks() + " alone"));
        doc.raw(STYLE).raw(restarts.isEmpty() ? "" : LOGGED_STYLE).raw(body.toString()).end();
        return doc.toString();
    }

    private void drawRanks(SvgWriter out, LabelSpace labels) {
        out.start("g", "class", "ranks");
        for (RankHistory rank : history.ranks()) {
            int y = y(rank.rank());
            double labelX = left - 10;
            out.text("text", rank.name(), "class", "rank-label", "x", labelX, "y", y + 5, "text-anchor", "end",
                "font-size", RANK_FONT);
            coverText(out, labelX, y + 5, rank.name(), RANK_FONT, "end");
            takeText(labels, labelX, y + 5, rank.name(), RANK_FONT, "end");
            double x1 = x(rank.checkpoint(0).timeNanos());
            double x2 = x(rank.endTimeNanos());
            out.empty("line", "class", "timeline", "data-rank", rank.rank(), "x1", x1, "y1", y, "x2", x2, "y2", y);
            out.cover(x1, y, x2, y);
            for (Checkpoint c : rank.checkpoints()) {
                double cx = x(c.timeNanos());
                String label = label(rank, c);
                out.titled("rect", describe(rank, c), "class", "checkpoint" + (useless.contains(c) ? " useless" : ""),
                    "data-checkpoint", rank.checkpointLabel(c.index()), "data-id", c.id(), "x", cx - 2.5, "y", y - 9,
                    "width", 5, "height", 18);
                out.cover(cx - 2.5, y - 9, cx + 2.5, y + 9);
                if (takeText(labels, cx, y + 22, label, CHECKPOINT_FONT, "middle")) {
                    out.text("text", label, "class", "checkpoint-label", "x", cx, "y", y + 22, "text-anchor", "middle",
                        "font-size", CHECKPOINT_FONT);
                    coverText(out, cx, y + 22, label, CHECKPOINT_FONT, "middle");
                }
            }
            if (failed.get(rank.rank())) {
                double ex = x(rank.endTimeNanos());
                out.titled("path", rank.name() + " failed", "class", "failure", "data-rank", rank.rank(), "d",
                    "M" + n(ex - 6) + "," + (y - 6) + " L" + n(ex + 6) + "," + (y + 6) + " M" + n(ex - 6) + ","
                        + (y + 6) + " L" + n(ex + 6) + "," + (y - 6));
                out.cover(ex - 8, y - 8, ex + 8, y + 8);
            }
        }
        out.end();
    }

    /** {@code P2}, or {@code #12} when the store knows the checkpoint by another number than its index. */
    private static String label(RankHistory rank, Checkpoint c) {
        return c.id() == c.index() ? rank.checkpointLabel(c.index()) : "#" + c.id();
    }

    private String describe(RankHistory rank, Checkpoint c) {
        return rank.name() + ": checkpoint " + c.index() + (c.id() == c.index() ? "" : " (#" + c.id() + ")") + " at "
            + millis(c.timeNanos() - tMin) + (useless.contains(c) ? "; useless (on a Z-cycle)" : "");
    }

    private MessageArrows.Kind[] kinds() {
        List<int[]> cuts = new ArrayList<>();
        for (RecoveryLine line : lines) {
            int[] cut = new int[history.rankCount()];
            for (int r = 0; r < cut.length; r++) {
                cut[r] = line.keepsRunning(r) ? history.checkpointCount(r) : line.checkpoint(r);
            }
            cuts.add(cut);
        }
        Map<Message, MessageArrows.Kind> logged = new HashMap<>();
        for (LoggedRecovery.Restart r : restarts) {
            r.fromLogs().forEach(m -> logged.put(m, MessageArrows.Kind.REPLAYED));
            r.resent().forEach(m -> logged.put(m, MessageArrows.Kind.RESENT));
            r.suppressed().forEach(m -> logged.put(m, MessageArrows.Kind.SUPPRESSED));
        }
        MessageArrows.Kind[] kinds = new MessageArrows.Kind[history.messages().size()];
        for (int i = 0; i < kinds.length; i++) {
            Message m = history.messages().get(i);
            MessageArrows.Kind restart = logged.get(m);
            if (restart != null) {
                kinds[i] = restart;
                continue;
            }
            boolean orphan = false;
            boolean inTransit = false;
            for (int[] cut : cuts) {
                boolean sentBefore = m.senderInterval() < cut[m.sender()];
                boolean receivedBefore = m.received() && m.receiverInterval() < cut[m.receiver()];
                orphan |= receivedBefore && !sentBefore;
                inTransit |= sentBefore && !receivedBefore;
            }
            kinds[i] = orphan ? MessageArrows.Kind.ORPHAN : inTransit ? MessageArrows.Kind.IN_TRANSIT
                : MessageArrows.Kind.PLAIN;
        }
        return kinds;
    }

    private void drawMessages(SvgWriter out, LabelSpace labels, List<MessageArrows.Arrow> arrows) {
        out.start("g", "class", "messages");
        for (MessageArrows.Arrow a : arrows) {
            boolean single = a.count() == 1;
            Message first = a.messages().get(0);
            String kind = kindClass(a.kind());
            String classes = "message" + (single ? "" : " aggregate") + (kind.isEmpty() ? "" : " " + kind)
                + (a.received() ? "" : " unreceived");
            double x1 = xOf(a.sendTime());
            double x2 = a.received() ? xOf(a.receiveTime()) : x(history.rank(a.receiver()).endTimeNanos()) + 14;
            int y1 = y(a.sender());
            int y2 = y(a.receiver());
            String title = single ? describe(first, a.kind()) : describeGroup(a);
            Object width = single ? null : "stroke-width:" + n(Math.min(6.0, 1.5 + Math.log(a.count()) / 2));
            String marker = "url(#" + switch (a.kind()) {
                case ORPHAN -> "arrow-orphan";
                case REPLAYED, RESENT -> "arrow-replayed";
                case SUPPRESSED -> "arrow-suppressed";
                case PLAIN, IN_TRANSIT -> "arrow";
            } + ")";
            if (y1 == y2) {
                // a message to oneself: a hop above the timeline
                double top = y1 - 18;
                out.titled("path", title, "class", classes, "data-message", single ? first.label() : null,
                    "data-count", single ? null : a.count(), "style", width, "marker-end", marker,
                    "d", "M" + n(x1) + "," + y1 + " Q" + n((x1 + x2) / 2) + "," + n(top) + " " + n(x2) + "," + y2);
                out.cover(Math.min(x1, x2) - ARROW_HEAD, top, Math.max(x1, x2) + ARROW_HEAD, y1);
            } else {
                out.titled("line", title, "class", classes, "data-message", single ? first.label() : null,
                    "data-count", single ? null : a.count(), "style", width, "x1", x1, "y1", y1, "x2", x2,
                    "y2", y2, "marker-end", marker);
                out.cover(x1, y1, x2, y2).cover(x2 - ARROW_HEAD, y2 - ARROW_HEAD, x2 + ARROW_HEAD, y2 + ARROW_HEAD);
            }
            String label = single ? first.label() : "\u00d7" + a.count();
            for (double f : LABEL_PLACES) {
                // beside the arrow, somewhere along it where no other label, timeline or mark is
                double lx = x1 + (x2 - x1) * f + 4;
                double ly = y1 == y2 ? y1 - 20 : y1 + (y2 - y1) * f - 4;
                if (takeText(labels, lx, ly, label, MESSAGE_FONT, "start")) {
                    String labelKind = a.kind() == MessageArrows.Kind.IN_TRANSIT ? "" : kind;
                    out.text("text", label, "class", "message-label" + (labelKind.isEmpty() ? "" : " " + labelKind),
                        "x", lx, "y", ly, "font-size", MESSAGE_FONT);
                    coverText(out, lx, ly, label, MESSAGE_FONT, "start");
                    break;
                }
            }
        }
        out.end();
    }

    private String describe(Message m, MessageArrows.Kind kind) {
        return m.label() + ": " + history.rank(m.sender()).name() + " (interval " + m.senderInterval() + ") to "
            + history.rank(m.receiver()).name() + (m.received() ? " (interval " + m.receiverInterval() + ")"
                : " (not received)") + ", seq " + m.seq() + kindWords(kind);
    }

    private String describeGroup(MessageArrows.Arrow a) {
        StringBuilder names = new StringBuilder();
        int shown = Math.min(8, a.count());
        for (int i = 0; i < shown; i++) {
            names.append(i == 0 ? "" : ", ").append(a.messages().get(i).label());
        }
        Message first = a.messages().get(0);
        boolean sameIntervals = a.messages().stream().allMatch(m -> m.senderInterval() == first.senderInterval()
            && m.receiverInterval() == first.receiverInterval());
        return a.count() + " messages from " + history.rank(a.sender()).name()
            + (sameIntervals ? " (interval " + first.senderInterval() + ")" : "") + " to "
            + history.rank(a.receiver()).name() + (!a.received() ? " (not received)" : sameIntervals ? " (interval "
                + first.receiverInterval() + ")" : "") + kindWords(a.kind()) + ": " + names
            + (a.count() > shown ? ", ..." : "");
    }

    private static String kindWords(MessageArrows.Kind kind) {
        return switch (kind) {
            case ORPHAN -> "; orphan at a drawn line";
            case IN_TRANSIT -> "; in transit at a drawn line";
            case REPLAYED -> "; the restarted receiver gets it again from the sender's log";
            case RESENT -> "; the restarted receiver gets it again from the restarted sender's re-execution";
            case SUPPRESSED -> "; the restarted sender's re-execution repeats it, suppressed: the receiver holds it";
            case PLAIN -> "";
        };
    }

    /** The class a message of {@code kind} carries besides {@code message}; empty for a plain one. */
    private static String kindClass(MessageArrows.Kind kind) {
        return switch (kind) {
            case ORPHAN -> "orphan";
            case IN_TRANSIT -> "in-transit";
            case REPLAYED -> "replayed";
            case RESENT -> "resent";
            case SUPPRESSED -> "suppressed";
            case PLAIN -> "";
        };
    }

    /** A ring round the checkpoint each failed rank restores under message logging. */
    private void drawRestored(SvgWriter out) {
        if (restarts.isEmpty()) {
            return;
        }
        out.start("g", "class", "logged-restarts");
        for (LoggedRecovery.Restart r : restarts) {
            RankHistory rank = history.rank(r.rank());
            Checkpoint c = rank.checkpoint(r.checkpoint());
            double cx = x(c.timeNanos());
            int y = y(r.rank());
            String what = r.fromTheStart() ? "restarts from the beginning" : "restores checkpoint " + c.index()
                + (c.id() == c.index() ? "" : " (#" + c.id() + ")");
            out.titled("rect", rank.name() + " " + what + " and gets " + r.replays() + " message(s) again ("
                    + r.fromLogs().size() + " from the senders' logs, " + r.resent().size() + " re-sent by failed"
                    + " senders); " + r.suppressed().size() + " of its re-executed sends are suppressed; the other"
                    + " ranks keep running", ring("restored", cx, y, "data-rank", r.rank(), "data-checkpoint",
                    rank.checkpointLabel(c.index()), "data-id", c.id()));
            out.cover(cx - 7, y - 14, cx + 7, y + 14);
        }
        out.end();
    }

    /** The legend of a restart under message logging, from {@code top} down; nothing without one. */
    private void drawLegend(SvgWriter out, double top) {
        if (restarts.isEmpty()) {
            return;
        }
        boolean resent = restarts.stream().anyMatch(r -> !r.resent().isEmpty());
        boolean suppressed = restarts.stream().anyMatch(r -> !r.suppressed().isEmpty());
        out.start("g", "class", "legend");
        double y = top;
        y = legendText(out, y, "with message logging, " + restartingRanks() + " alone, "
            + (restarts.size() == 1 ? "from a checkpoint of its own" : "each from a checkpoint of its own")
            + "; the other ranks keep running and do not roll back");
        y = legendLine(out, y, "replayed", "replayed from the senders' logs");
        if (resent) {
            y = legendLine(out, y, "resent", "sent again by a failed sender as it re-executes");
        }
        if (suppressed) {
            y = legendLine(out, y, "suppressed", "re-executed send the receiver already holds (suppressed)");
        }
        double cx = left + LEGEND_SAMPLE / 2.0;
        out.empty("rect", ring("restored legend-sample", cx, y));
        out.cover(cx - 7, y - 14, cx + 7, y + 14);
        legendEntry(out, y + 5, "the checkpoint a failed rank restores");
        out.end();
    }

    /** The attributes of the ring round a checkpoint at ({@code cx}, {@code y}): its class, {@code data}, its box. */
    private static Object[] ring(String classes, double cx, double y, Object... data) {
        Object[] head = {"class", classes};
        Object[] box = {"x", cx - 6, "y", y - 13, "width", 12, "height", 26, "rx", 3};
        Object[] out = java.util.Arrays.copyOf(head, head.length + data.length + box.length);
        System.arraycopy(data, 0, out, head.length, data.length);
        System.arraycopy(box, 0, out, head.length + data.length, box.length);
        return out;
    }

    private double legendText(SvgWriter out, double y, String text) {
        out.text("text", text, "class", "legend-text", "x", left, "y", y, "font-size", MESSAGE_FONT);
        coverText(out, left, y, text, MESSAGE_FONT, "start");
        return y + LEGEND_ROW;
    }

    private double legendLine(SvgWriter out, double y, String kind, String text) {
        out.empty("line", "class", "legend-sample " + kind, "x1", left, "y1", y - 4, "x2", left + LEGEND_SAMPLE,
            "y2", y - 4);
        out.cover(left, y - 6, left + LEGEND_SAMPLE, y - 2);
        legendEntry(out, y, text);
        return y + LEGEND_ROW;
    }

    private void legendEntry(SvgWriter out, double y, String text) {
        double x = left + LEGEND_SAMPLE + 8;
        out.text("text", text, "class", "legend-text", "x", x, "y", y, "font-size", MESSAGE_FONT);
        coverText(out, x, y, text, MESSAGE_FONT, "start");
    }

    /** {@code rank 2 restarts} or {@code P and R restart}: the ranks that restart under message logging. */
    private String restartingRanks() {
        List<String> names = restarts.stream().map(r -> history.rank(r.rank()).name()).toList();
        return names.size() == 1 ? names.get(0) + " restarts"
            : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1)
                + " restart";
    }

    private void drawLines(SvgWriter out, LabelSpace labels) {
        out.start("g", "class", "recovery-lines");
        for (int l = 0; l < lines.size(); l++) {
            RecoveryLine line = lines.get(l);
            String colour = LINE_COLOURS[l % LINE_COLOURS.length];
            StringBuilder points = new StringBuilder();
            StringBuilder where = new StringBuilder();
            double firstX = 0;
            int last = history.rankCount() - 1;
            for (int r = 0; r <= last; r++) {
                RankHistory rank = history.rank(r);
                long t = line.keepsRunning(r) ? rank.endTimeNanos() : rank.checkpoint(line.checkpoint(r)).timeNanos();
                double x = x(t);
                if (r == 0) {
                    firstX = x;
                    points.append(n(x)).append(',').append(y(r) - ROW / 3).append(' ');
                    out.cover(x - 3, y(r) - ROW / 3.0 - 3, x + 3, y(r) - ROW / 3.0);
                }
                points.append(n(x)).append(',').append(y(r)).append(' ');
                out.cover(x - 3, y(r) - 3, x + 3, y(r) + 3);
                if (r == last) {
                    points.append(n(x)).append(',').append(y(r) + ROW / 3);
                    out.cover(x - 3, y(r), x + 3, y(r) + ROW / 3.0 + 3);
                }
                where.append(r == 0 ? "" : ", ").append(line.keepsRunning(r) ? rank.name() + " keeps running"
                    : rank.checkpointLabel(line.checkpoint(r)));
            }
            String name = lineNames.get(l);
            out.titled("polyline", name + ": {" + where + "}", "class", "recovery-line", "data-line", name,
                "stroke", colour, "points", points.toString().trim());
            double ly = y(0) - ROW / 3.0 - 6;
            while (!labels.isFree(firstX - SvgWriter.textWidth(name, LINE_FONT) / 2, ly - LINE_FONT,
                firstX + SvgWriter.textWidth(name, LINE_FONT) / 2, ly + LINE_FONT * 0.25)) {
                ly -= LINE_FONT + 2;
            }
            takeText(labels, firstX, ly, name, LINE_FONT, "middle");
            out.text("text", name, "class", "line-label", "fill", colour, "x", firstX, "y", ly, "text-anchor", "middle",
                "font-weight", "bold", "font-size", LINE_FONT);
            coverText(out, firstX, ly, name, LINE_FONT, "middle");
        }
        out.end();
    }

    /** The time span drawn: from the earliest start to the latest end. */
    private void span() {
        tMin = Long.MAX_VALUE;
        tMax = Long.MIN_VALUE;
        for (RankHistory rank : history.ranks()) {
            tMin = Math.min(tMin, rank.checkpoint(0).timeNanos());
            tMax = Math.max(tMax, rank.endTimeNanos());
        }
        if (tMax <= tMin) {
            tMax = tMin + 1;
        }
    }

    /** Occupies a label's box in {@code labels} if it is free; its box as {@link SvgWriter#textWidth} estimates it. */
    private static boolean takeText(LabelSpace labels, double x, double y, String text, int font, String anchor) {
        double[] b = textBox(x, y, text, font, anchor);
        return labels.take(b[0], b[1], b[2], b[3]);
    }

    private static void coverText(SvgWriter out, double x, double y, String text, int font, String anchor) {
        double[] b = textBox(x, y, text, font, anchor);
        out.cover(b[0], b[1], b[2], b[3]);
    }

    /**
     * The box a label is taken to fill: {@link SvgWriter#textWidth} wide, placed by its anchor, from one font size
     * above its baseline to a quarter below.
     */
    static double[] textBox(double x, double y, String text, double font, String anchor) {
        double w = SvgWriter.textWidth(text, font);
        double x1 = switch (anchor) {
            case "middle" -> x - w / 2;
            case "end" -> x - w;
            default -> x;
        };
        return new double[] {x1, y - font, x1 + w, y + font * 0.25};
    }

    private int y(int rank) {
        return TOP + ROW / 2 + ROW * rank;
    }

    private double x(long t) {
        return left + (t - tMin) * plotWidth / (tMax - tMin);
    }

    private double xOf(double t) {
        return left + (t - tMin) * plotWidth / (tMax - tMin);
    }

    private static String n(double v) {
        return SvgWriter.number(v);
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
