package io.snapline.runtime.testing;

import io.snapline.runtime.checkpoint.Cut;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.TrafficHook;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * A base for the scripted runtime a policy's rank half is tested against: rank 1 of 2, started fresh, a clock at 0,
 * and every service the policy has no business calling refused with {@link UnsupportedOperationException}. A test
 * overrides what its policy uses.
 */
public abstract class ScriptedRankServices implements RankServices {
    private final PolicySettings settings;

    protected ScriptedRankServices(PolicySettings settings) {
        this.settings = settings;
    }

    @Override
    public int rank() {
        return 1;
    }

    @Override
    public int size() {
        return 2;
    }

    @Override
    public PolicySettings settings() {
        return settings;
    }

    @Override
    public long restoredId() {
        return 0;
    }

    @Override
    public io.snapline.runtime.determinant.Determinants determinants() {
        throw new UnsupportedOperationException("determinants");
    }

    @Override
    public void flushChannels(CheckpointId id, int round) {
        throw new UnsupportedOperationException("flushChannels");
    }

    @Override
    public RankImage capture(long point, Cut cut) {
        throw new UnsupportedOperationException("capture");
    }

    @Override
    public long[] exchange(long[] toEach, int round) {
        throw new UnsupportedOperationException("exchange");
    }

    @Override
    public boolean sawPeerFailure() {
        return false;
    }

    @Override
    public void installHook(TrafficHook hook) {
        throw new UnsupportedOperationException("installHook");
    }

    @Override
    public void resend(int dest, io.snapline.runtime.checkpoint.SavedMessage message, int epoch, long seq) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public java.util.List<byte[]> readEvents() {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public PieceRef writePiece(CheckpointId id, RankImage image) {
        throw new UnsupportedOperationException("writePiece");
    }

    @Override
    public PieceRef writeLocal(long index, RankImage image) {
        throw new UnsupportedOperationException("writeLocal");
    }

    @Override
    public ExecutorService writer() {
        throw new UnsupportedOperationException("writer");
    }

    @Override
    public void await(BooleanSupplier condition, String what) {
        throw new UnsupportedOperationException("await " + what);
    }

    @Override
    public void wake() {
    }

    @Override
    public void reportWait(io.snapline.runtime.checkpoint.WaitListener to) {
        to.waitingChanged(false, null);
    }

    @Override
    public void watchWaits(io.snapline.runtime.checkpoint.WaitListener listener) {
    }

    @Override
    public long nanoTime() {
        return 0;
    }

    @Override
    public void aboutToWrite(CheckpointId id) {
    }
}
