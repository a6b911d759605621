package dev.netfence.cli;

import dev.netfence.cli.demo.DemoCommand;
import dev.netfence.cli.explain.ExplainCommand;
import dev.netfence.cli.flows.FlowsCommand;
import dev.netfence.cli.lab.LabCommand;
import dev.netfence.cli.lint.LintCommand;
import dev.netfence.cli.query.QueryTargetCommand;
import dev.netfence.cli.simulate.SimulateCommand;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code netfence} command. Each subcommand is its own class; to add one (lint, lab, demo,
 * compile), write a {@code @Command} class and list it in {@code subcommands} below.
 */
@TopCommand
@Command(name = "netfence", mixinStandardHelpOptions = true, versionProvider = NetfenceVersion.class,
        description = "Kubernetes NetworkPolicy, evaluated and enforced with nftables.",
        subcommands = {SimulateCommand.class, ExplainCommand.class, QueryTargetCommand.class, LintCommand.class, LabCommand.class,
                DemoCommand.class, FlowsCommand.class})
public class NetfenceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.BAD_INPUT;
    }
}
