package io.snapline.runtime.checkpoint.store;

import java.util.List;

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
}
