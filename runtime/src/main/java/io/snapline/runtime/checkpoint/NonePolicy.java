package io.snapline.runtime.checkpoint;

/** {@code --checkpoint none}: safe points cost a counter increment, nothing is saved, a failure ends the job. */
public final class NonePolicy implements CheckpointPolicy {
    public static final String NAME = "none";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "no checkpoints; a failed rank ends the job";
    }

    @Override
    public boolean restarts() {
        return false;
    }

    @Override
    public RankPolicy forRank(RankServices services) {
        return new RankPolicy() {
            @Override
            public void atPoint(long point) {
            }

            @Override
            public void onControl(byte[] message) {
            }
        };
    }

    @Override
    public PolicyCoordinator coordinator(CoordinatorServices services) {
        return new PolicyCoordinator() {
            @Override
            public void onRankMessage(int rank, byte[] message) {
            }

            @Override
            public void onTick(long nanoTime) {
            }

            @Override
            public void onRankFinished(int rank) {
            }
        };
    }
}
