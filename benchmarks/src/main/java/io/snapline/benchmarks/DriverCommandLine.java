package io.snapline.benchmarks;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reads a benchmark driver's command line with picocli into the {@code @Option} fields of an object, and says what is
 * wrong in the drivers' words: {@code --out needs a value}, {@code unknown option '--bogus'},
 * {@code --trials needs an integer, got 'zero'}. A flag given twice keeps its last value, as before picocli; a
 * multi-value flag ({@code split = ","}) collects every value given.
 */
public final class DriverCommandLine {
    private DriverCommandLine() {
    }

    /** A value a converter refuses, said without the flag (e.g. "needs an integer, got 'x'"); the flag is put first. */
    public static final class BadValue extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BadValue(String message) {
            super(message);
        }
    }

    /**
     * Sets the {@code @Option} fields of {@code flags} from {@code args} and returns it. {@code -h}/{@code --help}
     * is only accepted alone, which the drivers answer before parsing.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static <T> T parse(T flags, String... args) {
        CommandLine cl = new CommandLine(flags);
        cl.getCommandSpec().addOption(OptionSpec.builder("-h", "--help").usageHelp(true).build());
        cl.setPosixClusteredShortOptionsAllowed(false)
                .setAbbreviatedOptionsAllowed(false)
                .setExpandAtFiles(false)
                .setTrimQuotes(false)
                .setSplitQuotedStrings(false)
                .setOverwrittenOptionsAllowed(true)
                .setUnmatchedArgumentsAllowed(false);
        ParseResult r;
        try {
            r = cl.parseArgs(args);
        } catch (ParameterException e) {
            throw refusal(e);
        }
        if (r.isUsageHelpRequested()) {
            throw new IllegalArgumentException("-h/--help goes alone");
        }
        return flags;
    }

    private static IllegalArgumentException refusal(ParameterException e) {
        String flag = e.getArgSpec() instanceof OptionSpec o ? o.longestName() : null;
        if (e.getCause() instanceof BadValue b && flag != null) {
            return new IllegalArgumentException(flag + " " + b.getMessage());
        }
        if (e.getCause() instanceof IllegalArgumentException i) { // a converter's (or the JDK's) own refusal
            return flag == null || String.valueOf(i.getMessage()).startsWith(flag + " ") ? i
                    : new IllegalArgumentException(flag + ": " + i.getMessage(), i);
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().get(0) instanceof OptionSpec o) {
            return new IllegalArgumentException(o.longestName() + " needs a value");
        }
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            return new IllegalArgumentException("unknown option '" + u.getUnmatched().get(0) + "'");
        }
        return new IllegalArgumentException(e.getMessage());
    }

    /** An {@code int}: "needs an integer, got 'x'". */
    public static final class IntValue implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new BadValue("needs an integer, got '" + v + "'");
            }
        }
    }

    /** An {@code int} that may be written with underscores, {@code 1_000_000}. */
    public static final class GroupedIntValue implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                return Integer.parseInt(v.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new BadValue("needs an integer, got '" + v + "'");
            }
        }
    }

    /** A {@code long}: "needs an integer, got 'x'". */
    public static final class LongValue implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new BadValue("needs an integer, got '" + v + "'");
            }
        }
    }

    /** A {@code double}: "needs a number, got 'x'". */
    public static final class DoubleValue implements ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new BadValue("needs a number, got '" + v + "'");
            }
        }
    }

    /** Words separated by white space, as {@code --jvm-opts " -Xmx2g  -XX:+UseSerialGC "} gives them. */
    public static List<String> words(String v) {
        return List.of(v.trim().split("\\s+"));
    }
}
