package io.snapline.examples;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/** {@link MasterWorkerWildcardCases}, twenty runs of each: part of the long suite ({@code mvn verify -Plong}). */
@Tag("long")
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class NonBlockingWildcardLongTest extends MasterWorkerWildcardCases {
    @Override
    int repeats() {
        return 20;
    }
}
