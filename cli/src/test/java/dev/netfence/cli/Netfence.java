package dev.netfence.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a netfence command in-process, without starting Quarkus, with the production error handling. */
final class Netfence {

    record Result(int exitCode, String out, String err) {
    }

    private Netfence() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = CommandLineSetup.configure(new CommandLine(new NetfenceCommand()));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
