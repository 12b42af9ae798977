package io.snapline.checkpoint.coordinated;

import io.snapline.checkpoint.coordinated.nb.NbCoordinatorAction;
import io.snapline.checkpoint.coordinated.nb.NbCoordinatorProtocol;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The coordinator half of {@code coordinated-nb}: binds the engine-free {@link NbCoordinatorProtocol} to the
 * supervisor. It opens a checkpoint when the interval has passed, forwards each rank's promise (how many messages it
 * sent a peer before its checkpoint) to that peer, gathers the prepared pieces and commits the manifest.
 */
final class NbCoordinator implements PolicyCoordinator {
    private final CoordinatorServices services;
    private final int n;
    private final NbCoordinatorProtocol protocol;
    private final ArrayDeque<NbCoordinatorAction> actions = new ArrayDeque<>();
    private final Map<Integer, Gathered> gathered = new HashMap<>();

    /** The pieces prepared so far for one checkpoint. */
    private static final class Gathered {
        final PieceRef[] pieces;
        final long[] blocked;
        /** The most any rank's part cost: its capture and its write (which runs beside the computation). */
        long cost;
        long point;

        Gathered(int n) {
            pieces = new PieceRef[n];
            blocked = new long[n];
        }
    }

    NbCoordinator(CoordinatorServices services) {
        this.services = services;
        this.n = services.ranks();
        this.protocol = new NbCoordinatorProtocol(n, services.intervalNanos(),
                services.settings().stallTimeout().toNanos(), System.nanoTime(),
                Math.toIntExact(services.nextId().value() - 1), actions::add);
    }

    @Override
    public void onTick(long now) {
        protocol.intervalNanos(services.intervalNanos()); // under --interval auto it changes at commits
        protocol.onTick(now);
        drain(now);
    }

    @Override
    public void onRankMessage(int rank, byte[] message) {
        NbMessage.Decoded m = NbMessage.decode(message);
        switch (m.type()) {
            case NbMessage.TAKEN -> protocol.onTaken(rank, m.epoch(), System.nanoTime());
            case NbMessage.DEFERRED -> {
                if (protocol.onDeferred(rank, m.epoch())) {
                    services.log("checkpoint " + m.epoch() + ": restarted rank " + rank + " takes it once it has "
                            + "re-sent the " + m.count() + " message(s) its peers already hold; the checkpoint timeout "
                            + "waits for it");
                }
            }
            case NbMessage.PROMISE -> services.send(m.peer(), NbMessage.promise(rank, m.epoch(), m.count()));
            case NbMessage.PREPARED -> {
                Gathered g = gathered.computeIfAbsent(m.epoch(), e -> new Gathered(n));
                g.pieces[rank] = m.piece();
                g.blocked[rank] = m.blocked();
                g.cost = Math.max(g.cost, m.cost());
                g.point = Math.max(g.point, m.count());
                protocol.onPrepared(rank, m.epoch(), m.piece().size());
            }
            default -> throw new IllegalArgumentException("the coordinator does not accept message type " + m.type()
                    + " (from rank " + rank + ")");
        }
        drain(System.nanoTime());
    }

    @Override
    public void onRankFinished(int rank) {
        protocol.onRankFinished(rank);
        drain(System.nanoTime());
    }

    private void drain(long now) {
        NbCoordinatorAction a;
        while ((a = actions.poll()) != null) {
            if (a instanceof NbCoordinatorAction.Request r) {
                services.broadcast(NbMessage.epochOnly(NbMessage.REQUEST, r.epoch()));
            } else if (a instanceof NbCoordinatorAction.CommitManifest c) {
                Gathered g = gathered.remove(c.epoch());
                services.commit(new Manifest(CheckpointId.of(c.epoch()), n, Arrays.asList(g.pieces)), g.point, g.blocked,
                        g.cost);
                protocol.onManifestCommitted(c.epoch(), now);
            } else if (a instanceof NbCoordinatorAction.Committed c) {
                services.broadcast(NbMessage.epochOnly(NbMessage.COMMITTED, c.epoch()));
            } else if (a instanceof NbCoordinatorAction.Abandoned ab) {
                gathered.remove(ab.epoch());
                services.broadcast(NbMessage.abandoned(ab.epoch(), ab.reason()));
                services.log(ab.reason());
            }
        }
    }
}
