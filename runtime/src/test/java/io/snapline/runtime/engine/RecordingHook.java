package io.snapline.runtime.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A hook that keeps every message it accepts and records, in arrival order, the tag of each message ({@code "m3"}) and
 * the first byte, length and sender of each policy datum ({@code "d1:16 from 0"}), for tests of channel order.
 */
public final class RecordingHook implements ChannelHook {
    /** What arrived, in order; read it once the arrivals are over. */
    public final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch arrivals;

    /** @param expected arrivals {@link #awaitArrivals} waits for */
    public RecordingHook(int expected) {
        arrivals = new CountDownLatch(expected);
    }

    /** Whether the expected arrivals came within {@code seconds}. */
    public boolean awaitArrivals(long seconds) throws InterruptedException {
        return arrivals.await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public boolean beforeSend(Send m) {
        return true;
    }

    @Override
    public int onAccept(int source, int context, int tag, int epoch, long seq) {
        seen.add("m" + tag);
        arrivals.countDown();
        return KEEP;
    }

    @Override
    public void log(Message m, byte[] payload) {
    }

    @Override
    public void onDatum(int source, byte[] datum) {
        seen.add("d" + datum[0] + ":" + datum.length + " from " + source);
        arrivals.countDown();
    }
}
