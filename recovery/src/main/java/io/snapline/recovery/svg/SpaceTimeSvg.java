package io.snapline.recovery.svg;

import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Draws a history as a space-time diagram in SVG: one horizontal timeline per rank (time runs left to right),
 * checkpoints as marks ({@code class="checkpoint"}, plus {@code useless} for those on a Z-cycle, drawn grey), messages
 * as arrows from send to receive ({@code class="message"}, plus {@code orphan} in red or {@code in-transit} dashed
 * with respect to any drawn line, {@code unreceived} for messages never received, drawn to the end of the receiver's
 * timeline), failed ranks with a red cross at their end ({@code class="failure"}), and each recovery line as a thick
 * polyline through its checkpoints ({@code class="recovery-line"}; a rank that keeps running is crossed at its end).
 * Events without a time are spread evenly inside their interval. Labels: rank names, checkpoint names ({@code P2};
 * {@code #12} for a checkpoint the store numbers 12 when that differs from its index, e.g. a local checkpoint after
 * older ones were deleted; {@code data-id} holds the number), message names, line names.
 *
 * <p>Usage: {@code SpaceTimeSvg.of(history).useless(u).failed(1).line("a", a).render()}. A builder; not thread-safe.
 */
public final class SpaceTimeSvg {
    private static final int LEFT = 70;
    private static final int RIGHT = 50;
    private static final int TOP = 50;
    private static final int ROW = 80;
    private static final int PLOT_WIDTH = 720;
    private static final String[] LINE_COLOURS = {"#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"};

    private final History history;
    private final Set<Checkpoint> useless = new HashSet<>();
    private final BitSet failed = new BitSet();
    private final List<String> lineNames = new ArrayList<>();
    private final List<RecoveryLine> lines = new ArrayList<>();
    private long tMin;
    private long tMax;
    private long[] sendX;      // per message: the time its arrow starts at
    private long[] receiveX;   // per message: the time its arrow ends at (received messages only)

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
            throw new io.snapline.recovery.RecoveryException("line " + name + " names " + line.rankCount()
                + " rank(s) but the history has " + history.rankCount());
        }
        lineNames.add(name);
        lines.add(line);
        return this;
    }

    /** The SVG document. */
    public String render() {
        placeEvents();
        int n = history.rankCount();
        int width = LEFT + PLOT_WIDTH + RIGHT;
        int height = TOP + ROW * n;
        StringBuilder out = new StringBuilder(4096 + 200 * history.messages().size());
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"space-time\" width=\"").append(width)
            .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        out.append("<title>Space-time diagram: ").append(n).append(" ranks, ").append(history.messages().size())
            .append(" messages").append(lineNames.isEmpty() ? "" : ", lines " + String.join(", ", lineNames))
            .append("</title>\n");
        out.append("""
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
                <path d="M0,0 L10,5 L0,10 z" fill="#1f5fbf"/></marker>
              <marker id="arrow-orphan" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
                <path d="M0,0 L10,5 L0,10 z" fill="#d62728"/></marker>
            </defs>
            <style>
              .timeline { stroke: #333; stroke-width: 1.5; }
              .checkpoint { fill: #222; }
              .checkpoint.useless { fill: #bbb; }
              .checkpoint-label { fill: #444; font-size: 10px; }
              .message { stroke: #1f5fbf; stroke-width: 1.5; fill: none; }
              .message.orphan { stroke: #d62728; stroke-width: 2; }
              .message.in-transit { stroke-dasharray: 6 4; }
              .message-label { fill: #1f5fbf; font-style: italic; }
              .message-label.orphan { fill: #d62728; }
              .failure { stroke: #d62728; stroke-width: 3; }
              .recovery-line { fill: none; stroke-width: 5; stroke-opacity: 0.7; stroke-linejoin: round; }
              .rank-label { font-weight: bold; font-size: 14px; }
            </style>
            """);
        drawRanks(out);
        drawMessages(out);
        drawLines(out);
        out.append("</svg>\n");
        return out.toString();
    }

    private void drawRanks(StringBuilder out) {
        out.append("<g class=\"ranks\">\n");
        for (RankHistory rank : history.ranks()) {
            int y = y(rank.rank());
            out.append("  <text class=\"rank-label\" x=\"").append(LEFT - 40).append("\" y=\"").append(y + 5).append("\">")
                .append(escape(rank.name())).append("</text>\n");
            out.append("  <line class=\"timeline\" data-rank=\"").append(rank.rank()).append("\" x1=\"")
                .append(x(rank.checkpoint(0).timeNanos())).append("\" y1=\"").append(y).append("\" x2=\"")
                .append(x(rank.endTimeNanos())).append("\" y2=\"").append(y).append("\"/>\n");
            for (Checkpoint c : rank.checkpoints()) {
                String cx = x(c.timeNanos());
                out.append("  <rect class=\"checkpoint").append(useless.contains(c) ? " useless" : "")
                    .append("\" data-checkpoint=\"").append(escape(rank.checkpointLabel(c.index())))
                    .append("\" data-id=\"").append(c.id()).append("\" x=\"")
                    .append(cx).append("\" y=\"").append(y - 9).append("\" width=\"5\" height=\"18\"")
                    .append(" transform=\"translate(-2.5 0)\"/>\n");
                out.append("  <text class=\"checkpoint-label\" x=\"").append(cx).append("\" y=\"").append(y + 22)
                    .append("\" text-anchor=\"middle\">").append(escape(label(rank, c))).append("</text>\n");
            }
            if (failed.get(rank.rank())) {
                double ex = xValue(rank.endTimeNanos());
                out.append("  <path class=\"failure\" data-rank=\"").append(rank.rank()).append("\" d=\"M")
                    .append(fmt(ex - 6)).append(',').append(y - 6).append(" L").append(fmt(ex + 6)).append(',').append(y + 6)
                    .append(" M").append(fmt(ex - 6)).append(',').append(y + 6).append(" L").append(fmt(ex + 6)).append(',')
                    .append(y - 6).append("\"/>\n");
            }
        }
        out.append("</g>\n");
    }

    /** {@code P2}, or {@code #12} when the store knows the checkpoint by another number than its index. */
    private static String label(RankHistory rank, Checkpoint c) {
        return c.id() == c.index() ? rank.checkpointLabel(c.index()) : "#" + c.id();
    }

    private void drawMessages(StringBuilder out) {
        out.append("<g class=\"messages\">\n");
        List<int[]> cuts = new ArrayList<>();
        for (RecoveryLine line : lines) {
            int[] cut = new int[history.rankCount()];
            for (int r = 0; r < cut.length; r++) {
                cut[r] = line.keepsRunning(r) ? history.checkpointCount(r) : line.checkpoint(r);
            }
            cuts.add(cut);
        }
        for (int i = 0; i < history.messages().size(); i++) {
            Message m = history.messages().get(i);
            boolean orphan = false;
            boolean inTransit = false;
            for (int[] cut : cuts) {
                boolean sentBefore = m.senderInterval() < cut[m.sender()];
                boolean receivedBefore = m.received() && m.receiverInterval() < cut[m.receiver()];
                orphan |= receivedBefore && !sentBefore;
                inTransit |= sentBefore && !receivedBefore;
            }
            String classes = "message" + (orphan ? " orphan" : inTransit ? " in-transit" : "")
                + (m.received() ? "" : " unreceived");
            double x1 = xValue(sendX[i]);
            double x2 = m.received() ? xValue(receiveX[i]) : xValue(history.rank(m.receiver()).endTimeNanos()) + 14;
            int y1 = y(m.sender());
            int y2 = y(m.receiver());
            if (m.sender() == m.receiver()) {
                y2 = y1 - 1; // a message to oneself: a short hop along the timeline
            }
            out.append("  <line class=\"").append(classes).append("\" data-message=\"").append(escape(m.label()))
                .append("\" x1=\"").append(fmt(x1)).append("\" y1=\"").append(y1).append("\" x2=\"").append(fmt(x2))
                .append("\" y2=\"").append(y2).append("\" marker-end=\"url(#").append(orphan ? "arrow-orphan" : "arrow")
                .append(")\"/>\n");
            out.append("  <text class=\"message-label").append(orphan ? " orphan" : "").append("\" x=\"")
                .append(fmt((x1 + x2) / 2 + 4)).append("\" y=\"").append(fmt((y1 + y2) / 2.0 - 4)).append("\">")
                .append(escape(m.label())).append("</text>\n");
        }
        out.append("</g>\n");
    }

    private void drawLines(StringBuilder out) {
        out.append("<g class=\"recovery-lines\">\n");
        for (int l = 0; l < lines.size(); l++) {
            RecoveryLine line = lines.get(l);
            String colour = LINE_COLOURS[l % LINE_COLOURS.length];
            StringBuilder points = new StringBuilder();
            double firstX = 0;
            for (int r = 0; r < history.rankCount(); r++) {
                RankHistory rank = history.rank(r);
                long t = line.keepsRunning(r) ? rank.endTimeNanos() : rank.checkpoint(line.checkpoint(r)).timeNanos();
                double x = xValue(t);
                if (r == 0) {
                    firstX = x;
                    points.append(fmt(x)).append(',').append(y(r) - ROW / 3).append(' ');
                }
                points.append(fmt(x)).append(',').append(y(r)).append(' ');
                if (r == history.rankCount() - 1) {
                    points.append(fmt(x)).append(',').append(y(r) + ROW / 3);
                }
            }
            out.append("  <polyline class=\"recovery-line\" data-line=\"").append(escape(lineNames.get(l)))
                .append("\" stroke=\"").append(colour).append("\" points=\"").append(points).append("\"/>\n");
            out.append("  <text class=\"line-label\" fill=\"").append(colour).append("\" x=\"").append(fmt(firstX))
                .append("\" y=\"").append(y(0) - ROW / 3 - 6).append("\" text-anchor=\"middle\" font-weight=\"bold\">")
                .append(escape(lineNames.get(l))).append("</text>\n");
        }
        out.append("</g>\n");
    }

    /** Computes each send's and receive's x time, spreading untimed events evenly over their interval. */
    private void placeEvents() {
        tMin = Long.MAX_VALUE;
        tMax = Long.MIN_VALUE;
        for (RankHistory rank : history.ranks()) {
            tMin = Math.min(tMin, rank.checkpoint(0).timeNanos());
            tMax = Math.max(tMax, rank.endTimeNanos());
        }
        if (tMax <= tMin) {
            tMax = tMin + 1;
        }
        int total = history.totalCheckpoints();
        int[] base = new int[history.rankCount()];
        for (int r = 1; r < base.length; r++) {
            base[r] = base[r - 1] + history.checkpointCount(r - 1);
        }
        int[] untimed = new int[total];
        for (Message m : history.messages()) {
            if (!m.hasSendTime()) {
                untimed[base[m.sender()] + m.senderInterval()]++;
            }
            if (m.received() && !m.hasReceiveTime()) {
                untimed[base[m.receiver()] + m.receiverInterval()]++;
            }
        }
        int[] placed = new int[total];
        int count = history.messages().size();
        sendX = new long[count];
        receiveX = new long[count];
        for (int i = 0; i < count; i++) {
            Message m = history.messages().get(i);
            sendX[i] = m.hasSendTime() ? m.sendTime()
                : spread(m.sender(), m.senderInterval(), base, untimed, placed);
            if (m.received()) {
                receiveX[i] = m.hasReceiveTime() ? m.receiveTime()
                    : spread(m.receiver(), m.receiverInterval(), base, untimed, placed);
            }
        }
    }

    private long spread(int rank, int interval, int[] base, int[] untimed, int[] placed) {
        RankHistory r = history.rank(rank);
        long start = r.intervalStart(interval);
        long end = r.intervalEnd(interval);
        int g = base[rank] + interval;
        int k = ++placed[g];
        return start + (long) ((end - start) * (k / (double) (untimed[g] + 1)));
    }

    private int y(int rank) {
        return TOP + ROW / 2 + ROW * rank;
    }

    private double xValue(long t) {
        return LEFT + (t - tMin) * (double) PLOT_WIDTH / (tMax - tMin);
    }

    private String x(long t) {
        return fmt(xValue(t));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c < 0x20 && c != '\t' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
