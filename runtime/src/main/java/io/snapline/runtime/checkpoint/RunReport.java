package io.snapline.runtime.checkpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapline.runtime.json.JsonText;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run with checkpointing did: each committed checkpoint (when, at which safe point, how big before and after
 * compression, how long it held the ranks back, how long its pieces were written in the background) and each restart
 * (who failed, from which checkpoint the job continued, how long that took), and the overhead they add up to: time
 * (blocked, background) apart from storage (bytes written, the most the store held, compression).
 * Printed at the end of every run with a checkpoint policy, and written as JSON with {@code --report}. Thread-safe.
 */
public final class RunReport {
    /** What a committed checkpoint, global or local, stored and cost in the background. */
    public sealed interface Committed permits Checkpoint, LocalCheckpoint {
        /** What writing it put in the store: its pieces and, with {@code --incremental}, the new chunks. */
        long bytes();

        /** What its pieces would take written whole with the program state not compressed; -1 when a rank did not say. */
        long rawBytes();

        /**
         * What its pieces would take written whole (as without {@code --incremental}); -1 when a rank did not say.
         * Known exactly when {@link #rawBytes()} is.
         */
        long fullBytes();

        /** The time its pieces were written while the programs went on, summed over the ranks. */
        long backgroundNanos();
    }

    /**
     * A committed checkpoint. {@code committedAt} is nanoseconds since the job started. {@code bytes} is what writing
     * it put in the store (its pieces, and with {@code --incremental} the chunks the store did not have; when a rank's
     * report was lost, the sizes of the pieces alone), {@code rawBytes} what its pieces would take written whole with
     * the program state not compressed and {@code fullBytes} written whole (-1 when a rank did not say, see
     * {@link #pieceWritten}); {@code backgroundNanos} the time its pieces were written while the programs went on,
     * summed over the ranks (0 when every rank wrote its piece while held back).
     */
    public record Checkpoint(long id, long point, long bytes, long meanBlockedNanos, long maxBlockedNanos,
            long committedAt, long rawBytes, long backgroundNanos, long fullBytes) implements Committed {
    }

    /**
     * A local checkpoint, committed by its rank alone. {@code committedAt} is nanoseconds since the job started;
     * {@code bytes}, {@code rawBytes}, {@code fullBytes} and {@code backgroundNanos} as in {@link Checkpoint}.
     */
    public record LocalCheckpoint(int rank, long index, long point, long bytes, long blockedNanos, long committedAt,
            long rawBytes, long backgroundNanos, long fullBytes) implements Committed {
    }

    /**
     * A piece of checkpoint {@code checkpoint} that rank {@code rank} restored from a store with host copies: from its
     * host's copy ({@code fastFailure} empty) or from the replica, because its host's copy failed as it says.
     */
    public record PieceRead(int rank, long checkpoint, String fastFailure) {
        /** Which copy it came from: {@code host} or {@code replica}. */
        public String tier() {
            return fastFailure.isEmpty() ? "host" : "replica";
        }
    }

    /** Which piece a {@link PieceWritten} is about. */
    private record PieceKey(boolean local, int rank, long id) {
    }

    /**
     * A restart: {@code fromCheckpoint} is the global checkpoint every rank restored, or 0 when the job began again
     * or restored a recovery line over local checkpoints ({@code fromLine}, by rank, 0 meaning the beginning; null
     * for a global checkpoint). {@code tookNanos} runs from the failure's detection until every rank had restored (or
     * started, when there was nothing to restore).
     */
    public record Restart(int number, int[] failedRanks, String reason, long fromCheckpoint, long[] fromLine,
            String from, long detectedAt, long tookNanos, boolean alone) {
        /** The lowest of the failed ranks. */
        public int failedRank() {
            return failedRanks[0];
        }
    }

    /** "rank 1 failed (reason)", or for several "ranks 1 and 2 failed (reason)". */
    public static String failed(int[] ranks, String reason) {
        if (ranks.length == 1) {
            return "rank " + ranks[0] + " failed (" + reason + ")";
        }
        StringBuilder b = new StringBuilder("ranks ");
        for (int i = 0; i < ranks.length; i++) {
            b.append(i == 0 ? "" : i == ranks.length - 1 ? " and " : ", ").append(ranks[i]);
        }
        return b.append(" failed (").append(reason).append(")").toString();
    }

    /** What a rank's message log held at {@code at} (nanoseconds since the start), and the most it had held. */
    public record LogSample(int rank, long bytes, long peakBytes, long spilledBytes, long spilledPeakBytes, long at) {
    }

    /** Under {@code --learn-mttf}: the MTTF estimated again after a failure, and how ({@code at}: since the start). */
    public record MttfLearned(String how, long at) {
    }

    /**
     * An interval put in force by {@code --interval auto}: for the job's global checkpoints ({@code rank} -1) or for
     * one rank's local ones. {@code at}: nanoseconds since the job started.
     */
    public record IntervalChosen(int rank, IntervalChooser.Choice choice, long at) {
    }

    /** A checkpoint that was started but abandoned (the job ran on without it). */
    public record Abandoned(long id, String reason, long at) {
    }

    /**
     * What the run's committed checkpoints cost, time apart from storage.
     *
     * @param blockedNanos     the wall time the program was held back: for global checkpoints the longest-held rank of
     *                         each, summed; for local ones each rank's own time, summed and divided by the ranks
     * @param blockedShare     {@code blockedNanos} as a share of the wall time (0 before the run ended)
     * @param backgroundNanos  the time pieces were written (image built, state compressed, file written and forced to
     *                         disk) on other threads while the programs went on, summed over every piece; 0 when every
     *                         write held its rank back (then it is part of {@code blockedNanos})
     * @param checkpoints      committed checkpoints, global and local
     * @param bytesWritten     what writing them put in the store, summed (with {@code --incremental}: their pieces and
     *                         the chunks the store did not have)
     * @param meanBytes        {@code bytesWritten} per checkpoint (a global one counts all its pieces), 0 without any
     * @param maxBytes         the largest checkpoint's bytes
     * @param rawBytes         what the pieces would have taken with the program state not compressed, summed over the
     *                         checkpoints whose every rank said ({@code storedBytes} are their stored bytes)
     * @param storedBytes      the stored bytes of the checkpoints counted in {@code rawBytes}
     * @param fullBytes        what those checkpoints' pieces would take written whole (equal to {@code storedBytes}
     *                         without {@code --incremental})
     * @param peakHeldBytes    the most the committed checkpoints of this run held in the store at once (measured as
     *                         each commits, from the sizes of their pieces, before retention deletes older ones)
     * @param compression      the {@code --compress} value
     * @param incremental      whether checkpoints were written incrementally ({@code --incremental})
     * @param chunksCollected  chunks garbage collection deleted once no checkpoint used them ({@code --incremental})
     * @param chunkBytesCollected their bytes
     */
    public record Overhead(long blockedNanos, double blockedShare, long backgroundNanos, int checkpoints,
            long bytesWritten, long meanBytes, long maxBytes, long rawBytes, long storedBytes, long fullBytes,
            long peakHeldBytes, String compression, boolean incremental, long chunksCollected,
            long chunkBytesCollected) {
        /** {@code rawBytes / fullBytes}: what compression saved, or NaN when no checkpoint's raw size is known. */
        public double compressionRatio() {
            return fullBytes == 0 ? Double.NaN : (double) rawBytes / fullBytes;
        }

        /**
         * {@code fullBytes / storedBytes}: what writing only new chunks saved over writing every piece whole (1 without
         * {@code --incremental}), or NaN when no checkpoint's sizes are known.
         */
        public double dedupRatio() {
            return storedBytes == 0 ? Double.NaN : (double) fullBytes / storedBytes;
        }

        /** Whether the program state was compressed ({@code --compress} other than {@code none}). */
        public boolean compressed() {
            return !"none".equals(compression);
        }
    }

    private final String policy;
    private final String device;
    private final int ranks;
    private final long start;
    /** The {@code --compress} value. */
    private final String compression;
    /** Whether {@code --incremental} was given. */
    private final boolean incremental;
    /** What chunk garbage collection freed. */
    private long chunksCollected;
    private long chunkBytesCollected;
    /** Pieces written and not yet committed (or abandoned): what each cost. */
    private final Map<PieceKey, PieceWritten> written = new HashMap<>();
    /** The committed checkpoints of this run still in the store, and their bytes: global ones by id. */
    private final Map<Long, Long> heldGlobal = new HashMap<>();
    /** ... and local ones by rank and number. */
    private final Map<PieceKey, Long> heldLocal = new HashMap<>();
    /** The most {@link #heldGlobal} and {@link #heldLocal} together held at once. */
    private long peakHeld;
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private final List<LocalCheckpoint> locals = new ArrayList<>();
    private int discarded;
    private final List<Restart> restarts = new ArrayList<>();
    private final List<Abandoned> abandoned = new ArrayList<>();
    private final List<LogSample> logSamples = new ArrayList<>();
    private final List<IntervalChosen> intervals = new ArrayList<>();
    private final List<MttfLearned> learned = new ArrayList<>();
    /** Per rank: how many times its program was started (every attempt starts all; a rank restarted alone, one). */
    private final int[] starts;
    private final List<String> warnings = new ArrayList<>();
    private final List<PieceRead> piecesRead = new ArrayList<>();
    /** Under {@code --async}: checkpoints due while the previous one was being written, skipped or waited for. */
    private int skipped;
    private int waited;
    private long waitedNanos;
    private long wallNanos = -1;
    private String outcome = "running";

    public RunReport(String policy, String device, int ranks, long startNanos) {
        this(policy, device, ranks, startNanos, "none");
    }

    /** @param compression the {@code --compress} value ({@code none}, {@code lz4}, {@code zstd}) */
    public RunReport(String policy, String device, int ranks, long startNanos, String compression) {
        this(policy, device, ranks, startNanos, compression, false);
    }

    /**
     * @param compression the {@code --compress} value ({@code none}, {@code lz4}, {@code zstd})
     * @param incremental whether {@code --incremental} was given
     */
    public RunReport(String policy, String device, int ranks, long startNanos, String compression,
            boolean incremental) {
        this.incremental = incremental;
        this.policy = policy;
        this.device = device;
        this.ranks = ranks;
        this.start = startNanos;
        this.compression = compression;
        this.starts = new int[ranks];
    }

    /** An attempt started every rank's program. */
    public synchronized void attemptStarted() {
        for (int r = 0; r < ranks; r++) {
            starts[r]++;
        }
    }

    /** Rank {@code rank}'s program was started again alone, the others running on. */
    public synchronized void rankStarted(int rank) {
        starts[rank]++;
    }


    /**
     * Rank {@code rank} wrote a piece of a checkpoint: what it stored, what that was before compression, and how long
     * the write took in the background. Kept until the checkpoint commits ({@link #checkpoint},
     * {@link #localCheckpoint}), which takes it over; a later write of the same piece replaces it.
     */
    public synchronized void pieceWritten(int rank, PieceWritten piece) {
        written.put(new PieceKey(piece.local(), rank, piece.id()), piece);
    }

    /**
     * Under {@code --async}: a checkpoint fell due at rank {@code rank} while its previous one was still being written,
     * and was skipped or waited for ({@link #deferrals()}).
     */
    public synchronized void deferred(int rank, CheckpointDeferred deferred) {
        if (deferred.skipped()) {
            skipped++;
        } else {
            waited++;
            waitedNanos += deferred.waitedNanos();
        }
    }

    /**
     * Under {@code --async}: how many checkpoints fell due at a rank while its previous one was still being written.
     *
     * @param skipped      not taken (counted per rank)
     * @param waited       taken once the rank had waited for the previous write (counted per rank)
     * @param waitedNanos  the time those waits took, summed over the ranks (the blocked time of each checkpoint that
     *                     committed includes its ranks' waits; a wait before a checkpoint that never committed, as
     *                     when a rank failed, is counted here only)
     */
    public record Deferrals(int skipped, int waited, long waitedNanos) {
        /** Whether any checkpoint was skipped or waited for. */
        public boolean any() {
            return skipped > 0 || waited > 0;
        }
    }

    /** What {@link #deferred} counted so far. */
    public synchronized Deferrals deferrals() {
        return new Deferrals(skipped, waited, waitedNanos);
    }

    /**
     * Global checkpoint {@code id} committed; {@code pieceBytes} is the size of its pieces together, {@code blockedNanos}
     * how long it held each rank back (indexed by rank). Returns what the report counts it as (its bytes are what its
     * ranks said they wrote when every one said so).
     */
    public synchronized Checkpoint checkpoint(long id, long point, long pieceBytes, long[] blockedNanos,
            long nowNanos) {
        long sum = 0;
        long max = 0;
        for (long b : blockedNanos) {
            sum += b;
            max = Math.max(max, b);
        }
        long raw = 0;
        long full = 0;
        long stored = 0;
        long background = 0;
        for (int r = 0; r < ranks; r++) {
            PieceWritten p = written.remove(new PieceKey(false, r, id));
            raw = p == null || raw < 0 ? -1 : raw + p.rawBytes();
            full = p == null || full < 0 ? -1 : full + p.fullBytes();
            stored += p == null ? 0 : p.storedBytes();
            background += p == null ? 0 : p.backgroundNanos();
        }
        long bytes = full < 0 ? pieceBytes : stored;
        Checkpoint c = new Checkpoint(id, point, bytes, blockedNanos.length == 0 ? 0 : sum / blockedNanos.length, max,
                nowNanos - start, raw, background, full);
        checkpoints.add(c);
        heldGlobal.put(id, bytes);
        held();
        return c;
    }

    /** Chunk garbage collection deleted {@code chunks} chunks of {@code bytes} no checkpoint used any more. */
    public synchronized void chunksCollected(long chunks, long bytes) {
        chunksCollected += chunks;
        chunkBytesCollected += bytes;
    }

    /**
     * The store keeps these global checkpoints now, after retention deleted older ones: the others this report
     * counted as held are gone.
     */
    public synchronized void kept(java.util.Collection<Long> ids) {
        heldGlobal.keySet().retainAll(new java.util.HashSet<>(ids));
    }

    public synchronized void localCheckpoint(int rank, long index, long point, long bytes, long blockedNanos,
            long nowNanos) {
        PieceWritten p = written.remove(new PieceKey(true, rank, index));
        long stored = p == null ? bytes : p.storedBytes();
        locals.add(new LocalCheckpoint(rank, index, point, stored, blockedNanos, nowNanos - start,
                p == null ? -1 : p.rawBytes(), p == null ? 0 : p.backgroundNanos(), p == null ? -1 : p.fullBytes()));
        heldLocal.put(new PieceKey(true, rank, index), stored);
        held();
    }

    /** Updates the most the store held with what it holds now. */
    private void held() {
        long now = 0;
        for (long b : heldGlobal.values()) {
            now += b;
        }
        for (long b : heldLocal.values()) {
            now += b;
        }
        peakHeld = Math.max(peakHeld, now);
    }

    /**
     * Rank {@code rank}'s message log holds {@code bytes} in memory now and has held at most {@code peakBytes}; beyond
     * its memory bound it takes {@code spilledBytes} of disk, at most {@code spilledPeakBytes} so far.
     */
    public synchronized void messageLog(int rank, long bytes, long peakBytes, long spilledBytes,
            long spilledPeakBytes, long nowNanos) {
        logSamples.add(new LogSample(rank, bytes, peakBytes, spilledBytes, spilledPeakBytes, nowNanos - start));
    }

    /** The MTTF was estimated again at {@code nowNanos} ({@code --learn-mttf}); {@code how} says from what. */
    public synchronized void mttfLearned(String how, long nowNanos) {
        learned.add(new MttfLearned(how, nowNanos - start));
    }

    public synchronized List<MttfLearned> mttfLearned() {
        return List.copyOf(learned);
    }

    /** {@code --interval auto} put {@code choice} in force for rank {@code rank}'s checkpoints, or the job's (-1). */
    public synchronized void intervalChosen(int rank, IntervalChooser.Choice choice, long nowNanos) {
        intervals.add(new IntervalChosen(rank, choice, nowNanos - start));
    }

    public synchronized List<IntervalChosen> intervals() {
        return List.copyOf(intervals);
    }

    /** Rank {@code rank}'s local checkpoint {@code index} was deleted because no restart can use it any more. */
    public synchronized void discarded(int rank, long index) {
        discarded++;
        heldLocal.remove(new PieceKey(true, rank, index));
    }

    public synchronized void restart(int[] failedRanks, String reason, RestartPoint from, long detectedNanos,
            long restoredNanos) {
        restarts.add(new Restart(restarts.size() + 1, failedRanks.clone(), reason, from.globalId(), from.line(),
                from.toString(), detectedNanos - start, restoredNanos - detectedNanos, false));
    }

    /**
     * Rank {@code rank} failed and restarted alone from {@code from} (null: the beginning) while the others ran on;
     * {@code restoredNanos}: when it had restored.
     */
    public synchronized void restartAlone(int rank, String reason, RestoreFrom from, long detectedNanos,
            long restoredNanos) {
        restarts.add(new Restart(restarts.size() + 1, new int[] {rank}, reason, 0, null,
                (from == null ? "the beginning" : from) + ", alone (the other ranks ran on)", detectedNanos - start,
                restoredNanos - detectedNanos, true));
    }

    /** Checkpoint {@code id} was abandoned for {@code reason}; the job ran on. */
    public synchronized void abandoned(long id, String reason, long nowNanos) {
        abandoned.add(new Abandoned(id, reason, nowNanos - start));
        written.keySet().removeIf(k -> !k.local() && k.id() == id);
    }

    public synchronized List<Abandoned> abandoned() {
        return List.copyOf(abandoned);
    }

    public synchronized List<LocalCheckpoint> localCheckpoints() {
        return List.copyOf(locals);
    }

    public synchronized void warning(String text) {
        warnings.add(text);
    }

    public synchronized void finish(String outcome, long nowNanos) {
        this.outcome = outcome;
        this.wallNanos = nowNanos - start;
    }

    public synchronized List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    /** Rank {@code rank} restored its piece of checkpoint {@code id} from a store with host copies (see {@link PieceRead}). */
    public synchronized void pieceRead(int rank, long id, String fastFailure) {
        piecesRead.add(new PieceRead(rank, id, fastFailure));
    }

    public synchronized List<PieceRead> piecesRead() {
        return List.copyOf(piecesRead);
    }

    public synchronized List<Restart> restarts() {
        return List.copyOf(restarts);
    }

    /** Total bytes of the committed checkpoints' pieces, global and local. */
    public synchronized long bytesWritten() {
        return checkpoints.stream().mapToLong(Checkpoint::bytes).sum()
                + locals.stream().mapToLong(LocalCheckpoint::bytes).sum();
    }

    /**
     * The share of the wall time the program was held back by checkpoints: for global ones the longest-held rank of
     * each; for local ones each rank's own time, averaged over the ranks.
     */
    private double blockedShare() {
        if (wallNanos <= 0) {
            return 0;
        }
        return blockedNanos() / wallNanos;
    }

    /** The wall time the program was held back by checkpoints (see {@link #blockedShare()}). */
    private double blockedNanos() {
        long held = checkpoints.stream().mapToLong(Checkpoint::maxBlockedNanos).sum();
        long local = locals.stream().mapToLong(LocalCheckpoint::blockedNanos).sum();
        return (double) held + (double) local / ranks;
    }

    /** The overhead of the checkpoints committed so far. */
    public synchronized Overhead overhead() {
        long background = 0;
        long raw = 0;
        long stored = 0;
        long full = 0;
        long max = 0;
        long bytes = 0;
        List<Committed> all = new ArrayList<>(checkpoints);
        all.addAll(locals);
        for (Committed c : all) {
            bytes += c.bytes();
            background += c.backgroundNanos();
            max = Math.max(max, c.bytes());
            if (c.rawBytes() >= 0 && c.fullBytes() >= 0) {
                raw += c.rawBytes();
                stored += c.bytes();
                full += c.fullBytes();
            }
        }
        int count = all.size();
        return new Overhead(Math.round(blockedNanos()), blockedShare(), background, count, bytes,
                count == 0 ? 0 : bytes / count, max, raw, stored, full, peakHeld, compression, incremental,
                chunksCollected, chunkBytesCollected);
    }

    /** The human-readable summary, one line per fact. */
    public synchronized String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "run report: policy %s, %d ranks on %s, %s after %s%n", policy, ranks, device,
                outcome, seconds(wallNanos)));
        long bytes = bytesWritten();
        if (locals.isEmpty()) {
            s.append(String.format(Locale.ROOT, "  checkpoints committed: %d, %s written%s%n", checkpoints.size(),
                    size(bytes), checkpoints.isEmpty() ? "" : " (" + size(bytes / checkpoints.size())
                            + " each on average)"));
        }
        if (!checkpoints.isEmpty()) {
            long mean = (long) checkpoints.stream().mapToLong(Checkpoint::maxBlockedNanos).average().orElse(0);
            long max = checkpoints.stream().mapToLong(Checkpoint::maxBlockedNanos).max().orElse(0);
            s.append(String.format(Locale.ROOT, "  blocking per checkpoint: mean %s, max %s; %.2f %% of the wall time%n",
                    millis(mean), millis(max), 100.0 * blockedShare()));
        }
        if (!locals.isEmpty()) {
            StringBuilder perRank = new StringBuilder();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                perRank.append(r == 0 ? "" : ", ").append(locals.stream().filter(l -> l.rank() == rank).count());
            }
            s.append(String.format(Locale.ROOT, "  local checkpoints committed: %d (by rank: %s), %s written, %d "
                    + "deleted once no restart could use them%n", locals.size(), perRank, size(bytes), discarded));
            long mean = (long) locals.stream().mapToLong(LocalCheckpoint::blockedNanos).average().orElse(0);
            long max = locals.stream().mapToLong(LocalCheckpoint::blockedNanos).max().orElse(0);
            s.append(String.format(Locale.ROOT, "  blocking per local checkpoint: mean %s, max %s; %.2f %% of each "
                    + "rank's wall time on average%n", millis(mean), millis(max), 100.0 * blockedShare()));
        }
        if (!checkpoints.isEmpty() || !locals.isEmpty()) {
            overheadLines(s);
        }
        if (!logSamples.isEmpty()) {
            StringBuilder peaks = new StringBuilder();
            StringBuilder spilled = new StringBuilder();
            boolean spills = false;
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                long peak = logSamples.stream().filter(l -> l.rank() == rank).mapToLong(LogSample::peakBytes).max()
                        .orElse(0);
                long disk = logSamples.stream().filter(l -> l.rank() == rank).mapToLong(LogSample::spilledPeakBytes)
                        .max().orElse(0);
                spills |= disk > 0;
                peaks.append(r == 0 ? "" : ", ").append(size(peak));
                spilled.append(r == 0 ? "" : ", ").append(size(disk));
            }
            s.append(String.format(Locale.ROOT, "  message logs: peak by rank %s in memory%s (%d samples over time in "
                    + "the JSON report)%n", peaks, spills ? "; spilled to disk beyond --log-memory, peak by rank "
                    + spilled : "", logSamples.size()));
        }
        if (!intervals.isEmpty()) {
            s.append(String.format(Locale.ROOT, "  intervals chosen (--interval auto): %d%n", intervals.size()));
            for (IntervalChosen i : intervals) {
                s.append(String.format(Locale.ROOT, "    at %s: %s%s%n", seconds(i.at()),
                        i.rank() < 0 ? "" : "rank " + i.rank() + ": ", i.choice().describe()));
            }
        }
        if (!learned.isEmpty()) {
            s.append(String.format(Locale.ROOT, "  MTTF estimates (--learn-mttf): %d%n", learned.size()));
            for (MttfLearned m : learned) {
                s.append(String.format(Locale.ROOT, "    at %s: %s%n", seconds(m.at()), m.how()));
            }
        }
        if (!abandoned.isEmpty()) {
            s.append(String.format(Locale.ROOT, "  checkpoints abandoned: %d (the job ran on without them)%n",
                    abandoned.size()));
            for (Abandoned a : abandoned) {
                s.append(String.format(Locale.ROOT, "    checkpoint %d at %s: %s%n", a.id(), seconds(a.at()),
                        a.reason()));
            }
        }
        s.append(String.format(Locale.ROOT, "  restarts: %d%n", restarts.size()));
        if (restarts.stream().anyMatch(Restart::alone)) {
            StringBuilder st = new StringBuilder();
            for (int r = 0; r < ranks; r++) {
                st.append(r == 0 ? "" : ", ").append(starts[r]);
            }
            s.append(String.format(Locale.ROOT, "  program starts by rank: %s%n", st));
        }
        for (Restart r : restarts) {
            s.append(String.format(Locale.ROOT, "    #%d at %s: %s; %s, running again after %s%n",
                    r.number(), seconds(r.detectedAt()), failed(r.failedRanks(), r.reason()),
                    "restarted from " + r.from(), millis(r.tookNanos())));
        }
        if (!piecesRead.isEmpty()) {
            long fromReplica = piecesRead.stream().filter(p -> !p.fastFailure().isEmpty()).count();
            s.append(String.format(Locale.ROOT, "  pieces restored: %d from their hosts' copies, %d from the replica%n",
                    piecesRead.size() - fromReplica, fromReplica));
            for (PieceRead p : piecesRead) {
                if (!p.fastFailure().isEmpty()) {
                    s.append(String.format(Locale.ROOT, "    rank %d, checkpoint %d, from the replica: %s%n", p.rank(),
                            p.checkpoint(), p.fastFailure()));
                }
            }
        }
        for (String w : warnings) {
            s.append("  warning: ").append(w).append(System.lineSeparator());
        }
        return s.toString();
    }

    /** The "overhead" lines of {@link #summary()}: time, then storage. */
    private void overheadLines(StringBuilder s) {
        Overhead o = overhead();
        s.append(String.format(Locale.ROOT, "  overhead:%n"));
        s.append(String.format(Locale.ROOT, "    time: blocked %s in all, %.2f %% of the %swall time; background %s "
                + "(pieces written while the programs ran, summed over the ranks)%n", millis(o.blockedNanos()),
                100.0 * o.blockedShare(), locals.isEmpty() ? "" : "ranks' ", millis(o.backgroundNanos())));
        Deferrals d = deferrals();
        if (d.any()) {
            s.append(String.format(Locale.ROOT, "    async: %d checkpoint(s) skipped (previous still being written), "
                    + "%d waited for the previous one (%s summed over the ranks; a committed checkpoint's blocked time "
                    + "includes its wait)%n", d.skipped(), d.waited(), millis(d.waitedNanos())));
        }
        s.append(String.format(Locale.ROOT, "    storage: %s written, per %scheckpoint mean %s, max %s; at most %s of "
                + "committed checkpoints in the store at once%s%s%n", size(o.bytesWritten()),
                locals.isEmpty() ? "" : "local ", size(o.meanBytes()), size(o.maxBytes()), size(o.peakHeldBytes()),
                compressionText(o), dedupText(o)));
    }

    /** "; incremental, dedup ratio 6.20 (...)", or nothing without {@code --incremental}. */
    private static String dedupText(Overhead o) {
        if (!o.incremental() || o.storedBytes() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "; incremental, dedup ratio %.2f (%s written whole%s), %d unused chunks "
                + "(%s) collected", o.dedupRatio(), size(o.fullBytes()), o.storedBytes() == o.bytesWritten() ? ""
                        : ", for the " + size(o.storedBytes()) + " of checkpoints whose ranks all reported",
                o.chunksCollected(), size(o.chunkBytesCollected()));
    }

    /** "; compressed with lz4, ratio 3.10 (...)", or nothing when the state was not compressed. */
    private static String compressionText(Overhead o) {
        if (!o.compressed() || o.storedBytes() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "; compressed with %s, ratio %.2f (%s before compression%s)",
                o.compression(), o.compressionRatio(), size(o.rawBytes()), o.storedBytes() == o.bytesWritten() ? ""
                        : ", for the " + size(o.storedBytes()) + " of checkpoints whose size before it is known");
    }

    /**
     * The report as a JSON object, one member per line and one line per list entry (the layout
     * {@link JsonText#write} gives at depth 1). Shares are written with six decimals.
     */
    /**
     * The version of {@link #toJson()}'s format, its first member: a member added keeps it, a member removed or changed
     * in meaning makes a new one. Reports written before the member existed have version 1's members.
     */
    public static final String JSON_FORMAT = "snapline-run-report/1";

    public synchronized String toJson() {
        ObjectNode j = JsonText.MAPPER.createObjectNode();
        j.put("format", JSON_FORMAT);
        j.put("policy", policy).put("device", device).put("ranks", ranks).put("outcome", outcome)
                .put("wallNanos", wallNanos).put("bytesWritten", bytesWritten())
                .set("blockedShare", sixDecimals(blockedShare()));
        ArrayNode rows = j.putArray("checkpoints");
        for (Checkpoint c : checkpoints) {
            rows.addObject().put("id", c.id()).put("point", c.point()).put("bytes", c.bytes())
                    .put("meanBlockedNanos", c.meanBlockedNanos()).put("maxBlockedNanos", c.maxBlockedNanos())
                    .put("committedAtNanos", c.committedAt()).put("rawBytes", c.rawBytes())
                    .put("backgroundNanos", c.backgroundNanos()).put("fullBytes", c.fullBytes());
        }
        rows = j.putArray("localCheckpoints");
        for (LocalCheckpoint c : locals) {
            rows.addObject().put("rank", c.rank()).put("index", c.index()).put("point", c.point())
                    .put("bytes", c.bytes()).put("blockedNanos", c.blockedNanos())
                    .put("committedAtNanos", c.committedAt()).put("rawBytes", c.rawBytes())
                    .put("backgroundNanos", c.backgroundNanos()).put("fullBytes", c.fullBytes());
        }
        j.put("localCheckpointsDeleted", discarded);
        numbers(j.putArray("starts"), starts);
        rows = j.putArray("messageLog");
        for (LogSample l : logSamples) {
            rows.addObject().put("rank", l.rank()).put("bytes", l.bytes()).put("peakBytes", l.peakBytes())
                    .put("spilledBytes", l.spilledBytes()).put("spilledPeakBytes", l.spilledPeakBytes())
                    .put("atNanos", l.at());
        }
        rows = j.putArray("restarts");
        for (Restart r : restarts) {
            ObjectNode row = rows.addObject().put("number", r.number()).put("failedRank", r.failedRank());
            numbers(row.putArray("failedRanks"), r.failedRanks());
            row.put("reason", r.reason()).put("fromCheckpoint", r.fromCheckpoint());
            if (r.fromLine() == null) {
                row.putNull("fromLine");
            } else {
                numbers(row.putArray("fromLine"), r.fromLine());
            }
            row.put("detectedAtNanos", r.detectedAt()).put("tookNanos", r.tookNanos()).put("alone", r.alone());
        }
        rows = j.putArray("piecesRead");
        for (PieceRead p : piecesRead) {
            rows.addObject().put("rank", p.rank()).put("checkpoint", p.checkpoint()).put("tier", p.tier())
                    .put("hostCopyFailure", p.fastFailure().isEmpty() ? null : p.fastFailure());
        }
        rows = j.putArray("intervals");
        for (IntervalChosen i : intervals) {
            rows.addObject().put("rank", i.rank()).put("afterCheckpoint", i.choice().afterCheckpoint())
                    .put("intervalNanos", i.choice().intervalNanos()).put("costNanos", i.choice().costNanos())
                    .put("reason", i.choice().reason()).put("atNanos", i.at());
        }
        rows = j.putArray("mttfLearned");
        for (MttfLearned m : learned) {
            rows.addObject().put("how", m.how()).put("atNanos", m.at());
        }
        rows = j.putArray("abandoned");
        for (Abandoned a : abandoned) {
            rows.addObject().put("id", a.id()).put("reason", a.reason()).put("atNanos", a.at());
        }
        j.set("overhead", overheadJson());
        warnings.forEach(j.putArray("warnings")::add);
        return JsonText.write(j, 1);
    }

    /**
     * {@code {"time": {...}, "storage": {...}}}: the figures of {@link #overhead()}; the async deferrals only when
     * there were any, the compression ratio only when the state was compressed and some checkpoint's raw size is
     * known, the dedup figures only with {@code --incremental} and known sizes.
     */
    private ObjectNode overheadJson() {
        Overhead o = overhead();
        Deferrals d = deferrals();
        ObjectNode overhead = JsonText.MAPPER.createObjectNode();
        ObjectNode time = overhead.putObject("time").put("blockedNanos", o.blockedNanos());
        time.set("blockedShare", sixDecimals(o.blockedShare()));
        time.put("backgroundNanos", o.backgroundNanos());
        if (d.any()) {
            time.put("skipped", d.skipped()).put("waited", d.waited()).put("waitedNanos", d.waitedNanos());
        }
        ObjectNode storage = overhead.putObject("storage").put("committed", o.checkpoints())
                .put("bytesWritten", o.bytesWritten()).put("meanBytesPerCheckpoint", o.meanBytes())
                .put("maxBytesPerCheckpoint", o.maxBytes()).put("peakHeldBytes", o.peakHeldBytes())
                .put("compression", o.compression()).put("rawBytes", o.rawBytes())
                .put("storedBytesWithRaw", o.storedBytes()).put("fullBytes", o.fullBytes())
                .put("incremental", o.incremental());
        if (o.compressed() && o.fullBytes() > 0) {
            storage.set("compressionRatio", sixDecimals(o.compressionRatio()));
        }
        if (o.incremental() && o.storedBytes() > 0) {
            storage.set("dedupRatio", sixDecimals(o.dedupRatio()));
            storage.put("chunksCollected", o.chunksCollected()).put("chunkBytesCollected", o.chunkBytesCollected());
        }
        return overhead;
    }

    /** {@code value} with six decimals, as the report writes shares and ratios. */
    private static DecimalNode sixDecimals(double value) {
        return DecimalNode.valueOf(new BigDecimal(String.format(Locale.ROOT, "%.6f", value)));
    }

    private static void numbers(ArrayNode array, int[] values) {
        for (int v : values) {
            array.add(v);
        }
    }

    private static void numbers(ArrayNode array, long[] values) {
        for (long v : values) {
            array.add(v);
        }
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    /** {@code 1.5 MiB}-style size. */
    public static String size(long bytes) {
        return io.snapline.runtime.engine.Unreceived.size(bytes);
    }

    public static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", Math.max(0, nanos) / 1e9);
    }
}
