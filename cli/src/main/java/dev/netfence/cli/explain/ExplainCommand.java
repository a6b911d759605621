package dev.netfence.cli.explain;

import dev.netfence.cli.ExitCodes;
import dev.netfence.cli.common.Endpoints;
import dev.netfence.cli.common.FlowOptions;
import dev.netfence.cli.common.ClusterInput;
import dev.netfence.cli.common.InputOptions;
import dev.netfence.cli.common.OutputOption;
import dev.netfence.crds.manifest.Manifests;
import dev.netfence.crds.manifest.ServiceModel;
import dev.netfence.policy.eval.AuditEvaluation;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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
                "or, when it is denied, what each rule is missing and a rule that would allow it.",
                "Reads manifests (-f) or a live cluster (--kubeconfig, --context)."})
public class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InputOptions input;

    @Option(names = "--from", paramLabel = "NS/POD|IP",
            description = "The source: a pod (a workload's pod: NS/KIND/NAME, e.g. shop/deploy/web), or an IP address.")
    String from;

    @Option(names = "--to", paramLabel = "NS/POD|IP|svc/NS/NAME",
            description = "The destination: a pod, an IP address (a pod's, a node's or one outside the cluster), or a "
                    + "Service (svc/NS/NAME, --port its port): then the flow to each of its endpoints after DNAT.")
    String to;

    @Mixin
    FlowOptions flow;

    @Option(names = "--from-flow", paramLabel = "FILE|-|JSON",
            description = {"Explain flow records instead of --from/--to/--port: lines of `netfence flows -o json` or of the "
                    + "enforcer's log (one JSON record each), or a GET /flows answer; a file, - for standard input, or one "
                    + "record's JSON. Says whether the current policies decide what the record says."})
    String fromFlow;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        if (fromFlow != null) {
            return explainRecords();
        }
        if (from == null || to == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required options: "
                    + (from == null ? "'--from=NS/POD|IP'" : "") + (from == null && to == null ? ", " : "")
                    + (to == null ? "'--to=NS/POD|IP|svc/NS/NAME'" : "") + " (or --from-flow FILE to explain a flow record)");
        }
        flow.check(spec.commandLine());
        ClusterInput cluster = input.load(spec.commandLine().getErr());
        Manifests loaded = cluster.manifests();
        ClusterSnapshot snapshot = cluster.snapshot();
        if (to.startsWith("svc/")) {
            return explainService(cluster, ServiceTargets.service(loaded, to));
        }
        if (Endpoints.isAddress(to)) {
            // a ClusterIP is never what NetworkPolicy sees: explain the flows to the endpoints instead
            IpAddress ip = IpAddress.parse(to);
            java.util.Optional<ServiceModel> service = loaded.objects().stream().flatMap(o -> o.model(ServiceModel.class).stream())
                    .filter(svc -> svc.clusterIps().contains(ip)).findFirst();
            if (service.isPresent()) {
                spec.commandLine().getErr().println("note: " + to + " is the ClusterIP of Service " + service.get().key()
                        + ": NetworkPolicy sees a flow to it after kube-proxy's DNAT, addressed to an endpoint "
                        + "(the same as --to svc/" + service.get().key() + ")");
                spec.commandLine().getErr().flush();
                return explainService(cluster, service.get());
            }
        }
        Endpoint[] ends = endpoints(cluster);
        PrintWriter out = spec.commandLine().getOut();
        out.print(render(snapshot, new Flow(ends[0], ends[1], flow.protocol(), flow.port()), output.json()));
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code --from-flow}: each record explained from the current policies, and whether it agrees with them. */
    private int explainRecords() {
        picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        List<String> conflicting = java.util.stream.Stream.of("--from", "--to", "--port", "--protocol")
                .filter(parsed::hasMatchedOption).toList();
        if (!conflicting.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--from-flow explains the record's own flow"
                    + " (its source, destination, protocol and port): drop " + String.join(", ", conflicting));
        }
        List<FlowRecordInput.Located> records = FlowRecordInput.read(fromFlow, System.in);
        ClusterInput cluster = input.load(spec.commandLine().getErr());
        RecordExplainer explainer = new RecordExplainer(cluster.snapshot());
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < records.size(); i++) {
            RecordExplainer.Result r = explainer.explain(records.get(i));
            if (output.json()) {
                out.println(r.json());
            } else {
                out.print((i == 0 ? "" : "\n") + (records.size() > 1 ? "[" + (i + 1) + "/" + records.size() + "] " : "") + r.text());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * The explanation of the enforced verdict; when some policy is audited, followed by the audit
     * verdict (audited policies as if they enforced) and its explanation, and in JSON both under
     * {@code enforced} and {@code audit} with the flow log's verdict word.
     */
    static String render(ClusterSnapshot snapshot, Flow flow, boolean json) {
        AuditEvaluation evaluation = new AuditEvaluation(snapshot);
        Explanation enforced = new FlowExplainer(snapshot, evaluation.enforcedEngine()).explain(flow);
        if (!evaluation.anyAudited()) {
            return json ? ExplanationJson.render(enforced) + "\n" : ExplanationText.render(enforced);
        }
        AuditEvaluation.Result result = evaluation.evaluate(flow);
        Explanation audit = new FlowExplainer(snapshot, evaluation.auditEngine()).explain(flow);
        if (json) {
            return "{\"verdict\": \"" + result.label() + "\", \"enforced\": " + ExplanationJson.render(enforced)
                    + ", \"audit\": " + ExplanationJson.render(audit) + "}\n";
        }
        String word = result.wouldDeny() ? "WOULD-DENY: allowed now, denied once the audited policies enforce"
                : result.wouldAllow() ? "WOULD-ALLOW: denied now, allowed once the audited policies enforce"
                : "the same verdict once the audited policies enforce";
        return ExplanationText.render(enforced) + "\nAudit verdict (policies in audit mode counted as if they enforced): "
                + word + "\n" + ExplanationText.render(audit).indent(2);
    }

    /**
     * {@code --to svc/NS/NAME}: NetworkPolicy judges the flow after kube-proxy's DNAT, so the flow to
     * each endpoint, on its target port, is explained on its own.
     */
    private int explainService(ClusterInput cluster, ServiceModel service) {
        ClusterSnapshot snapshot = cluster.snapshot();
        ServiceModel.Port port = ServiceTargets.port(service, flow.protocol(), flow.port());
        List<ServiceTargets.Target> targets = ServiceTargets.resolve(cluster, service, port);
        PrintWriter out = spec.commandLine().getOut();
        List<String> json = new ArrayList<>();
        StringBuilder text = new StringBuilder("Service ").append(service.key()).append(" port ").append(port.protocol())
                .append('/').append(port.port());
        if (targets.isEmpty()) {
            text.append(" has no endpoints in the manifests (no ready EndpointSlice address, no selected pod with an IP and ")
                    .append("the target port): nothing receives a flow to it\n");
        } else {
            text.append(": kube-proxy rewrites the destination to ")
                    .append(targets.size() == 1 ? "its one endpoint" : "one of its " + targets.size() + " endpoints")
                    .append(" before NetworkPolicy sees the packet, so each is judged on its own:\n");
            targets.forEach(t -> text.append("  ").append(t.endpoint().describe()).append(" port ").append(t.port())
                    .append(" (").append(t.source()).append(")\n"));
        }
        int i = 1;
        for (ServiceTargets.Target t : targets) {
            Endpoint source = Endpoints.isAddress(from) ? Endpoints.address(snapshot, IpAddress.parse(from))
                    : sourceFacing(Endpoints.pod(snapshot, "--from", from), t.endpoint());
            Explanation e = new FlowExplainer(snapshot).explain(new Flow(source, t.endpoint(), flow.protocol(), t.port()));
            json.add(ExplanationJson.render(e));
            text.append("\nEndpoint ").append(i++).append('/').append(targets.size()).append(":\n").append(ExplanationText.render(e));
        }
        if (output.json()) {
            out.println("{\"service\": \"" + service.key() + "\", \"port\": " + port.port() + ", \"protocol\": \""
                    + port.protocol() + "\", \"endpoints\": [" + String.join(", ", json) + "]}");
        } else {
            out.print(text);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static Endpoint sourceFacing(Pod pod, Endpoint destination) {
        return Endpoints.podFacing(pod, destination.ip());
    }

    /** Source and destination, over the address family they share. */
    private Endpoint[] endpoints(ClusterInput cluster) {
        ClusterSnapshot snapshot = cluster.snapshot();
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
        java.util.Optional<Pod> other = source.key().equals(destination.key()) ? cluster.secondReplica(source) : java.util.Optional.empty();
        if (other.isPresent()) {
            // a pod's traffic to itself never leaves it; what the user asks about is traffic between replicas
            spec.commandLine().getErr().println("note: " + source.key() + " stands for several replicas: explained is the "
                    + "flow from one to another (" + other.get().key() + ")");
            spec.commandLine().getErr().flush();
            destination = other.get();
        }
        return Endpoints.requireBetween(source, destination);
    }
}
