package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The main class of {@code bin/snapline}. Exit status: 0 on success, 2 for a bad command line or bad input (a
 * history that cannot be read or does not validate), with the reason on standard error.
 */
@Command(name = "snapline", mixinStandardHelpOptions = true, version = "snapline 0.1.0",
    description = "Snapline tools.", subcommands = {RecoveryLineCommand.class, SecretCommand.class, AgentCommand.class,
        StatusCommand.class, CancelCommand.class, SimulateCommand.class})
public final class SnaplineCli implements Runnable {
    /** Exit status for bad command lines and bad input. */
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'snapline recovery-line --help'");
    }

    /** A command line set up as {@code bin/snapline} runs it: bad input ends with status 2 and a one-line reason. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new SnaplineCli());
        commandLine.addSubcommand("bench", benchEntry());
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof RecoveryException) {
                cmd.getErr().println("snapline " + cmd.getCommandName() + ": " + e.getMessage());
                cmd.getErr().flush();
                return BAD_INPUT;
            }
            throw e;
        });
        return commandLine;
    }

    /**
     * {@code bench} as the help lists it. The command itself lives in the benchmarks module, which depends on this
     * one; {@code bin/snapline bench} starts it there ({@code io.snapline.benchmarks.bench.BenchCommand}). Reached
     * here only when this class is run directly, where it says so.
     */
    private static CommandLine.Model.CommandSpec benchEntry() {
        CommandLine.Model.CommandSpec bench = CommandLine.Model.CommandSpec.wrapWithoutInspection((Runnable) () -> {
            throw new RecoveryException("bench runs from the benchmarks module: start it with bin/snapline bench "
                    + "(see bin/snapline bench --help)");
        });
        bench.usageMessage().description("Compares the checkpoint policies on real jobs: runs a matrix of programs, "
                + "policies, options, rank counts, devices and injected failures, repeated and interleaved, and "
                + "writes a report (Markdown, CSV, SVG plots). bin/snapline bench --quick runs a small one.");
        bench.parser().unmatchedArgumentsAllowed(true);
        return bench;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
