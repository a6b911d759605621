package dev.netfence.cli.explain;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.common.Endpoints;
import dev.netfence.cli.common.FlowOptions;
import dev.netfence.cli.common.ManifestOptions;
import dev.netfence.cli.common.OutputOption;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code netfence explain}: is one flow allowed, and why. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explain why one connection is allowed or denied.",
                "Says which side isolates it and by which policies, which rule allows it,",
                "or, when it is denied, what each rule is missing and a rule that would allow it."})
public class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ManifestOptions manifests;

    @Option(names = "--from", required = true, paramLabel = "NS/POD|IP", description = "The source: a pod, or an IP address.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "NS/POD|IP",
            description = "The destination: a pod, or an IP address (a pod's, a node's or one outside the cluster).")
    String to;

    @Mixin
    FlowOptions flow;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        flow.check(spec.commandLine());
        ClusterSnapshot snapshot = manifests.load(spec.commandLine().getErr()).snapshot();
        Endpoint[] ends = endpoints(snapshot);
        Explanation explanation = new FlowExplainer(snapshot).explain(new Flow(ends[0], ends[1], flow.protocol(), flow.port()));
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            out.println(ExplanationJson.render(explanation));
        } else {
            out.print(ExplanationText.render(explanation));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Source and destination, over the address family they share. */
    private Endpoint[] endpoints(ClusterSnapshot snapshot) {
        boolean fromIp = Endpoints.isAddress(from);
        boolean toIp = Endpoints.isAddress(to);
        if (fromIp && toIp) {
            return new Endpoint[] {Endpoints.address(snapshot, IpAddress.parse(from)), Endpoints.address(snapshot, IpAddress.parse(to))};
        }
        if (fromIp) {
            IpAddress ip = IpAddress.parse(from);
            return new Endpoint[] {Endpoints.address(snapshot, ip), Endpoints.podFacing(Endpoints.pod(snapshot, "--to", to), ip)};
        }
        if (toIp) {
            IpAddress ip = IpAddress.parse(to);
            return new Endpoint[] {Endpoints.podFacing(Endpoints.pod(snapshot, "--from", from), ip), Endpoints.address(snapshot, ip)};
        }
        Pod source = Endpoints.pod(snapshot, "--from", from);
        Pod destination = Endpoints.pod(snapshot, "--to", to);
        return Endpoints.requireBetween(source, destination);
    }
}
