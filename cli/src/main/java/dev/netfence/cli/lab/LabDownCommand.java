package dev.netfence.cli.lab;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.UserInputException;
import dev.netfence.lab.Lab;
import dev.netfence.lab.LabException;
import dev.netfence.lab.LabPlan;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code netfence lab down RUN_ID... | --all}: removes labs left by --keep, a kill or a crash. Without
 * arguments it refuses (it used to remove every lab on the machine, other users' and other runs' too).
 */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Remove the given lab runs, or every lab on this machine with --all.",
                "A lab's network namespaces are named nf-<run>-...; removing them removes their links, routes and rules."})
public class LabDownCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "RUN_ID", description = "Runs to remove.")
    List<String> runIds;

    @Option(names = "--all", description = "Remove every lab run on this machine, and every other network namespace whose "
            + "name starts with nf-.")
    boolean all;

    @Override
    public Integer call() {
        boolean named = runIds != null && !runIds.isEmpty();
        boolean canList = Lab.prerequisitesMissing().isEmpty();
        if (!named && !all) {
            String runs = !canList ? "" : " (labs on this machine: " + (Lab.runs().isEmpty() ? "none"
                    : String.join(", ", Lab.runs())) + ")";
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say which labs to remove: RUN_ID ..." + runs
                    + ", or --all for every one");
        }
        Lab.prerequisitesMissing().ifPresent(reason -> {
            throw new UserInputException(reason);
        });
        PrintWriter out = spec.commandLine().getOut();
        List<String> runs = named ? runIds : Lab.runs();
        int removed = 0;
        try {
            for (String run : runs) {
                List<String> gone = Lab.downAll(LabPlan.runPrefix(run));
                if (gone.isEmpty() && runIds != null && !runIds.isEmpty()) {
                    throw new UserInputException("no lab run " + run + " on this machine; runs: " + Lab.runs());
                }
                out.println("removed lab " + run + " (" + gone.size() + " network namespaces)");
                removed += gone.size();
            }
            if (all) {
                List<String> gone = Lab.downAll(LabPlan.PREFIX);
                gone.forEach(ns -> out.println("removed " + ns));
                removed += gone.size();
            }
        } catch (LabException e) {
            throw new UserInputException(e.getMessage());
        }
        if (removed == 0) {
            out.println("no lab to remove");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
