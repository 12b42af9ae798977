package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;

/**
 * {@code --checkpoint coordinated-nb}: ranks checkpoint at their own next safe point after the coordinator opens a
 * checkpoint, without waiting for each other; epochs and channel sequence numbers piggybacked on every message let
 * late messages be logged and early ones be suppressed when re-executed. See {@link NbRank}, {@link NbCoordinator}
 * and the state machines in {@code io.snapline.checkpoint.coordinated.nb}.
 */
public final class NbPolicy implements CheckpointPolicy {
    public static final String NAME = "coordinated-nb";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "non-blocking coordinated checkpoints: epochs on messages, late messages logged, early ones suppressed";
    }

    @Override
    public boolean continues(String recorded, PolicySettings settings) {
        return EarlierStores.continues(recorded);
    }

    @Override
    public RankPolicy forRank(RankServices services) {
        return new NbRank(services);
    }

    @Override
    public PolicyCoordinator coordinator(CoordinatorServices services) {
        return new NbCoordinator(services);
    }
}
