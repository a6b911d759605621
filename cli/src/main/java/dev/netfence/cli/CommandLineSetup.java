package dev.netfence.cli;

import dev.netfence.crds.manifest.ManifestException;
import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How every command reports errors: bad input (options, manifests, unknown pods) is one message on
 * stderr and exit 2; anything else is a bug and keeps its stack trace (exit 1).
 */
@ApplicationScoped
public class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return configure(factory.create());
    }

    /** The settings every netfence command line uses (also for tests that run commands without Quarkus). */
    public static CommandLine configure(CommandLine commandLine) {
        return commandLine
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(CommandLineSetup::badOptions)
                .setExecutionExceptionHandler(CommandLineSetup::failed);
    }

    private static int badOptions(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage());
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof ManifestException || e instanceof UserInputException) {
            PrintWriter err = cmd.getErr();
            String message = e.getMessage();
            if (e instanceof ManifestException me && me.problems().size() > 1) {
                message = me.problems().size() + " problems in the manifests:\n" + message;
            }
            err.println("error: " + message);
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        throw e;
    }
}
