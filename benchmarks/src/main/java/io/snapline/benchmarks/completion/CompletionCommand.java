package io.snapline.benchmarks.completion;

import io.snapline.benchmarks.bench.BenchCommand;
import io.snapline.recovery.cli.SnaplineCli;
import io.snapline.runtime.launch.LaunchOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code snapline completion}: prints the bash completion scripts picocli generates ({@link AutoComplete}) for
 * {@code snapline}, its subcommands and {@code snapline bench}, and for {@code snaprun} with the options of every
 * installed policy. It runs from this module because only here are the recovery tools, the bench, the launcher and
 * the policies all on the class path; {@code bin/snapline completion} starts it here.
 */
@Command(name = "snapline completion", mixinStandardHelpOptions = true,
    versionProvider = CompletionCommand.ProjectVersion.class,
    description = {"Prints bash completion scripts for snapline and snaprun (zsh reads them too after "
        + "'autoload -U +X bashcompinit && bashcompinit').",
        "Load them in the current shell with: source <(bin/snapline completion)"})
public final class CompletionCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "snapline or snaprun (default: both)")
    String command;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        if (command != null && !command.equals("snapline") && !command.equals("snaprun")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "completion is for snapline or snaprun, got '"
                    + command + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (command == null || command.equals("snapline")) {
            out.print(AutoComplete.bash("snapline", snapline()));
        }
        if (command == null || command.equals("snaprun")) {
            out.print(AutoComplete.bash("snaprun", new CommandLine(snaprun())));
        }
        out.flush();
        return 0;
    }

    /**
     * {@code snaprun}'s flags as a picocli command, only for completion: {@code snaprun} reads its command line itself
     * ({@link LaunchOptions}), and says here which flags it has and the values some of them take.
     */
    static CommandSpec snaprun() {
        CommandSpec spec = CommandSpec.create().name("snaprun");
        for (LaunchOptions.CompletionFlag f : LaunchOptions.completionFlags()) {
            OptionSpec.Builder b = OptionSpec.builder(f.names().toArray(new String[0]));
            if (f.takesValue()) {
                b.type(String.class).arity("1").paramLabel(f.names().get(0));
                if (!f.candidates().isEmpty()) {
                    b.completionCandidates(f.candidates());
                }
            } else {
                b.type(boolean.class).arity("0");
            }
            spec.addOption(b.build());
        }
        spec.addPositional(PositionalParamSpec.builder().paramLabel("MainClass [args...]").type(String[].class)
                .arity("0..*").build());
        return spec;
    }

    /** {@code snapline} as {@code bin/snapline} offers it: the recovery tools, {@code bench} and {@code completion}. */
    static CommandLine snapline() {
        CommandLine snapline = new CommandLine(new SnaplineCli());
        snapline.addSubcommand("bench", new CommandLine(new BenchCommand()));
        snapline.addSubcommand("completion", new CommandLine(new CompletionCommand()));
        return snapline;
    }

    /** "snapline completion" and the version of the build it runs from, read from the jar as snaprun reads its own. */
    static final class ProjectVersion implements CommandLine.IVersionProvider {
        private static final String POM_PROPERTIES = "/META-INF/maven/io.snapline/snapline-benchmarks/pom.properties";

        @Override
        public String[] getVersion() throws IOException {
            String v = "(development build)";
            try (InputStream in = CompletionCommand.class.getResourceAsStream(POM_PROPERTIES)) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    v = p.getProperty("version", v);
                }
            }
            return new String[] {"snapline completion " + v};
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CompletionCommand()).execute(args));
    }
}
