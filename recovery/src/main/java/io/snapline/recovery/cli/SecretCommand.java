package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.cluster.ClusterSecret;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code snapline secret FILE}: writes a new cluster secret (32 random bytes, readable by the user only), the file
 * every agent and client of a cluster is given with {@code --secret-file}. Never replaces an existing file.
 */
@Command(name = "secret", mixinStandardHelpOptions = true,
    description = {"Writes a new cluster secret to FILE, readable by you only: 32 random bytes in hexadecimal. Every"
        + " agent and client of a cluster needs the same secret (--secret-file): it seals what the cluster stores and"
        + " signs every command. An existing FILE is never replaced.",
        "Exit status: 0 on success, 2 for a bad command line or when FILE cannot be written."})
public final class SecretCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "where to write the secret (must not exist)")
    private Path file;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            ClusterSecret.generate(file);
        } catch (FileAlreadyExistsException e) {
            throw new RecoveryException(file + " exists; a secret is never replaced (to change a cluster's secret,"
                    + " delete the file first, then give the new one to every agent and client)");
        } catch (IOException e) {
            throw new RecoveryException("cannot write " + file + ": " + e, e);
        }
        spec.commandLine().getOut().println("wrote a new cluster secret to " + file + " (readable by you only); give"
                + " it to every agent and client of the cluster with --secret-file");
        return 0;
    }
}
