package io.snapline.checkpoint.coordinated;

/** What earlier builds recorded in the checkpoints of the coordinated policies, which this build goes on reading. */
final class EarlierStores {
    private EarlierStores() {
    }

    /**
     * Whether the policy settings a checkpoint's fingerprint recorded let a coordinated job continue it: they record
     * nothing now, and before the policies declared their own options every checkpoint recorded {@code logging=none}.
     */
    static boolean continues(String recorded) {
        return recorded.isEmpty() || recorded.equals("logging=none");
    }
}
