package io.snapline.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.benchmarks.checkpoint.CheckpointOptions;
import io.snapline.benchmarks.recovery.RecoveryOptions;
import io.snapline.benchmarks.startup.StartupOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

class DriverCommandLineTest {

    private static String error(Runnable parse) {
        return assertThrows(IllegalArgumentException.class, parse::run).getMessage();
    }

    @Test
    void shouldSayWhichFlagIsWrongInTheDriversWords() {
        assertEquals("unknown option '--bogus'", error(() -> BenchmarkOptions.parse("--bogus")));
        assertEquals("--out needs a value", error(() -> BenchmarkOptions.parse("--out", "--trials", "3")));
        assertEquals("--scale needs a number, got 'x'", error(() -> BenchmarkOptions.parse("--scale", "x")));
        assertEquals("--state-mib needs an integer, got 'big'", error(() -> CheckpointOptions.parse("--state-mib",
                "big")));
        assertEquals("--duration needs a positive duration, got '0s'", error(() -> CheckpointOptions.parse(
                "--duration", "0s")));
        assertEquals("--ranks needs an integer, got 'x'", error(() -> RecoveryOptions.parse("--ranks", "64,x")));
        assertEquals("-h/--help goes alone", error(() -> RecoveryOptions.parse("--seed", "1", "--help")));
        assertEquals("--ranks takes whole numbers, got 'x'", error(() -> StartupOptions.parse(Path.of("."), "--ranks",
                "64,x")));
        assertEquals("unknown option '--np'", error(() -> StartupOptions.parse(Path.of("."), "--np", "4")));
    }

    @Test
    void shouldKeepTheLastValueOfAFlagGivenTwiceAndReadListsAndUnderscores() {
        assertEquals(4, BenchmarkOptions.parse("--trials", "3", "--trials", "4").trials());
        assertEquals(Duration.ofMinutes(3), CheckpointOptions.parse("--duration", "3m").duration());
        assertEquals(List.of("1s", "3s"), CheckpointOptions.parse("--intervals", "1s,,3s").intervals());
        RecoveryOptions r = RecoveryOptions.parse("--messages", "1_000,2000", "--fixed-ranks", "1_024");
        assertEquals(List.of(1000, 2000), r.messages());
        assertEquals(1024, r.fixedRanks());
    }

    @Test
    void shouldTakeAValueAfterAnEqualsSignAndCollectEveryValueOfAListFlagGivenTwice() {
        assertEquals(5, BenchmarkOptions.parse("--trials=5").trials());
        assertEquals(Duration.ofSeconds(90), CheckpointOptions.parse("--duration=90s").duration());
        assertEquals(List.of("1s", "2s", "3s"), CheckpointOptions.parse("--intervals", "1s", "--intervals=2s,3s")
                .intervals());
        assertEquals(List.of(64, 128), StartupOptions.parse(Path.of("."), "--ranks", "64", "--ranks", "128").ranks());
    }

    /** A driver's flags whose converter refuses a value without naming the flag, as a JDK parser would. */
    @Command(name = "fixture")
    static final class Sizes {
        @Option(names = "--size", converter = BareRefusal.class)
        String size;
        @Option(names = "--when", converter = NamedRefusal.class)
        String when;
    }

    static final class BareRefusal implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            throw new IllegalArgumentException("not a size: '" + v + "'");
        }
    }

    static final class NamedRefusal implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            throw new IllegalArgumentException("--when needs a time, got '" + v + "'");
        }
    }

    @Test
    void shouldNameTheFlagWhenAConverterRefusesItsValueWithoutNamingIt() {
        assertEquals("--size: not a size: 'big'", error(() -> DriverCommandLine.parse(new Sizes(), "--size", "big")));
        assertEquals("--when needs a time, got 'x'", error(() -> DriverCommandLine.parse(new Sizes(), "--when", "x")));
    }
}
