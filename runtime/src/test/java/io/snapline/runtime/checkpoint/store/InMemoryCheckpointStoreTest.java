package io.snapline.runtime.checkpoint.store;

class InMemoryCheckpointStoreTest extends CheckpointStoreContractTest {

    @Override
    protected CheckpointStore newStore(JobFingerprint fingerprint) {
        return new InMemoryCheckpointStore(fingerprint);
    }
}
