package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;

/**
 * {@code --checkpoint coordinated}: every rank freezes at the same aligned safe point, in-transit messages are
 * drained into the receivers' checkpoints, every rank writes its piece, and a two-phase commit makes the global
 * checkpoint complete or ignored. See {@link BlockingRank} and {@link BlockingCoordinator}.
 */
public final class BlockingPolicy implements CheckpointPolicy {
    public static final String NAME = "coordinated";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "blocking coordinated checkpoints: all ranks freeze at an aligned safe point, two-phase commit";
    }

    @Override
    public RankPolicy forRank(RankServices services) {
        return new BlockingRank(services);
    }

    @Override
    public PolicyCoordinator coordinator(CoordinatorServices services) {
        return new BlockingCoordinator(services);
    }
}
