package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PingPongTest {
    private static final Pattern SIZE_LINE =
            Pattern.compile("PingPong: +(\\d+) bytes +(\\d+\\.\\d+) us +(\\d+\\.\\d+) MB/s");

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void shouldReportEverySizeAndVerifyWarmUpRoundsWhenRunOnTwoOrMoreRanks(int np) {
        MpiRun.Outcome o = MpiRun.ok(np, PingPong.class, "20", "65536");

        List<String> lines = o.lines();
        assertEquals("PingPong: 20 rounds per size", lines.get(0));
        int[] sizes = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536};
        for (int i = 0; i < sizes.length; i++) {
            Matcher m = SIZE_LINE.matcher(lines.get(i + 1));
            assertTrue(m.matches(), lines.get(i + 1));
            assertEquals(sizes[i], Integer.parseInt(m.group(1)));
            assertTrue(Double.parseDouble(m.group(2)) > 0, lines.get(i + 1));
        }
        int verifiedWarmUp = 20;
        assertEquals("PingPong: verified " + verifiedWarmUp * sizes.length + " round trips", lines.get(sizes.length + 1));
        assertEquals(sizes.length + 2, lines.size());
    }

    @Test
    void shouldFailWithAdviceWhenRunOnOneRank() {
        MpiRun.Outcome o = MpiRun.run(1, PingPong.class);

        assertFalse(o.result().succeeded());
        String why = o.result().failures().get(0).description();
        assertTrue(why.contains("run it with -np 2"), why);
    }
}
