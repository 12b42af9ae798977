package io.snapline.checkpoint.coordinated.nb;

import io.snapline.runtime.determinant.Determinant;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.determinant.Recording;
import io.snapline.runtime.determinant.Replay;
import io.snapline.runtime.determinant.ReplayMismatchException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A deterministic, single-threaded job simulator for the coordinated-nb protocol: scripted rank programs, FIFO
 * channels, a fake clock, failure injection and restart from the last committed checkpoint. Steps are chosen by the
 * test (scripted) or by a seeded {@link Random}. Programs may receive from any rank ({@link Op#recvAny()}) and send
 * what they received ({@link Op#forward}), so what a rank sends can depend on the order messages came in: the
 * runtime's determinant {@link Recording} and {@link Replay} record and replay those choices as in the runtime.
 * {@link Mode#NB_BLIND} runs the protocol without them and {@link Mode#NAIVE} replaces the protocol by local
 * snapshots that ignore channel state, to show what each part prevents.
 */
final class NbSimulator {

    enum Mode { NB, NB_BLIND, NAIVE }

    /** One instruction of a rank program. */
    record Op(Kind kind, int peer, String payload) {
        enum Kind { SEND, RECV, POINT, RECV_ANY, FORWARD }

        static Op send(int to, String payload) {
            return new Op(Kind.SEND, to, payload);
        }

        static Op recv(int from) {
            return new Op(Kind.RECV, from, null);
        }

        static Op point() {
            return new Op(Kind.POINT, -1, null);
        }

        /** A receive from whichever rank's message the scheduler (or a replay) picks. */
        static Op recvAny() {
            return new Op(Kind.RECV_ANY, -1, null);
        }

        /**
         * Sends {@code label@h} to {@code to}, where h lists the senders of the messages this rank received since its
         * last forward (in order), so what it sends depends on the order its messages came in.
         */
        static Op forward(int to, String label) {
            return new Op(Kind.FORWARD, to, label);
        }
    }

    private record Msg(String payload, int epoch, long seq, boolean late) {
        Msg asAccepted() {
            return new Msg(payload, epoch, seq, false);
        }
    }

    /**
     * Program state of one rank plus its unreceived mailbox: what a checkpoint captures. {@code sentTo} and
     * {@code receivedFrom} are the rank's own account of every payload it sent to and received from each rank.
     */
    private record Snapshot(int pc, List<String> received, List<List<Msg>> mailbox, List<List<String>> sentTo,
                            List<List<String>> receivedFrom, String sources) {
    }

    private record Piece(NbCheckpointRecord record, Snapshot snapshot, Map<Long, String> latePayloads,
                         DeterminantLog determinants) {
    }

    static final long INTERVAL = 10;
    static final long TIMEOUT = 1_000_000;

    private final Mode mode;
    private final List<List<Op>> programs;
    private final int n;
    private final Rank[] rank;
    private final ArrayDeque<Msg>[][] channel;
    private final ArrayDeque<Object>[] control;
    private final Map<Integer, Piece[]> pieces = new HashMap<>();
    private final List<NbCoordinatorAction> coordinatorOut = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private NbCoordinatorProtocol coordinator;
    private int committed;
    private long now;
    private int restarts;
    private int naiveOpen;

    private final class Rank {
        final int id;
        int pc;
        List<String> received = new ArrayList<>();
        List<ArrayDeque<Msg>> mailbox = new ArrayList<>();
        NbRankProtocol protocol;
        final List<NbRankAction> out = new ArrayList<>();
        Snapshot captured;
        Map<Long, String> latePayloads = new HashMap<>();
        NbCheckpointRecord pendingWrite;
        long naiveSent;
        boolean finishedReported;
        List<List<String>> sentTo = lists();
        List<List<String>> receivedFrom = lists();
        String sources = "";
        Recording recording;
        final Map<Integer, DeterminantLog> recorded = new HashMap<>();
        Replay replay;
        /** The receive from any rank at {@link #pc}, once posted: what a replay forces (null: free), its slot. */
        boolean posted;
        Determinant.Received forced;
        long forcedNumber;
        Recording.Slot slot;

        Rank(int id) {
            this.id = id;
            for (int i = 0; i < n; i++) {
                mailbox.add(new ArrayDeque<>());
            }
            protocol = new NbRankProtocol(id, n, out::add);
        }

        boolean done() {
            return pc >= programs.get(id).size();
        }

        boolean runnable() {
            if (done()) {
                return false;
            }
            Op op = programs.get(id).get(pc);
            return switch (op.kind()) {
                case RECV -> !mailbox.get(op.peer()).isEmpty();
                case RECV_ANY -> !sources().isEmpty();
                default -> true;
            };
        }

        /** The ranks whose message the receive from any rank at {@link #pc} may take now. */
        List<Integer> sources() {
            List<Integer> from = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!mailbox.get(i).isEmpty() && (forced == null || forced.matched().source() == i)) {
                    from.add(i);
                }
            }
            return from;
        }

        Snapshot snapshot() {
            List<List<Msg>> box = new ArrayList<>();
            for (ArrayDeque<Msg> q : mailbox) {
                List<Msg> copy = new ArrayList<>();
                for (Msg m : q) {
                    copy.add(m.asAccepted());
                }
                box.add(copy);
            }
            return new Snapshot(pc, List.copyOf(received), box, copies(sentTo), copies(receivedFrom), sources);
        }

        void reset(Snapshot s) {
            pc = s == null ? 0 : s.pc();
            received = new ArrayList<>(s == null ? List.of() : s.received());
            for (int i = 0; i < n; i++) {
                mailbox.get(i).clear();
                if (s != null) {
                    mailbox.get(i).addAll(s.mailbox().get(i));
                }
            }
            sentTo = s == null ? lists() : copies(s.sentTo());
            receivedFrom = s == null ? lists() : copies(s.receivedFrom());
            sources = s == null ? "" : s.sources();
            protocol = new NbRankProtocol(id, n, out::add);
            out.clear();
            captured = null;
            latePayloads = new HashMap<>();
            pendingWrite = null;
            finishedReported = false;
            recording = null;
            recorded.clear();
            replay = null;
            posted = false;
            forced = null;
            slot = null;
        }
    }

    private List<List<String>> lists() {
        List<List<String>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new ArrayList<>());
        }
        return l;
    }

    private static List<List<String>> copies(List<List<String>> lists) {
        List<List<String>> l = new ArrayList<>();
        for (List<String> x : lists) {
            l.add(new ArrayList<>(x));
        }
        return l;
    }

    @SuppressWarnings("unchecked")
    NbSimulator(Mode mode, List<List<Op>> programs) {
        this.mode = mode;
        this.programs = programs;
        this.n = programs.size();
        channel = new ArrayDeque[n][n];
        control = new ArrayDeque[n];
        rank = new Rank[n];
        for (int i = 0; i < n; i++) {
            control[i] = new ArrayDeque<>();
            for (int j = 0; j < n; j++) {
                channel[i][j] = new ArrayDeque<>();
            }
        }
        for (int i = 0; i < n; i++) {
            rank[i] = new Rank(i);
        }
        coordinator = newCoordinator();
    }

    private NbCoordinatorProtocol newCoordinator() {
        return new NbCoordinatorProtocol(n, INTERVAL, TIMEOUT, now, committed, coordinatorOut::add);
    }

    // ---- scripted steps ------------------------------------------------------------------------------------------

    /** Advances the clock past the interval so the coordinator requests the next checkpoint; returns its number. */
    int requestCheckpoint() {
        if (mode == Mode.NAIVE) {
            naiveOpen = committed + 1;
            for (Rank r : rank) {
                r.captured = null;
            }
            return naiveOpen;
        }
        now += INTERVAL;
        coordinator.onTick(now);
        drain();
        return coordinator.openCheckpoint();
    }

    /** Lets {@code nanos} pass on the coordinator's clock (it may time out the open checkpoint). */
    NbSimulator passTime(long nanos) {
        now += nanos;
        coordinator.onTick(now);
        drain();
        return this;
    }

    /** Executes the next op of rank {@code r}; a RECV must be satisfiable (a RECV_ANY takes the first rank it may). */
    NbSimulator step(int r) {
        Rank k = rank[r];
        post(k);
        if (!k.runnable()) {
            throw new AssertionError("rank " + r + " cannot step at pc " + k.pc);
        }
        Op op = programs.get(r).get(k.pc);
        return op.kind() == Op.Kind.RECV_ANY ? stepAny(r, k.sources().get(0)) : execute(k, -1);
    }

    /** Executes rank {@code r}'s receive from any rank by taking the message from {@code source}. */
    NbSimulator stepAny(int r, int source) {
        Rank k = rank[r];
        post(k);
        if (!k.runnable() || programs.get(r).get(k.pc).kind() != Op.Kind.RECV_ANY || !k.sources().contains(source)) {
            throw new AssertionError("rank " + r + " cannot receive from rank " + source + " at pc " + k.pc
                    + " (may take from " + (k.runnable() ? k.sources() : "none") + ")");
        }
        return execute(k, source);
    }

    private NbSimulator execute(Rank k, int source) {
        Op op = programs.get(k.id).get(k.pc++);
        switch (op.kind()) {
            case SEND -> send(k, op.peer(), op.payload());
            case FORWARD -> {
                send(k, op.peer(), op.payload() + "@" + k.sources);
                k.sources = "";
            }
            case RECV -> receive(k, op.peer());
            case RECV_ANY -> receiveAny(k, source);
            case POINT -> safePoint(k);
        }
        if (k.done() && !k.finishedReported && mode != Mode.NAIVE) {
            k.finishedReported = true;
            coordinator.onRankFinished(k.id);
        }
        drain();
        post(k);
        return this;
    }

    NbSimulator steps(int r, int count) {
        for (int i = 0; i < count; i++) {
            step(r);
        }
        return this;
    }

    /** Accepts the oldest in-flight message on channel from -> to into the receiver's mailbox. */
    NbSimulator deliver(int from, int to) {
        Msg m = channel[from][to].poll();
        if (m == null) {
            throw new AssertionError("nothing in flight from " + from + " to " + to);
        }
        boolean late = false;
        if (mode != Mode.NAIVE) {
            NbClassification c = rank[to].protocol.onAccept(from, m.epoch(), m.seq());
            log.add(from + "->" + to + " " + m.payload() + " " + c);
            late = c == NbClassification.LATE;
        }
        rank[to].mailbox.get(from).add(new Msg(m.payload(), m.epoch(), m.seq(), late));
        drain();
        return this;
    }

    /** Hands every queued control message of rank r to its protocol. */
    NbSimulator control(int r) {
        while (!control[r].isEmpty()) {
            handleControl(rank[r], control[r].poll());
            drain();
        }
        return this;
    }

    NbSimulator controlAll() {
        for (int r = 0; r < n; r++) {
            control(r);
        }
        return this;
    }

    /** Finishes every pending piece write (and so possibly the commit). */
    NbSimulator writePieces() {
        for (Rank k : rank) {
            finishWrite(k);
        }
        return this;
    }

    /** Rank r fails: the coordinator is told, then the whole job restarts from the last committed checkpoint. */
    NbSimulator kill(int r) {
        if (mode != Mode.NAIVE) {
            coordinator.onRankFailed(r);
            coordinatorOut.clear();
        }
        restart();
        return this;
    }

    // ---- random driver -------------------------------------------------------------------------------------------

    /**
     * Runs to the end with a seeded random schedule; kills a random rank at each scheduler step listed in
     * {@code failAtSteps}. Returns false if the job got stuck (a RECV that can never be satisfied).
     */
    boolean runRandom(Random random, int... failAtSteps) {
        int step = 0;
        int nextFailure = 0;
        while (true) {
            step++;
            if (nextFailure < failAtSteps.length && step == failAtSteps[nextFailure]) {
                nextFailure++;
                kill(random.nextInt(n));
                continue;
            }
            if (mode != Mode.NAIVE) {
                now++;
                coordinator.onTick(now);
                drain();
            } else if (step % INTERVAL == 0 && naiveOpen == committed) {
                requestCheckpoint();
            }
            List<Runnable> enabled = enabledSteps();
            if (enabled.isEmpty()) {
                return allDone();
            }
            enabled.get(random.nextInt(enabled.size())).run();
            if (step > 1_000_000) {
                throw new AssertionError("simulation does not terminate");
            }
        }
    }

    /** Runs the remaining work in a fixed order (ranks, then channels, control, writes) until nothing is left. */
    boolean runToEnd() {
        while (true) {
            List<Runnable> enabled = enabledSteps();
            if (enabled.isEmpty()) {
                return allDone();
            }
            enabled.get(0).run();
        }
    }

    /** Runs in the fixed order of {@link #runToEnd()} until {@code stop} holds; fails if the job gets stuck first. */
    NbSimulator runUntil(java.util.function.BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            List<Runnable> enabled = enabledSteps();
            if (enabled.isEmpty()) {
                throw new AssertionError("job ran out of work before the condition held; log: " + log);
            }
            enabled.get(0).run();
        }
        return this;
    }

    /** Enabled steps, control work first (the runtime handles it promptly), then deliveries, then programs. */
    private List<Runnable> enabledSteps() {
        for (Rank k : rank) {
            post(k);
        }
        List<Runnable> enabled = new ArrayList<>();
        for (Rank k : rank) {
            int r = k.id;
            if (!control[r].isEmpty()) {
                enabled.add(() -> control(r));
            }
            if (k.pendingWrite != null) {
                enabled.add(() -> finishWrite(k));
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int from = i;
                int to = j;
                if (!channel[i][j].isEmpty()) {
                    enabled.add(() -> deliver(from, to));
                }
            }
        }
        for (Rank k : rank) {
            if (k.runnable() && programs.get(k.id).get(k.pc).kind() == Op.Kind.RECV_ANY) {
                for (int source : k.sources()) {
                    enabled.add(() -> stepAny(k.id, source));
                }
            } else if (k.runnable()) {
                enabled.add(() -> step(k.id));
            }
        }
        return enabled;
    }

    private boolean allDone() {
        for (Rank k : rank) {
            if (!k.done()) {
                return false;
            }
        }
        return true;
    }

    // ---- results -------------------------------------------------------------------------------------------------

    List<List<String>> received() {
        List<List<String>> all = new ArrayList<>();
        for (Rank k : rank) {
            all.add(List.copyOf(k.received));
        }
        return all;
    }

    int committed() {
        return committed;
    }

    int restarts() {
        return restarts;
    }

    NbRankProtocol protocol(int r) {
        return rank[r].protocol;
    }

    NbCoordinatorProtocol coordinator() {
        return coordinator;
    }

    List<String> log() {
        return log;
    }

    /**
     * Whether every rank received from each rank exactly what that rank, by its own account, sent it: no message lost,
     * none twice, and every re-executed send (suppressed or not) equal to the one its receiver got. Lists the
     * channels that differ, or returns an empty list.
     */
    List<String> inconsistencies() {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (!rank[i].sentTo.get(j).equals(rank[j].receivedFrom.get(i))) {
                    wrong.add(i + "->" + j + " sent " + rank[i].sentTo.get(j) + " received "
                            + rank[j].receivedFrom.get(i));
                }
            }
        }
        return wrong;
    }

    /** What every rank must receive: the k-th RECV(from) of rank r gets the k-th payload from sent to r. */
    static List<List<String>> expected(List<List<Op>> programs) {
        int n = programs.size();
        List<List<String>> result = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int[] taken = new int[n];
            List<String> got = new ArrayList<>();
            for (Op op : programs.get(r)) {
                if (op.kind() == Op.Kind.RECV) {
                    int k = 0;
                    for (Op s : programs.get(op.peer())) {
                        if (s.kind() == Op.Kind.SEND && s.peer() == r && k++ == taken[op.peer()]) {
                            got.add(s.payload());
                            break;
                        }
                    }
                    taken[op.peer()]++;
                }
            }
            result.add(got);
        }
        return result;
    }

    // ---- internals -----------------------------------------------------------------------------------------------

    private void send(Rank k, int to, String payload) {
        k.sentTo.get(to).add(payload);
        if (mode == Mode.NAIVE) {
            channel[k.id][to].add(new Msg(payload, 0, 0, false));
            return;
        }
        long seq = k.protocol.onSend(to);
        if (seq != NbRankProtocol.SUPPRESSED) {
            channel[k.id][to].add(new Msg(payload, k.protocol.epoch(), seq, false));
        } else {
            log.add(k.id + "->" + to + " " + payload + " SUPPRESSED");
        }
    }

    private void receive(Rank k, int from) {
        Msg m = k.mailbox.get(from).poll();
        k.received.add(m.payload());
        k.receivedFrom.get(from).add(m.payload());
        k.sources += from;
        if (m.late()) {
            k.latePayloads.put(key(from, m.seq()), m.payload());
            k.protocol.onLateLogged(from, m.seq());
        }
    }

    /**
     * Posts the receive from any rank at the rank's {@code pc}, as the runtime does when the program calls it: a
     * replay decides its source, a recording keeps its place.
     */
    private void post(Rank k) {
        if (k.posted || k.done() || programs.get(k.id).get(k.pc).kind() != Op.Kind.RECV_ANY) {
            return;
        }
        k.posted = true;
        if (k.replay != null) {
            k.forced = k.replay.receive(Determinant.ANY, 0, 0);
            k.forcedNumber = k.replay.number();
            if (k.replay.isOver()) {
                log.add("rank " + k.id + " replay over: " + k.replay.end());
                k.replay = null;
            }
        }
        k.slot = k.recording == null ? null : k.recording.receive(Determinant.ANY, 0, 0);
    }

    private void receiveAny(Rank k, int from) {
        long seq = k.mailbox.get(from).peek().seq();
        receive(k, from);
        Determinant.Matched seen = new Determinant.Matched(from, 0, seq);
        if (k.forced != null) {
            ReplayMismatchException e = new Replay(k.id, DeterminantLog.EMPTY, null).checkReceived(k.forced,
                    k.forcedNumber, seen);
            if (e != null) {
                throw new AssertionError(e.getMessage());
            }
            log.add("rank " + k.id + " replayed receive from " + from);
        }
        if (k.slot != null && k.recording != null) {
            k.recording.matched(k.slot, seen);
        }
        k.posted = false;
        k.forced = null;
        k.slot = null;
    }

    private void safePoint(Rank k) {
        if (mode == Mode.NAIVE) {
            if (naiveOpen > committed && k.captured == null) {
                k.captured = k.snapshot();
                boolean all = true;
                for (Rank o : rank) {
                    all &= o.captured != null;
                }
                if (all) {
                    Piece[] ps = new Piece[n];
                    for (Rank o : rank) {
                        ps[o.id] = new Piece(null, o.captured, Map.of(), DeterminantLog.EMPTY);
                    }
                    pieces.put(naiveOpen, ps);
                    committed = naiveOpen;
                }
            }
            return;
        }
        Optional<NbCapture> capture = k.protocol.atSafePoint();
        if (capture.isPresent()) {
            k.captured = k.snapshot();
            k.latePayloads = new HashMap<>();
        }
    }

    private void finishWrite(Rank k) {
        NbCheckpointRecord record = k.pendingWrite;
        if (record == null) {
            return;
        }
        k.pendingWrite = null;
        Piece[] ps = pieces.computeIfAbsent(record.epoch(), e -> new Piece[n]);
        DeterminantLog events = k.recorded.remove(record.epoch());
        if (events == null) {
            throw new AssertionError("rank " + k.id + " writes checkpoint " + record.epoch() + " before its recording"
                    + " of non-deterministic events ended");
        }
        ps[k.id] = new Piece(record, k.captured, Map.copyOf(k.latePayloads), events);
        k.protocol.onPieceWritten(record.epoch(), 100 + record.late().size());
        drain();
    }

    private void handleControl(Rank k, Object message) {
        if (message instanceof NbCoordinatorAction.Request q) {
            k.protocol.onRequest(q.epoch());
        } else if (message instanceof PromiseFrom p) {
            k.protocol.onPromise(p.from(), p.epoch(), p.sentUpTo());
        } else if (message instanceof NbCoordinatorAction.Committed c) {
            k.protocol.onCommitted(c.epoch());
        } else if (message instanceof NbCoordinatorAction.Abandoned a) {
            log.add("abandoned " + a.epoch() + ": " + a.reason());
            k.protocol.onAbandoned(a.epoch());
        }
    }

    /** A promise with its sender (the action names only the receiver). */
    private record PromiseFrom(int from, int epoch, long sentUpTo) {
    }

    /** Carries out queued actions until none are left. */
    private void drain() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Rank k : rank) {
                while (!k.out.isEmpty()) {
                    progress = true;
                    rankAction(k, k.out.remove(0));
                }
            }
            while (!coordinatorOut.isEmpty()) {
                progress = true;
                coordinatorAction(coordinatorOut.remove(0));
            }
        }
    }

    private void rankAction(Rank k, NbRankAction action) {
        if (action instanceof NbRankAction.RecordDeterminants) {
            k.recording = mode == Mode.NB ? new Recording() : null;
        } else if (action instanceof NbRankAction.DeterminantsComplete c) {
            k.recorded.put(c.epoch(), k.recording == null ? DeterminantLog.EMPTY : k.recording.finish());
            k.recording = null;
        } else if (action instanceof NbRankAction.DropDeterminants) {
            k.recording = null;
        } else if (action instanceof NbRankAction.Taken t) {
            coordinator.onTaken(k.id, t.epoch(), now);
        } else if (action instanceof NbRankAction.Deferred d) {
            coordinator.onDeferred(k.id, d.epoch());
        } else if (action instanceof NbRankAction.Promise p) {
            control[p.to()].add(new PromiseFrom(k.id, p.epoch(), p.sentUpTo()));
        } else if (action instanceof NbRankAction.WritePiece w) {
            k.pendingWrite = w.record();
        } else if (action instanceof NbRankAction.Prepared p) {
            coordinator.onPrepared(k.id, p.epoch(), p.bytes());
        }
    }

    private void coordinatorAction(NbCoordinatorAction action) {
        if (action instanceof NbCoordinatorAction.CommitManifest c) {
            committed = c.epoch();
            log.add("committed " + c.epoch());
            coordinator.onManifestCommitted(c.epoch(), now);
        } else {
            for (ArrayDeque<Object> q : control) {
                q.add(action);
            }
        }
    }

    private void restart() {
        restarts++;
        log.add("restart from " + committed);
        for (int i = 0; i < n; i++) {
            control[i].clear();
            for (int j = 0; j < n; j++) {
                channel[i][j].clear();
            }
        }
        Piece[] ps = committed == 0 ? null : pieces.get(committed);
        if (mode == Mode.NAIVE) {
            for (Rank k : rank) {
                k.reset(ps == null ? null : ps[k.id].snapshot());
            }
            naiveOpen = committed;
            return;
        }
        RestartPlan plan = null;
        if (ps != null) {
            List<NbCheckpointRecord> records = new ArrayList<>();
            for (Piece p : ps) {
                records.add(p.record());
            }
            plan = RestartPlan.of(records);
        }
        for (Rank k : rank) {
            k.reset(ps == null ? null : ps[k.id].snapshot());
            if (plan != null) {
                RestartPlan.RankPlan rp = plan.rank(k.id);
                k.protocol.restore(rp);
                if (mode == Mode.NB && !ps[k.id].determinants().isEmpty()) {
                    k.replay = new Replay(k.id, ps[k.id].determinants(), rp.reproducibleUpTo());
                }
                for (NbCheckpointRecord.Late l : rp.reinject()) {
                    String payload = ps[k.id].latePayloads().get(key(l.from(), l.seq()));
                    k.mailbox.get(l.from()).add(new Msg(payload, 0, l.seq(), false));
                }
            }
        }
        pieces.keySet().removeIf(e -> e > committed);
        coordinator = newCoordinator();
        for (Rank k : rank) {
            if (k.done()) {
                k.finishedReported = true;
                coordinator.onRankFinished(k.id);
            }
        }
    }

    private static long key(int from, long seq) {
        return ((long) from << 40) | seq;
    }
}
