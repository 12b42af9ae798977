package io.snapline.checkpoint.independent;

import io.snapline.recovery.LocalRecovery;
import io.snapline.recovery.io.LocalHistory;
import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicyOption;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code --checkpoint independent --logging none}: every rank checkpoints on its own schedule ({@link Schedule})
 * with no coordination; after a failure every rank restarts from the maximum strongly consistent recovery line over
 * the ranks' local checkpoints. Without message logs that is the only safe kind of line: a message in transit at a
 * merely consistent line (sent before the sender's checkpoint, received after the receiver's) is re-sent by nobody,
 * and an orphan (received before, sent after) would be received twice. The line is computed from the dependency
 * records stored with the checkpoints by the recovery module ({@link LocalRecovery}).
 *
 * <p>{@code --logging pessimistic} ({@link LoggingRank}, {@link LoggingCoordinator}): every message is logged at its
 * sender and every non-deterministic outcome made stable before the rank's next send, so any combination of the
 * ranks' newest checkpoints is a place to continue from exactly, and every rank restarts from its own newest.
 * {@code --logging causal} logs messages the same way, but a rank's outcomes go to the event logger without the send
 * waiting: until they are stable they travel ahead of its messages, and every rank holds those its state depends on
 * ({@link io.snapline.checkpoint.independent.logging.HeldEvents}); a rank that fails gets them back from the others.
 */
public final class IndependentPolicy implements CheckpointPolicy {
    public static final String NAME = "independent";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "independent per-rank checkpoints, each rank on its own timer (--interval, with jitter), no "
                + "coordination; with --logging pessimistic or causal a failed rank restarts alone from its own "
                + "newest checkpoint and replays its logged messages and events, with --logging none every rank "
                + "restarts from the maximum strongly consistent recovery line";
    }

    /** {@code --logging MODE}: how messages are logged; this build has {@code none}, {@code pessimistic}, {@code causal}. */
    static final PolicyOption LOGGING = new PolicyOption("--logging", "MODE",
            "message logging: pessimistic (the default; sender-based logging, and a rank's non-deterministic "
                    + "outcomes are stable before it sends: a failed rank restarts alone from its own newest "
                    + "checkpoint and replays), causal (the same, but outcomes travel ahead of the rank's messages "
                    + "instead of holding its sends back) or none (every rank restarts from a strongly consistent "
                    + "recovery line)");
    /** The modes {@code --logging} names, whether or not this build has them. */
    static final List<String> LOGGING_MODES = List.of("none", "pessimistic", "optimistic", "causal");
    /** {@code --every N}: checkpoint at every N-th safe point instead of on a timer. */
    static final PolicyOption EVERY = new PolicyOption("--every", "N",
            "checkpoint at every N-th safe point of each rank instead of on a timer");

    /** {@code --log-memory SIZE}: the most a rank's message log may hold. */
    static final PolicyOption LOG_MEMORY = new PolicyOption("--log-memory", "SIZE",
            "with --logging pessimistic or causal: the most one rank's message log keeps in memory (e.g. 256m, 2g; by default "
                    + "a quarter of the heap shared by the ranks of a process, at least 16m); beyond it the oldest "
                    + "messages spill to files under the store's spill/ directory. Past a quarter of it the "
                    + "receivers checkpoint at their next safe point, so that the log can drop what they hold");

    /** {@code --log-disk SIZE}: the most a rank's message log may spill before its sends wait. */
    static final PolicyOption LOG_DISK = new PolicyOption("--log-disk", "SIZE",
            "with --logging pessimistic or causal: the most one rank's message log may spill to disk; a rank whose log has "
                    + "spilled that much holds its sends back until the receivers' checkpoints let it drop what they "
                    + "hold. Without it the log spills for as long as the disk has room");

    @Override
    public List<PolicyOption> options() {
        return List.of(LOGGING, EVERY, LOG_MEMORY, LOG_DISK);
    }

    /** {@code --log-disk} in bytes, or {@link Long#MAX_VALUE} when not given. */
    static long logDisk(PolicySettings settings) {
        return size(settings, LOG_DISK.flag(), Long.MAX_VALUE);
    }

    /**
     * {@code --log-memory} in bytes, or {@code absent} when not given.
     *
     * @throws IllegalArgumentException if it is not a size of at least 1 MiB
     */
    static long logMemory(PolicySettings settings, long absent) {
        return size(settings, LOG_MEMORY.flag(), absent);
    }

    /**
     * The size option {@code flag} in bytes, or {@code absent} when not given.
     *
     * @throws IllegalArgumentException if it is not a size of at least 1 MiB
     */
    private static long size(PolicySettings settings, String flag, long absent) {
        String v = settings.option(flag);
        if (v == null) {
            return absent;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([kmgKMG]?)").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " takes a size such as 256m or 2g, got '" + v + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " " + v + " is too large", e);
        }
        int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(flag + " " + v + " is too large");
        }
        long bytes = n << shift;
        if (bytes < (1 << 20)) {
            throw new IllegalArgumentException(flag + " must be at least 1m, got '" + v + "'");
        }
        return bytes;
    }

    @Override
    public void validate(PolicySettings settings) {
        String logging = logging(settings);
        if (!LOGGING_MODES.contains(logging)) {
            throw new IllegalArgumentException("--logging must be one of " + String.join(", ", LOGGING_MODES)
                    + ", got '" + logging + "'");
        }
        if (logging.equals("optimistic")) {
            throw new IllegalArgumentException("--logging optimistic is not available in this build; "
                    + "use --logging pessimistic, causal or none, or a coordinated policy");
        }
        logMemory(settings, 0);
        logDisk(settings);
        for (PolicyOption o : List.of(LOG_MEMORY, LOG_DISK)) {
            if (settings.option(o.flag()) != null && !logs(settings)) {
                throw new IllegalArgumentException(o.flag() + " bounds a message log: it needs --logging pessimistic "
                        + "or causal");
            }
        }
        if (every(settings) > 0 && (settings.interval() != null || settings.auto() != null)) {
            throw new IllegalArgumentException("give either --interval" + (settings.auto() != null ? " auto" : "")
                    + " or --every, not both");
        }
    }

    @Override
    public String schedule(PolicySettings settings) {
        long every = every(settings);
        return (every > 0 ? "every " + every + " safe points" : CheckpointPolicy.super.schedule(settings) + " with jitter")
                + ", logging " + logging(settings);
    }

    /** The message-logging mode is part of what a checkpoint holds: a resume must use the same one. */
    @Override
    public String fingerprint(PolicySettings settings) {
        return "logging=" + logging(settings);
    }

    /** {@code --logging} as given, or {@code pessimistic}. */
    static String logging(PolicySettings settings) {
        String v = settings.option(LOGGING.flag());
        return v == null ? PESSIMISTIC : v;
    }

    /** {@code --every} as given, or 0 for checkpoints on a timer. */
    static long every(PolicySettings settings) {
        return settings.count(EVERY.flag(), 1, 0);
    }

    /** Each rank commits its own checkpoints, alone (so a store with host copies is refused). */
    @Override
    public boolean keepsLocalCheckpoints() {
        return true;
    }

    /** After a rank dies the others run on to their next safe point and checkpoint there (see {@link IndependentRank}). */
    @Override
    public boolean stopsSurvivorsAtSafePoints() {
        return true;
    }

    /** With message logging a rank that dies restarts alone; the others run on. */
    @Override
    public boolean restartsRanksAlone(PolicySettings settings) {
        return logs(settings);
    }

    /** Whether messages are logged ({@code --logging pessimistic} or {@code causal}). */
    static boolean logs(PolicySettings settings) {
        String logging = logging(settings);
        return logging.equals(PESSIMISTIC) || logging.equals(CAUSAL);
    }

    /**
     * A rank restarting alone continues from its newest intact local checkpoint (a damaged one is set aside), or from
     * the beginning when it has none: the others' logs then still hold everything they sent it, and its event stream
     * every record. It fails, leaving the store as it is, when its newest intact checkpoint is older than the one the
     * recorded recovery line names (what that one covered was dropped from the logs and the stream).
     */
    @Override
    public RestoreFrom restartPointAlone(CheckpointStore store, int rank, int ranks, PolicySettings settings,
            Consumer<String> warn) {
        long newest = newestIntact(store, rank, warn);
        long[] recorded = store.recoveryLine().orElse(new long[ranks]);
        if (rank < recorded.length && newest < recorded[rank]) {
            throw new CheckpointStoreException("rank " + rank + " has no intact local checkpoint "
                    + (newest == 0 ? "" : "newer than " + newest + " ") + "(its checkpoint " + recorded[rank]
                    + " had been verified); the other ranks' message logs and its event stream were trimmed to "
                    + "continue from there, so it cannot continue exactly");
        }
        return newest == 0 ? null : RestoreFrom.local(newest);
    }

    /** Rank {@code r}'s newest local checkpoint that reads back intact (damaged newer ones are set aside), or 0. */
    private static long newestIntact(CheckpointStore store, int r, Consumer<String> warn) {
        List<Long> indexes = store.localIndexes(r);
        for (int k = indexes.size() - 1; k >= 0; k--) {
            long index = indexes.get(k);
            try {
                store.verifyLocal(r, index, 0);
                return index;
            } catch (CheckpointStoreException e) {
                warn.accept("rank " + r + "'s local checkpoint " + index + " is damaged (" + e.getMessage()
                        + "); it is moved to " + store.setAsideLocal(r, index) + " and rank " + r
                        + " restarts from an older one if it has one");
            }
        }
        return 0;
    }

    /** {@code --logging pessimistic}: sender-based pessimistic message logging. */
    static final String PESSIMISTIC = "pessimistic";
    /** {@code --logging causal}: sender-based logging with determinants piggybacked instead of waited for. */
    static final String CAUSAL = "causal";

    @Override
    public RankPolicy forRank(RankServices services) {
        return logs(services.settings()) ? new LoggingRank(services)
                : new IndependentRank(services);
    }

    @Override
    public PolicyCoordinator coordinator(CoordinatorServices services) {
        return logs(services.settings()) ? new LoggingCoordinator(services)
                : new IndependentCoordinator(services);
    }

    /**
     * With {@code --logging pessimistic} every rank restarts from its own newest local checkpoint (the message logs
     * and event streams make the ranks' newest checkpoints, whatever they are, a place to continue from exactly; an
     * older one is not, since what it needs was dropped when a newer one was verified). A damaged newest checkpoint
     * is set aside and the rank's previous one used, when it has one, which is the case only while the newest was not
     * verified yet (a replay that then finds what it needs missing fails, naming the rank). A rank that had a verified
     * checkpoint (the recorded recovery line names one) but has no intact one fails the restart, keeping the store.
     * When some rank never checkpointed, every rank starts from the beginning (and the store's checkpoints and event
     * streams are deleted). Event streams with a torn last record are rewritten without it. Without logging, see
     * {@link #restartPoint(CheckpointStore, int, Consumer)}.
     */
    @Override
    public RestartPoint restartPoint(CheckpointStore store, int ranks, PolicySettings settings, Consumer<String> warn) {
        if (!logs(settings)) {
            return restartPoint(store, ranks, warn);
        }
        requireRanks(store, ranks);
        long[] line = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            line[r] = newestIntact(store, r, warn);
        }
        long[] recorded = store.recoveryLine().orElse(new long[ranks]);
        for (int r = 0; r < ranks && r < recorded.length; r++) {
            if (line[r] < recorded[r]) {
                throw new CheckpointStoreException("rank " + r + " has no intact local checkpoint "
                        + (line[r] == 0 ? "" : "newer than " + line[r] + " ") + "(its checkpoint " + recorded[r]
                        + " had been verified); the other ranks' message logs and its event "
                        + "stream were trimmed to continue from there, so the job cannot continue exactly; the store "
                        + "is left as it is (damaged checkpoints are in its set-aside directory)");
            }
        }
        boolean everyRank = Arrays.stream(line).allMatch(k -> k > 0);
        for (int r = 0; r < ranks; r++) {
            for (long index : store.localIndexes(r)) {
                if (index < line[r] || !everyRank) {
                    store.deleteLocal(r, index);
                }
            }
            if (!everyRank) {
                store.replaceEvents(r, List.of());
            } else {
                store.replaceEvents(r, store.readEvents(r)); // appends go on after a torn last record, never into it
            }
        }
        store.writeRecoveryLine(everyRank ? line : new long[ranks]);
        if (!everyRank) {
            return RestartPoint.beginning(ranks, Arrays.stream(line).anyMatch(k -> k > 0)
                    ? "not every rank has a local checkpoint yet" : "no local checkpoint yet");
        }
        return RestartPoint.line(line);
    }

    private static void requireRanks(CheckpointStore store, int ranks) {
        List<Integer> present = store.localRanks();
        if (!present.isEmpty() && present.get(present.size() - 1) >= ranks) {
            throw new CheckpointStoreException("the store holds local checkpoints of ranks 0.."
                    + present.get(present.size() - 1) + " but this job has " + ranks + " ranks; restart with -np "
                    + (present.get(present.size() - 1) + 1) + ", or use an empty --store directory to start from scratch");
        }
    }

    /**
     * Computes the recovery line over the store's verified local checkpoints (a damaged or missing one counts as
     * absent, and each is named in a warning), keeps on every rank only the checkpoint the line names, records the
     * line in the store, and returns it. Newer checkpoints belong to the execution being abandoned (the restarted run
     * writes checkpoints of those numbers anew) and go first: deleted after an ordinary failure, but set aside (moved
     * out of the store's checkpoints, never lost) when damage pushed the line back, since they were good and the
     * damage may be the user's to repair; then the line is recorded as the store's floor; then older checkpoints are
     * deleted, which no restart can use again. A launcher that dies at any step of this and
     * is run again with {@code --resume} computes the same line.
     */
    @Override
    public RestartPoint restartPoint(CheckpointStore store, int ranks, Consumer<String> warn) {
        requireRanks(store, ranks);
        LocalHistory.Read read = LocalHistory.read(store, ranks);
        read.warnings().forEach(warn);
        long[] line = LocalRecovery.restartLine(read);
        boolean damaged = !read.damaged().isEmpty();
        List<String> setAside = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            for (long index : store.localIndexes(r)) {
                if (index > line[r] && damaged) {
                    setAside.add("rank " + r + "'s " + index + " to " + store.setAsideLocal(r, index));
                } else if (index > line[r]) {
                    store.deleteLocal(r, index);
                }
            }
        }
        if (!setAside.isEmpty()) {
            warn.accept("because of the damaged checkpoints the job goes back further than the newest local "
                    + "checkpoints; the restarted run writes checkpoints of their numbers anew, so they are moved out "
                    + "of its way, not deleted (no restart reads them; delete them once they are not needed): "
                    + String.join(", ", setAside));
        }
        store.writeRecoveryLine(line);
        for (int r = 0; r < ranks; r++) {
            for (long index : store.localIndexes(r)) {
                if (index < line[r]) {
                    store.deleteLocal(r, index);
                }
            }
        }
        if (Arrays.stream(line).allMatch(k -> k == 0)) {
            String why = LocalRecovery.whyTheBeginning(read);
            if (why != null) {
                warn.accept("every rank restarts from the beginning: " + why);
                return RestartPoint.beginning(ranks, "the only consistent recovery line over the verified local "
                        + "checkpoints");
            }
            return RestartPoint.beginning(ranks, "no local checkpoint yet");
        }
        return RestartPoint.line(line);
    }
}
