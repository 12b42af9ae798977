package io.snapline.examples;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WildcardRestartCases} under {@code --checkpoint independent --logging pessimistic}: a polling farm (wildcard
 * receives, {@code Iprobe} and {@code Testany} loops) whose master or workers fail: on {@code shm} the failed rank
 * restarts alone, on {@code tcp} every rank, each from its own newest checkpoint, replaying its logged events. Two runs
 * of each.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PessimisticWildcardTest extends WildcardRestartCases {
    @Override
    int repeats() {
        return 2;
    }

    @Override
    List<String> policy() {
        return List.of("--checkpoint", "independent", "--logging", "pessimistic", "--interval", "40ms");
    }
}
