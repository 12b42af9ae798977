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

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
