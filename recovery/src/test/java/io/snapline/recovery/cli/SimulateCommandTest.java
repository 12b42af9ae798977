package io.snapline.recovery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class SimulateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shouldPrintARowPerPolicyAndRankCountWithTheWasteAndItsParts() throws Exception {
        Path csv = tmp.resolve("sim.csv");
        CliRun r = CliRun.of("simulate", "--policy", "coordinated,logging", "--ranks", "1,1000", "--runs", "50",
                "--csv", csv.toString());
        assertEquals(0, r.status(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.startsWith("coordinated ") || l.startsWith("logging "))
                .toList();
        assertEquals(4, rows.size(), r.out());
        assertTrue(rows.get(0).matches("coordinated\\s+1\\s+1\\s+5\\.0 y\\s+24\\.0 h .*"), rows.get(0));
        assertTrue(r.out().contains("logging overhead 5.0%"), r.out());
        assertTrue(r.err().contains("simulate: logging on 1000 ranks (4 of 4)"), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(5, lines.size());
        assertTrue(lines.get(0).startsWith("policy,ranks,nodes,mttf_job_s,interval_s,"), lines.get(0));
        String[] one = lines.get(1).split(",", -1);
        assertEquals("coordinated", one[0]);
        double wall = Double.parseDouble(one[8]);
        double parts = 86_400 + Double.parseDouble(one[11]) + Double.parseDouble(one[12])
                + Double.parseDouble(one[13]) + Double.parseDouble(one[14]);
        assertEquals(wall, parts, wall * 1e-5, "the parts add up to the wall time");
    }

    @Test
    void shouldCompareTheFormulasAndPlotTheWasteCurve() throws Exception {
        Path svg = tmp.resolve("waste.svg");
        CliRun r = CliRun.of("simulate", "--ranks", "10000", "--runs", "40", "--formulas", "--plot", svg.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s).*coordinated, 10000 ranks: optimum [0-9.]+ min \\(waste [0-9.]+%\\); young "
                + ".*daly .*wong-franklin .*"), r.out());
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", d.getDocumentElement().getTagName());
        String text = Files.readString(svg);
        for (String label : List.of(">young ", ">daly ", ">wong-franklin ", ">optimum ", "Daly&apos;s form")) {
            assertTrue(text.contains(label), label);
        }
    }

    @Test
    void shouldTakeTheCostsFromABenchReportAndSayHowWellTheyPredictItsRuns() throws Exception {
        Path report = tmp.resolve("report.csv");
        Files.writeString(report, io.snapline.recovery.simulate.BenchCostsTest.REPORT);

        CliRun r = CliRun.of("simulate", "--costs-from", report.toString(), "--policy", "coordinated,logging",
                "--ranks", "2", "--runs", "10", "--interval", "10s");

        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s).*\\n  Heat2D 64 10 +2 shm +coordinated +10\\.0 s +4\\.0 +2\\.5 s +250 ms +0\\.0% "
                + "+500 ms\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n  Heat2D 64 10 +2 shm +coordinated --async +- +10\\.5 s +10\\.2 s +-2\\.9%"
                + "\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n  Heat2D 64 10 +2 shm +coordinated +rank=1,point=5 +14\\.0 s +1[23]\\.\\d s "
                + "+-\\d+\\.\\d%\\n.*"), r.out());
        assertTrue(r.out().contains("checkpoint as measured, restart as measured; logging overhead as measured"),
                r.out());
        // The simulated coordinated job checkpoints 0.25 s every 10 s of work, the logging one 0.125 s and 15 % slower.
        assertTrue(r.out().matches("(?s).*\\ncoordinated +2 +2 .* 2\\.44% .*"), r.out());
        assertTrue(r.out().matches("(?s).*\\nlogging +2 +2 .* 1\\.0[0-9]% .* 1[23]\\.\\d+% .*"), r.out());

        CliRun given = CliRun.of("simulate", "--costs-from", report.toString(), "--ranks", "2", "--runs", "10",
                "--checkpoint-cost", "60s");
        assertEquals(0, given.status(), given.err());
        assertTrue(given.out().contains("checkpoint 60.0 s, restart as measured"), given.out());
    }

    @Test
    void shouldRefuseBadInputWithAReason() {
        assertBad("unknown --policy 'fast'", "--policy", "fast");
        assertBad("needs a number and a unit", "--work", "12");
        assertBad("--runs must be at least 2", "--runs", "1");
        assertBad("--h must be in (0, 1]", "--h", "2");
        assertBad("--interval needs a number and a unit", "--interval", "often");
        assertBad("unknown --failures 'gamma'", "--failures", "gamma");
        assertBad("cuts the work (8.64e+04 s) into more than 1000000 stretches", "--interval", "1ms");
        assertBad("has no column 'program': is it the report.csv of a snapline bench run?", "--costs-from",
                write("policy,ranks\ncoordinated,2\n"));
        assertBad("cannot read --costs-from", "--costs-from", tmp.resolve("missing.csv").toString());
        assertBad("no interval finishes every run on 100000 ranks", "--policy", "independent", "--ranks", "100000",
                "--runs", "4", "--give-up", "3", "--plot", tmp.resolve("x.svg").toString());
    }

    private String write(String text) {
        try {
            Path f = Files.createTempFile(tmp, "report", ".csv");
            Files.writeString(f, text);
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertBad(String message, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "simulate";
        System.arraycopy(args, 0, all, 1, args.length);
        CliRun r = CliRun.of(all);
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
