package io.snapline.benchmarks.bench;

import java.util.concurrent.CountDownLatch;
import mpi.MPI;

/** A program that never ends on its own: every rank waits for a latch nobody counts down, until its JVM is killed. */
public final class BlocksUntilKilled {
    private BlocksUntilKilled() {
    }

    public static void main(String[] args) throws InterruptedException {
        MPI.Init(args);
        new CountDownLatch(1).await();
    }
}
