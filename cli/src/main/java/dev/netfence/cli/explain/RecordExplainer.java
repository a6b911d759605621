package dev.netfence.cli.explain;

import dev.netfence.cli.UserInputException;
import dev.netfence.cli.common.Endpoints;
import dev.netfence.cli.flows.FlowsClient;
import dev.netfence.enforcer.flow.FlowRecord;
import dev.netfence.enforcer.flow.FlowText;
import dev.netfence.policy.eval.AuditEvaluation;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.RuleMatch;
import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.eval.Verdict;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * {@code explain --from-flow}: a flow record explained from the current policies, with the same
 * engine and words as {@code explain --from --to} ({@link ExplainCommand#render}: the enforced and
 * the audit verdict, the deciding policies), preceded by whether the record agrees. The flow is the
 * record's: protocol, destination port, and both ends, a pod by {@code namespace/name} when the
 * record names one the manifests have (at its address of the record's family), else by address (a
 * pod, a node or an address outside the cluster, as {@code explain} resolves addresses). The record
 * agrees when the current policies give the same verdict, decided on the same side by the same
 * policies; else the policies (or the pods) changed since the enforcer logged it, or the manifests
 * are not what the node enforced.
 */
final class RecordExplainer {
    private final ClusterSnapshot snapshot;
    private final AuditEvaluation evaluation;

    RecordExplainer(ClusterSnapshot snapshot) {
        this.snapshot = snapshot;
        this.evaluation = new AuditEvaluation(snapshot);
    }

    /** What {@link #explain} found for one record. */
    record Result(String text, String json, boolean agrees) {
    }

    Result explain(FlowRecordInput.Located located) {
        FlowRecord r = located.record();
        List<String> notes = new ArrayList<>();
        boolean v6 = (r.sourceAddress() != null && IpAddress.parse(r.sourceAddress()).v6())
                || (r.destinationAddress() != null && IpAddress.parse(r.destinationAddress()).v6());
        Endpoint source = endpoint(r.source(), r.sourceAddress(), v6, "source", located.where(), notes);
        Endpoint destination = endpoint(r.destination(), r.destinationAddress(), v6, "destination", located.where(), notes);
        Flow flow = new Flow(source, destination, Protocol.valueOf(r.protocol()), r.port());
        AuditEvaluation.Result now = evaluation.evaluate(flow);
        String difference = difference(r, now);
        String explanation = ExplainCommand.render(snapshot, flow, false);

        StringBuilder text = new StringBuilder("Flow record").append(r.seq() > 0 ? " " + r.seq() : "")
                .append(r.node().isEmpty() ? "" : " of node " + r.node()).append(": ").append(line(r)).append('\n');
        notes.forEach(n -> text.append("note: ").append(n).append('\n'));
        if (r.verdict() == null) {
            text.append("The record has no verdict: explained from the current policies only.\n");
        } else if (difference == null) {
            text.append("The current policies decide the same: ").append(r.verdict())
                    .append(r.direction() == null ? "" : " at the " + side(r) + ", by " + String.join(", ", r.policies()))
                    .append(".\n");
        } else {
            text.append("The record DIFFERS from the current policies: ").append(difference)
                    .append(". The policies or the pods changed since the enforcer logged it (or these manifests are not"
                            + " what the node enforced then).\n");
        }
        text.append('\n').append(explanation);
        String json = "{\"record\": " + FlowsClient.jsonLine(r) + ", \"recordVerdict\": " + quote(r.verdict())
                + ", \"currentVerdict\": " + quote(now.label()) + ", \"agrees\": " + (difference == null)
                + ", \"difference\": " + quote(difference) + ", \"notes\": [" + String.join(", ", notes.stream()
                .map(RecordExplainer::quote).toList()) + "], \"explanation\": "
                + ExplainCommand.render(snapshot, flow, true).strip() + "}";
        return new Result(text.toString(), json, difference == null);
    }

    /** Null when the record's verdict, side and deciding policies are what the current policies decide. */
    private static String difference(FlowRecord r, AuditEvaluation.Result now) {
        if (r.verdict() == null) {
            return null;
        }
        if (!r.verdict().equals(now.label())) {
            return "the record says " + r.verdict() + (r.policies().isEmpty() ? "" : " (" + side(r) + ", "
                    + String.join(", ", r.policies()) + ")") + ", the current policies decide " + now.label();
        }
        if (r.direction() == null) {
            return null;
        }
        boolean egress = r.direction().equals("Egress");
        List<String> current;
        switch (r.verdict()) {
            case "denied" -> current = denying(egress ? now.enforced().egress() : now.enforced().ingress());
            case "would-deny" -> current = denying(egress ? now.audit().egress() : now.audit().ingress());
            default -> {
                SideVerdict sv = egress ? now.enforced().egress() : now.enforced().ingress();
                boolean named = sv.allowedBy().stream().anyMatch(m -> r.policies().contains(m.policy().toString())
                        && (r.rule() == null || r.rule().equals(m.fieldPath())));
                if (named || (r.policies().isEmpty() && !sv.isolated())) {
                    return null;
                }
                return "the record says allowed at the " + side(r) + " by " + String.join(", ", r.policies())
                        + (r.rule() == null ? "" : " " + r.rule()) + ", the current policies allow it there "
                        + (sv.allowedBy().isEmpty() ? "without any policy rule (the pod is not isolated)"
                        : "by " + String.join(", ", sv.allowedBy().stream().map(RuleMatch::describe).toList()));
            }
        }
        if (current == null) {
            return "the record says " + r.verdict() + " at the " + side(r) + ", the current policies decide " + now.label()
                    + " on the other side";
        }
        if (!new HashSet<>(current).equals(new HashSet<>(r.policies()))) {
            return "the record names " + String.join(", ", r.policies()) + " at the " + side(r)
                    + ", the current policies there are " + String.join(", ", current);
        }
        return null;
    }

    /** The policies isolating a side that denies, null when it allows. */
    private static List<String> denying(SideVerdict sv) {
        return sv.allowed() ? null : sv.isolatedBy().stream().map(ObjectRef::toString).toList();
    }

    private static String side(FlowRecord r) {
        return "Egress".equals(r.direction()) ? "source's egress" : "destination's ingress";
    }

    /**
     * A pod by {@code namespace/name} when the manifests have it (at its address of the flow's family), else the
     * address as {@code explain} resolves one.
     */
    private Endpoint endpoint(String named, String address, boolean v6, String field, String where, List<String> notes) {
        if (named != null && !IpAddress.isValid(named)) {
            int slash = named.indexOf('/');
            Optional<Pod> pod = snapshot.pod(named.substring(0, slash), named.substring(slash + 1));
            if (pod.isPresent() && pod.get().ips().stream().anyMatch(ip -> ip.v6() == v6)) {
                Endpoint e = Endpoint.of(pod.get(), v6);
                if (address != null && !pod.get().ips().contains(IpAddress.parse(address))) {
                    notes.add("the record's " + field + " " + named + " had address " + address + "; the manifests give it "
                            + e.ip() + " (the pod was replaced since?): explained with the pod");
                }
                return e;
            }
            if (address == null) {
                throw new UserInputException(where + ": field " + field + ": the manifests have no pod " + named
                        + (pod.isPresent() ? " with an IPv" + (v6 ? "6" : "4") + " address" : "")
                        + ", and the record has no " + field + "Address to judge it by");
            }
            notes.add("the manifests have no pod " + named + (pod.isPresent() ? " with an IPv" + (v6 ? "6" : "4") + " address" : "")
                    + ": the " + field + " is judged by the record's address " + address);
        }
        return Endpoints.address(snapshot, IpAddress.parse(address != null ? address : named));
    }

    private static String line(FlowRecord r) {
        if (r.time() != null && !r.time().isEmpty() && r.node() != null && r.verdict() != null && r.direction() != null) {
            return FlowText.line(r);
        }
        return (r.verdict() == null ? "" : r.verdict().toUpperCase(java.util.Locale.ROOT) + " ") + r.protocol() + " "
                + r.source() + " -> " + r.destination() + ":" + r.port();
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return new com.fasterxml.jackson.databind.node.TextNode(s).toString();
    }
}
