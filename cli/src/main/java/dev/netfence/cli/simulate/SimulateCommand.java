package dev.netfence.cli.simulate;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.common.ClusterInput;
import dev.netfence.cli.common.InputOptions;
import dev.netfence.cli.common.OutputOption;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code netfence simulate}: the reachability matrix of every pod with an IP, one per port asked for. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Print who can reach whom on a port, between all pods that have an IP: one matrix per port.",
                "Rows are sources, columns destinations: '.' allowed, 'X' denied. A workload (Deployment, StatefulSet, "
                        + "DaemonSet, ReplicaSet, Job, CronJob) is one pod named KIND/NAME; its cell to itself is the flow "
                        + "between two of its replicas when it runs several.",
                "Reads manifests (-f) or a live cluster (--kubeconfig, --context)."})
public class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Option(names = "--port", required = true, paramLabel = "PORTS",
            description = "Destination ports, comma separated, each optionally with its protocol: 80,443,53/UDP. Repeatable.")
    List<String> ports;

    @Option(names = "--protocol", defaultValue = "TCP", paramLabel = "PROTOCOL",
            description = "The protocol of the ports written without one: TCP, UDP or SCTP (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        PortList portList;
        try {
            portList = PortList.parse(ports, protocol);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        ClusterInput loaded = input.load(err);
        ClusterSnapshot snapshot = loaded.snapshot();
        List<Pod> shown = loaded.podsWithIps();
        for (Pod p : snapshot.pods()) {
            if (p.ips().isEmpty()) {
                err.println("note: pod " + p.key() + " has no IP (status.podIP): left out of the matrix");
            }
        }
        boolean v4Only = shown.stream().anyMatch(p -> p.ips().stream().noneMatch(ip -> ip.v6()));
        boolean v6Only = shown.stream().anyMatch(p -> p.ips().stream().allMatch(ip -> ip.v6()));
        if (v4Only && v6Only) {
            err.println("note: IPv4-only and IPv6-only pods share no address family and cannot connect: shown as X");
        }
        if (shown.isEmpty()) {
            err.println("note: no pod in the input has an IP (status.podIP) and no workload stands for one: the matrix is empty");
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        List<ReachabilityMatrix> matrices = portList.ports().stream()
                .map(p -> ReachabilityMatrix.compute(loaded, p.protocol(), p.number())).toList();
        if (matrices.size() == 1) {
            out.print(output.json() ? MatrixJson.render(matrices.get(0)) + "\n" : MatrixText.render(matrices.get(0)));
        } else if (output.json()) {
            out.println(matrices.stream().map(MatrixJson::render).collect(Collectors.joining(", ", "[", "]")));
        } else {
            // one matrix per port, each under its port, a blank line apart
            out.print(matrices.stream().map(m -> m.protocol() + "/" + m.port() + ":\n" + MatrixText.render(m))
                    .collect(Collectors.joining("\n")));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
