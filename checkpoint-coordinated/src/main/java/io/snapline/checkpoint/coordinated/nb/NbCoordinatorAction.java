package io.snapline.checkpoint.coordinated.nb;

import java.util.List;

/**
 * What the {@link NbCoordinatorProtocol} asks the runtime to do. Same delivery contract as {@link NbRankAction}:
 * the sink is called synchronously, in order, and must only queue.
 */
public sealed interface NbCoordinatorAction {

    /** Send {@code Request(epoch)} to every rank ({@link NbRankProtocol#onRequest(int)}). */
    record Request(int epoch) implements NbCoordinatorAction {
    }

    /**
     * Every rank prepared checkpoint {@code epoch}: write its manifest (phase two), then call
     * {@link NbCoordinatorProtocol#onManifestCommitted(int, long)}. {@code pieceBytes} is indexed by rank.
     */
    record CommitManifest(int epoch, List<Long> pieceBytes) implements NbCoordinatorAction {
        public CommitManifest {
            pieceBytes = List.copyOf(pieceBytes);
        }
    }

    /** Send {@code Committed(epoch)} to every rank ({@link NbRankProtocol#onCommitted(int)}). */
    record Committed(int epoch) implements NbCoordinatorAction {
    }

    /**
     * Checkpoint {@code epoch} will never commit; send it to every rank ({@link NbRankProtocol#onAbandoned(int)})
     * and log {@code reason}. Recovery uses the last committed checkpoint.
     */
    record Abandoned(int epoch, String reason) implements NbCoordinatorAction {
    }
}
