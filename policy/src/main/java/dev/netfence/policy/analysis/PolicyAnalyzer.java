package dev.netfence.policy.analysis;

import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.validate.ClusterPolicyValidator;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.validate.PolicyValidator;
import dev.netfence.policy.validate.ValidationError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one analysis behind both doors: the admission webhook judges a change against the cluster,
 * {@code netfence lint} judges the objects of a repository against what the files say of the
 * cluster. Critical flows are DNS (unless switched off) plus the {@code CriticalFlow} objects.
 */
public final class PolicyAnalyzer {

    private final AnalysisConfig config;

    public PolicyAnalyzer(AnalysisConfig config) {
        this.config = config;
    }

    /**
     * The built-in DNS flow (unless the analysis' own setting switches it off), then every declared flow.
     * A declared CriticalFlow named {@code dns} is judged in addition to the built-in one (it may add
     * NodeLocal addresses or ports), never instead of it: anyone who may write CriticalFlows could
     * otherwise switch the DNS check off for the webhook and for lint alike.
     */
    public List<CriticalFlow> flows(ClusterSnapshot snapshot, List<CriticalFlow> declared) {
        List<CriticalFlow> flows = new ArrayList<>();
        if (config.checkDns()) {
            flows.add(CriticalFlow.dns(snapshot.dns(), config.dnsUdpCut(), config.dnsTcpCut()));
        }
        flows.addAll(declared);
        return flows;
    }

    /**
     * Findings for an admission request. {@code before} is the cluster as it is (holding the old
     * object on UPDATE/DELETE). Critical-flow findings are reported on the admitted object; the lint
     * rules run on the new object of a CREATE or UPDATE.
     */
    public List<Finding> review(ClusterSnapshot before, Change change, List<CriticalFlow> declared) {
        List<Finding> invalid = new ArrayList<>();
        for (PolicyObject o : change.added()) {
            invalid.addAll(validate(o));
        }
        if (!invalid.isEmpty()) {
            return invalid;
        }
        List<Finding> out = new ArrayList<>();
        List<FlowLoss> losses = CriticalFlowAnalysis.lostFlows(before, change, flows(before, declared));
        out.addAll(CriticalFlowFindings.of(losses, change, loss -> List.of(change.subject())));
        PolicyLint lint = new PolicyLint(before, config);
        for (PolicyObject o : change.added()) {
            if (o instanceof PolicyObject.Policy p) {
                out.addAll(lint.lint(p.policy()));
            } else if (o instanceof PolicyObject.Cluster c) {
                ClusterSnapshot.Builder after = before.toBuilder();
                change.removed().forEach(r -> r.removeFrom(after));
                c.addTo(after);
                out.addAll(new ClusterPolicyLint(after.build()).lint(c.policy()));
            }
        }
        return out;
    }

    /**
     * Findings for manifests: {@code context} holds the namespaces, pods and DNS settings the files
     * describe (and no policies); {@code objects} are the policies and DefaultDenies found. Each
     * namespace is judged as the change "create all of its objects"; a lost flow is reported on
     * every object of that namespace that isolates the pods concerned.
     */
    public List<Finding> lint(ClusterSnapshot context, List<PolicyObject> objects, List<CriticalFlow> declared) {
        List<Finding> out = new ArrayList<>();
        Map<String, List<PolicyObject>> byNamespace = new LinkedHashMap<>();
        for (PolicyObject o : objects) {
            List<Finding> invalid = validate(o);
            if (invalid.isEmpty()) {
                byNamespace.computeIfAbsent(o.namespace(), k -> new ArrayList<>()).add(o);
            }
            out.addAll(invalid);
        }
        ClusterSnapshot.Builder all = context.toBuilder();
        assumeDnsPods(context, all);
        byNamespace.values().forEach(list -> list.forEach(o -> o.addTo(all)));
        ClusterSnapshot full = all.build();
        List<CriticalFlow> flows = flows(full, declared);
        for (List<PolicyObject> nsObjects : byNamespace.values()) {
            ClusterSnapshot.Builder b = full.toBuilder();
            nsObjects.forEach(o -> o.removeFrom(b));
            Change change = new Change(Change.Operation.CREATE, List.of(), nsObjects, nsObjects.get(0));
            List<FlowLoss> losses = CriticalFlowAnalysis.lostFlows(b.build(), change, flows);
            out.addAll(CriticalFlowFindings.of(losses, change, loss -> isolators(loss, nsObjects)));
        }
        PolicyLint lint = new PolicyLint(full, config);
        ClusterPolicyLint clusterLint = new ClusterPolicyLint(full);
        for (List<PolicyObject> nsObjects : byNamespace.values()) {
            for (PolicyObject o : nsObjects) {
                if (o instanceof PolicyObject.Policy p) {
                    out.addAll(lint.lint(p.policy()));
                } else if (o instanceof PolicyObject.Cluster c) {
                    out.addAll(clusterLint.lint(c.policy()));
                }
            }
        }
        out.sort(Comparator.comparing((Finding f) -> f.object().toString()).thenComparing(Finding::fieldPath)
                .thenComparing(Finding::ruleId));
        return out;
    }

    /**
     * Files rarely hold the cluster's DNS pods: when none match, the DNS namespace and a pod that the
     * DNS selector selects, serving the DNS ports, stand in for them.
     */
    private static void assumeDnsPods(ClusterSnapshot context, ClusterSnapshot.Builder b) {
        ClusterDns dns = context.dns();
        if (!context.selectPods(dns.namespace(), dns.podSelector()).isEmpty()) {
            return;
        }
        if (context.namespace(dns.namespace()).isEmpty()) {
            b.namespace(Namespace.of(dns.namespace()));
        }
        List<ContainerPort> ports = dns.ports().stream().map(p -> new ContainerPort(null, p.port(), p.protocol())).toList();
        HypotheticalPod.matching(dns.namespace(), dns.podSelector(), ports).ifPresent(b::pod);
    }

    /**
     * The objects among {@code candidates} that isolate the refusing side of these losses, or the
     * ClusterNetworkPolicy whose rule denied it.
     */
    private static List<PolicyObject> isolators(FlowLoss loss, List<PolicyObject> candidates) {
        SideVerdict side = loss.side() == Direction.EGRESS ? loss.after().egress() : loss.after().ingress();
        Set<ObjectRef> refs = new java.util.HashSet<>(side.isolatedBy());
        if (side.decidingRule() != null) {
            refs.add(side.decidingRule().policy());
        }
        return candidates.stream().filter(o -> refs.contains(o.ref())).toList();
    }

    private static List<Finding> validate(PolicyObject o) {
        List<ValidationError> errors = o instanceof PolicyObject.Policy p ? PolicyValidator.validate(p.policy())
                : o instanceof PolicyObject.Cluster c ? ClusterPolicyValidator.validate(c.policy())
                : PolicyValidator.validate(((PolicyObject.Deny) o).defaultDeny());
        return errors.stream().map(e -> new Finding(Rules.INVALID, Severity.ERROR, e.object(), e.fieldPath(), e.message(),
                null, null)).toList();
    }
}
