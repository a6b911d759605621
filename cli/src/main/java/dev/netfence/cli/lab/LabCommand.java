package dev.netfence.cli.lab;

import dev.netfence.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code netfence lab}: a cluster of network namespaces on this machine, built from manifests. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"Build a cluster of network namespaces on this machine and probe it (needs root).",
                "Pods keep their status.podIP and spec.nodeName; Netfence's rules are applied for real in every node."},
        subcommands = {LabProbeCommand.class, LabDownCommand.class})
public class LabCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.BAD_INPUT;
    }
}
