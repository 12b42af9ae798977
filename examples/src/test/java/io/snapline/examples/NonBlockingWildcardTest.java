package io.snapline.examples;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WildcardRestartCases}, three runs of each (the long suite runs twenty of these and of the deeper
 * {@link MasterWorker} cases: {@link NonBlockingWildcardLongTest}).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NonBlockingWildcardTest extends WildcardRestartCases {
    @Override
    int repeats() {
        return 3;
    }
}
