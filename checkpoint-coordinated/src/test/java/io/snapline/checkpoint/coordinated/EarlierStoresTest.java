package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.PolicySettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The coordinated policies record no settings, and go on resuming stores that recorded {@code logging=none}. */
class EarlierStoresTest {
    @Test
    void shouldContinueWhatThisAndEarlierBuildsRecordedAndNothingElse() {
        for (CheckpointPolicy p : List.of(new BlockingPolicy(), new NbPolicy())) {
            PolicySettings s = PolicySettings.of(p.name(), null, Map.of());
            assertEquals("", p.fingerprint(s), p.name());
            assertTrue(p.continues("", s), p.name());
            assertTrue(p.continues("logging=none", s), p.name() + ": written before policies had their own options");
            assertFalse(p.continues("logging=pessimistic", s), p.name());
        }
    }
}
