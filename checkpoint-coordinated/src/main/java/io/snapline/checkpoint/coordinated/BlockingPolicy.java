package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicyOption;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import java.util.List;

/**
 * {@code --checkpoint coordinated}: every rank freezes at a safe point of its own, in-transit messages are
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
        return "blocking coordinated checkpoints: every rank freezes at a safe point of its own, the checkpoint is "
                + "taken while all are frozen (in-transit messages included) and committed in two phases";
    }

    /** {@code --every N}: checkpoint at every N-th safe point instead of on a timer. */
    static final PolicyOption EVERY = new PolicyOption("--every", "N",
            "checkpoint when a rank reaches every N-th safe point (the others at their next) instead of on a timer");

    @Override
    public List<PolicyOption> options() {
        return List.of(EVERY);
    }

    @Override
    public void validate(PolicySettings settings) {
        if (every(settings) > 0 && (settings.interval() != null || settings.auto() != null)) {
            throw new IllegalArgumentException("give either --interval" + (settings.auto() != null ? " auto" : "")
                    + " or --every, not both");
        }
    }

    @Override
    public String schedule(PolicySettings settings) {
        long every = every(settings);
        return every > 0 ? "every " + every + " safe points" : CheckpointPolicy.super.schedule(settings);
    }

    /** {@code --every} as given, or 0 for checkpoints on a timer. */
    static long every(PolicySettings settings) {
        return settings.count(EVERY.flag(), 1, 0);
    }

    @Override
    public boolean continues(String recorded, PolicySettings settings) {
        return EarlierStores.continues(recorded);
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
