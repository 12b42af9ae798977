package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelloTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void shouldGreetOncePerRankWhenRunOnNRanks(int np) {
        MpiRun.Outcome o = MpiRun.ok(np, Hello.class);

        List<String> expected = IntStream.range(0, np).mapToObj(r -> "Hello from rank " + r + " of " + np).sorted()
                .collect(Collectors.toList());
        assertEquals(expected, o.lines().stream().sorted().collect(Collectors.toList()));
    }
}
