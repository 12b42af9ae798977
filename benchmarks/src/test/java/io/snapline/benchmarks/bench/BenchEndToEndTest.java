package io.snapline.benchmarks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code snapline bench} on a tiny matrix: real jobs, each in its own JVM, and the report they give. */
class BenchEndToEndTest {
    @Test
    @Timeout(300)
    void shouldRunEveryCellAndReportMatchedOutputWhenTheMatrixIsTiny(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        StringWriter err = new StringWriter();
        CommandLine cl = BenchCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));

        int status = cl.execute("--programs", "Ring:10 50", "--policies", "none,coordinated", "--ranks", "2",
                "--repeat", "1", "--interval", "100ms", "--out", out.toString(), "--work", dir.toString());

        assertEquals(0, status, err.toString());
        for (String f : List.of("report.md", "report.csv", "overhead.svg", "runs/cell1-run1.json",
                "runs/cell2-run1.json", "runs/cell1-run1.stdout.txt")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " is missing");
        }
        List<String> csv = Files.readAllLines(out.resolve("report.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("Ring,10 50,none,,2,shm,,1,1,0,reference,"), csv.get(1));
        assertTrue(csv.get(1).endsWith(",ok"), csv.get(1));
        assertTrue(csv.get(2).startsWith("Ring,10 50,coordinated,,2,shm,,1,1,0,matched,"), csv.get(2));
        assertTrue(csv.get(2).endsWith(",ok"), csv.get(2));
        // what was compared: Ring's result line, the token after 10 laps of 0 + 1
        for (String run : List.of("cell1-run1", "cell2-run1")) {
            assertEquals(List.of("Ring: token = 10 after 10 laps over 2 ranks"),
                    Files.readAllLines(out.resolve("runs/" + run + ".stdout.txt")));
        }
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| Ring 10 50 "), md);
        assertTrue(md.contains("| coordinated "), md);
        assertTrue(Files.readString(out.resolve("runs/cell2-run1.json")).contains("\"policy\": \"coordinated\""));
        // the stores and scratch files of the runs are gone
        try (var left = Files.list(dir)) {
            assertEquals(List.of(out), left.toList());
        }
    }
}
