package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.InMemoryCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A resume compares the job with every checkpoint's fingerprint; the policy decides how its own settings compare. */
class JobFingerprintsTest {
    private static final PolicySettings SETTINGS = PolicySettings.of("stepper", null, Map.of());

    /** A store whose one checkpoint recorded {@code policyOptions} for policy "stepper". */
    private static InMemoryCheckpointStore storeRecording(String policyOptions) {
        JobFingerprint old = JobFingerprint.of("demo.Main", List.of("20"), "sha256:" + "ab".repeat(32), "stepper",
                policyOptions, 1);
        InMemoryCheckpointStore store = new InMemoryCheckpointStore(old);
        CheckpointId id = CheckpointId.of(1);
        store.commit(new Manifest(id, 1, List.of(store.writePiece(id, 0, new byte[] {1, 2, 3}))));
        return store;
    }

    private static JobFingerprint job(String policyOptions) {
        return JobFingerprint.of("demo.Main", List.of("20"), "sha256:" + "ab".repeat(32), "stepper", policyOptions, 1);
    }

    /** A policy that records nothing of its settings and accepts what an earlier build recorded: {@code old}. */
    private static CheckpointPolicy acceptingEarlier(String old) {
        return new CheckpointPolicy() {
            @Override
            public String name() {
                return "stepper";
            }

            @Override
            public String description() {
                return "a fixture";
            }

            @Override
            public boolean continues(String recorded, PolicySettings settings) {
                return recorded.isEmpty() || recorded.equals(old);
            }

            @Override
            public RankPolicy forRank(RankServices services) {
                throw new UnsupportedOperationException();
            }

            @Override
            public PolicyCoordinator coordinator(CoordinatorServices services) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void shouldResumeCheckpointsWhosePolicySettingsThePolicyStillReads() {
        List<String> warnings = new ArrayList<>();
        JobFingerprints.requireSameJob(storeRecording("logging=none"), job(""), acceptingEarlier("logging=none"),
                SETTINGS, false, "s", warnings::add);
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldRefusePolicySettingsThePolicyDoesNotReadAndNameThem() {
        UsageException e = assertThrows(UsageException.class, () -> JobFingerprints.requireSameJob(
                storeRecording("logging=causal"), job(""), acceptingEarlier("logging=none"), SETTINGS, false,
                "s", w -> { }));
        assertEquals("--resume s: checkpoint 1 there was taken by another job (old value \u2192 this job's):\n"
                + "  policy options: logging=causal \u2192 (none)\n"
                + "Resume with the same program, arguments, policy and -np, or start a fresh job with another --store",
                e.getMessage());
    }
}
