package io.snapline.runtime.checkpoint.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The latest complete checkpoint found on restart, with a warning for each newer checkpoint that was skipped
 * because it was torn or corrupt (empty when the newest one was good). The caller decides how to report them.
 */
public record Recovered(Manifest manifest, List<String> warnings) {

    public Recovered {
        if (manifest == null) {
            throw new CheckpointStoreException("a recovered checkpoint needs its manifest");
        }
        warnings = List.copyOf(warnings);
    }

    /** Reads checkpoint {@code id} whole, checking every piece; throws {@link CheckpointStoreException} on damage. */
    interface Check {
        Manifest verified(CheckpointId id);
    }

    /**
     * The newest of {@code ids} (oldest first) that {@code check} finds whole, with a warning added to
     * {@code warnings} for each newer one it skipped as damaged (also told to {@code damaged}). A
     * {@link CheckpointFormatException} (another job's or version's checkpoint) is never skipped. Throws when every
     * checkpoint is damaged, naming {@code store} and ending with {@code advice}.
     */
    static Optional<Recovered> newestWhole(List<CheckpointId> ids, List<String> warnings, Check check,
            Consumer<CheckpointId> damaged, String store, String advice) {
        for (int i = ids.size() - 1; i >= 0; i--) {
            CheckpointId id = ids.get(i);
            try {
                return Optional.of(new Recovered(check.verified(id), warnings));
            } catch (CheckpointFormatException e) {
                throw e; // not damage: an older or newer job's checkpoint, never to be skipped silently
            } catch (CheckpointStoreException e) {
                damaged.accept(id);
                warnings.add("skipping checkpoint " + id + ": " + e.getMessage()
                        + "; falling back to an earlier checkpoint");
            }
        }
        if (!warnings.isEmpty()) {
            throw new CheckpointStoreException("no complete checkpoint in " + store + ": "
                    + String.join("; ", warnings) + ". Every committed checkpoint is damaged" + advice);
        }
        return Optional.empty();
    }
}
