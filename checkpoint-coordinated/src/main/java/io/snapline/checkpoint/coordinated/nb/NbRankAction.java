package io.snapline.checkpoint.coordinated.nb;

/**
 * What a {@link NbRankProtocol} asks the runtime to do. Actions are handed to the protocol's sink synchronously,
 * inside the event method that caused them, in the order they must be carried out; the sink must only queue them
 * (the runtime acts on them after the event method returned) and must not call back into the protocol.
 */
public sealed interface NbRankAction {

    /** Tell the coordinator that this rank took checkpoint {@code epoch} (progress report, used in timeouts). */
    record Taken(int epoch) implements NbRankAction {
    }

    /**
     * Start recording this rank's non-deterministic events now, at the capture of checkpoint {@code epoch}: until
     * every peer has taken it, what this rank decides can shape messages that arrive early at a peer, which that
     * peer's checkpoint then holds (see the package documentation).
     */
    record RecordDeterminants(int epoch) implements NbRankAction {
    }

    /**
     * Every rank has taken checkpoint {@code epoch} (every promise is in): end the recording; the events recorded
     * since {@link RecordDeterminants} belong in this rank's piece, which {@link WritePiece} asks for later.
     */
    record DeterminantsComplete(int epoch) implements NbRankAction {
    }

    /** Checkpoint {@code epoch} was abandoned while this rank recorded for it: drop the recording. */
    record DropDeterminants(int epoch) implements NbRankAction {
    }

    /**
     * Tell rank {@code to} that this rank sent exactly {@code sentUpTo} messages to it before taking checkpoint
     * {@code epoch}; deliver it with {@link NbRankProtocol#onPromise(int, int, long)} on rank {@code to}.
     */
    record Promise(int to, int epoch, long sentUpTo) implements NbRankAction {
    }

    /**
     * Checkpoint {@code record.epoch()} is complete on this rank: write the piece (the program state captured at
     * the safe point, the accepted-but-unreceived messages saved with it, the payloads of {@code record.late()} and
     * the events recorded until {@link DeterminantsComplete}), then call
     * {@link NbRankProtocol#onPieceWritten(int, long)}.
     */
    record WritePiece(NbCheckpointRecord record) implements NbRankAction {
    }

    /**
     * This restarted rank defers its capture of checkpoint {@code epoch} until it has re-sent the {@code resends}
     * messages its peers already hold: tell the coordinator ({@link NbCoordinatorProtocol#onDeferred}), whose
     * timeout does not run meanwhile.
     */
    record Deferred(int epoch, long resends) implements NbRankAction {
    }

    /** Report {@code Prepared(epoch)} to the coordinator ({@link NbCoordinatorProtocol#onPrepared}). */
    record Prepared(int epoch, long bytes) implements NbRankAction {
    }
}
