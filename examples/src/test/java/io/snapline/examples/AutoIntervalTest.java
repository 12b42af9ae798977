package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.runtime.json.JsonText;
import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --interval auto} under each family of policies: the job checkpoints on the interval chosen from the measured
 * cost of its checkpoints and the MTTF, prints what a run without checkpoints prints, and its report names each
 * interval chosen and why. The MTTF is 2 s, so the job starts at an interval of 200 ms (a tenth of it) and runs for
 * at least 80 × 10 ms.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AutoIntervalTest {
    private static final String START = "interval 200.0 ms at the start (no checkpoint measured yet: the smaller of "
            + "30.0 s and MTTF/10 = 200.0 ms)";

    @TempDir
    Path dir;

    @Test
    void shouldChooseTheIntervalByYoungUnderBlockingCoordinatedCheckpoints() throws IOException {
        String err = runAuto(List.of("--checkpoint", "coordinated"), "young", "");
        assertChosen(err, "", "young: sqrt\\(2 \\* [0-9.]+ (ms|s) \\* 2\\.0 s\\)");
    }

    @Test
    void shouldChooseTheIntervalByDalyUnderNonBlockingCoordinatedCheckpoints() throws IOException {
        String err = runAuto(List.of("--checkpoint", "coordinated-nb"), "daly", "");
        assertChosen(err, "", "daly: sqrt\\(2 \\* [0-9.]+ (ms|s) \\* 2\\.0 s\\) \\* \\[1 \\+ sqrt\\(t_c/2M\\)/3 \\+ "
                + "\\(t_c/2M\\)/9\\] - ");
    }

    @Test
    void shouldLetEachRankChooseItsIntervalByWongAndFranklinUnderIndependentCheckpoints() throws IOException {
        String err = runAuto(List.of("--checkpoint", "independent", "--logging", "none"), "wong-franklin", "0.25");
        assertChosen(err, "rank [0-2]: ", "wong-franklin: sqrt\\(2\\.0 s \\* [0-9.]+ (ms|s)\\) / 0\\.25");
    }

    @Test
    void shouldChooseTheIntervalUnderMessageLogging() throws IOException {
        String err = runAuto(List.of("--checkpoint", "independent", "--logging", "pessimistic"), "young", "");
        assertChosen(err, "rank [0-2]: ", "young: sqrt\\(2 \\* [0-9.]+ (ms|s) \\* 2\\.0 s\\)");
    }

    @Test
    void shouldRestartFromACheckpointTakenOnTheChosenIntervalAndKeepTheChoiceAcrossTheRestart() throws IOException {
        MpiRun.Outcome clean = MpiRun.ok(3, Ring.class, "80", "10");
        MpiRun.Outcome o = MpiRun.run(3, List.of("--checkpoint", "coordinated", "--interval", "auto", "--mttf", "2s",
                "--store", dir.resolve("store").toString(), "--inject-failure", "rank=1,point=60"),
                Ring.class, "80", "10");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean.lines(), o.lines(), o.err());
        assertTrue(o.err().contains("restarts: 1\n"), o.err());
        assertEquals(1, count(o.err(), "interval 200.0 ms at the start"), "one start for the job, not one per attempt:\n"
                + o.err());
        assertChosen(o.err(), "", "young: sqrt\\(2 \\* [0-9.]+ (ms|s) \\* 2\\.0 s\\)");
    }

    @Test
    void shouldLearnTheMttfFromTheFailuresSeenAndChooseTheIntervalAgain() throws IOException {
        MpiRun.Outcome clean = MpiRun.ok(3, Ring.class, "80", "10");
        Path report = dir.resolve("learned.json");
        MpiRun.Outcome o = MpiRun.run(3, List.of("--checkpoint", "coordinated", "--interval", "auto", "--mttf", "20s",
                "--learn-mttf", "--store", dir.resolve("store").toString(), "--report", report.toString(),
                "--inject-failure", "rank=1,point=30", "--inject-failure", "rank=2,point=60"), Ring.class, "80", "10");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean.lines(), o.lines(), o.err());
        assertTrue(o.err().contains("MTTF estimates (--learn-mttf): 2\n"), o.err());
        // The report's list: (20 s + run) / (1 + 1), then / (1 + 2); with runs of seconds each is below the last. The
        // interval chosen from each says so too.
        Matcher m = Pattern.compile("at [0-9.]+ s: MTTF learned from (\\d) failure\\(s\\) in [0-9.]+ (?:ms|s) with the prior "
                + "20\\.0 s: \\(20\\.0 s \\+ [0-9.]+ (?:ms|s)\\) / \\(1 \\+ \\d\\) = ([0-9.]+) s").matcher(o.err());
        List<Double> estimates = new ArrayList<>();
        while (m.find()) {
            estimates.add(Double.parseDouble(m.group(2)));
        }
        assertEquals(2, estimates.size(), o.err());
        assertTrue(estimates.get(0) > estimates.get(1) && estimates.get(1) < 20, estimates.toString());
        assertTrue(o.err().matches("(?s).*\nsnaprun: interval [0-9.]+ (ms|s) (at the start|after checkpoint \\d+) "
                + "\\(MTTF learned from 1 failure.*"), "printed as chosen: " + o.err());
        JsonNode json = JsonText.MAPPER.readTree(report.toFile());
        assertTrue(json.get("mttfLearned").get(0).get("how").asText().startsWith("MTTF learned from 1 failure(s)"),
                json.toString());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * Runs the paced ring without checkpoints, then with {@code policy}, {@code --interval auto --mttf 2s} and
     * {@code formula} (and {@code h} unless empty); asserts the same output and a JSON report that lists the
     * intervals. Returns the second run's standard error.
     */
    private String runAuto(List<String> policy, String formula, String h) throws IOException {
        MpiRun.Outcome clean = MpiRun.ok(3, Ring.class, "80", "10");
        Path report = dir.resolve("report.json");
        List<String> flags = new ArrayList<>(policy);
        flags.addAll(List.of("--interval", "auto", "--mttf", "2s", "--formula", formula, "--store",
                dir.resolve("store").toString(), "--report", report.toString()));
        if (!h.isEmpty()) {
            flags.addAll(List.of("--h", h));
        }
        MpiRun.Outcome o = MpiRun.run(3, flags, Ring.class, "80", "10");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean.lines(), o.lines(), o.err());
        assertTrue(o.err().contains("interval auto: " + formula), o.err());
        JsonNode intervals = JsonText.MAPPER.readTree(report.toFile()).get("intervals");
        JsonNode start = intervals.get(0);
        assertEquals(List.of(-1L, 0L, 200_000_000L, -1L), List.of(start.get("rank").asLong(),
                start.get("afterCheckpoint").asLong(), start.get("intervalNanos").asLong(),
                start.get("costNanos").asLong()), intervals.toString());
        assertTrue(start.get("reason").asText().startsWith("no checkpoint measured yet"), intervals.toString());
        boolean chosenAfterACheckpoint = false;
        for (JsonNode i : intervals) {
            chosenAfterACheckpoint |= i.get("afterCheckpoint").asLong() >= 1
                    && i.get("intervalNanos").isIntegralNumber();
        }
        assertTrue(chosenAfterACheckpoint, intervals.toString());
        return o.err();
    }

    /**
     * The report shows the starting interval and at least one chosen after a checkpoint by {@code how} (a pattern),
     * for the job or (with {@code who}) a rank, and each was printed as it was chosen.
     */
    private static void assertChosen(String err, String who, String how) {
        assertTrue(err.contains("intervals chosen (--interval auto): "), err);
        assertTrue(err.contains(": " + START), err);
        Pattern chosen = Pattern.compile("    at [0-9.]+ s: " + who + "interval [0-9.]+ (ms|s) after checkpoint \\d+ \\("
                + how);
        assertTrue(chosen.matcher(err).find(), chosen + " in:\n" + err);
        Pattern printed = Pattern.compile("snaprun: " + who + "interval [0-9.]+ (ms|s) after checkpoint \\d+ \\(" + how);
        assertTrue(printed.matcher(err).find(), printed + " in:\n" + err);
    }
}
