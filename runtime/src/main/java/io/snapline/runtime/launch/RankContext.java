package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.engine.Endpoint;

/**
 * What {@code MPI.Init} needs to know about the rank it runs in.
 *
 * @param endpoint     the rank's engine endpoint
 * @param deviceName   the device's name, as users select it
 * @param argPrefix    how many launcher arguments precede the program's own in {@code main}'s argv (MPJ style: 3)
 * @param classLoader  the loader the rank's program classes come from (objects are decoded in it)
 * @param checkpoint   the rank's checkpoint runtime
 */
public record RankContext(Endpoint endpoint, String deviceName, int argPrefix, ClassLoader classLoader,
        RankAgent checkpoint) {
}
