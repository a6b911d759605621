package dev.netfence.policy.analysis;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.RuleMatch;
import dev.netfence.policy.eval.SideVerdict;
import dev.netfence.policy.eval.TierMatch;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Pod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns flow losses into {@code critical-flow} findings: one per flow, refusing side and blamed
 * object, naming the pods, the ports, the destinations, why (the isolating policies, or the rule
 * that allowed it before a delete) and the YAML that restores the flow. A cut the blamed object
 * allows through {@code netfence.dev/allow-cut} is reported as a warning.
 */
final class CriticalFlowFindings {

    private static final int LISTED = 5;

    private CriticalFlowFindings() {
    }

    /**
     * @param blame the objects responsible for a loss (the admitted object, or for lint the
     *              isolating objects of the namespace)
     *
     * <p>Each loss is reported once. Losses of one flow, side and ports are reported on the fewest
     * objects that account for them all: first an object excusing the cut (its annotation turns
     * them into a warning), then the object that isolates the most of them (restoring the flow in
     * one object that isolates a pod restores it for that pod: one allowing object is enough).
     */
    static List<Finding> of(List<FlowLoss> losses, Change change, Function<FlowLoss, List<PolicyObject>> blame) {
        record Key(String flow, Direction side, List<CriticalPort> ports) {
        }
        Map<Key, List<FlowLoss>> groups = new LinkedHashMap<>();
        for (FlowLoss l : losses) {
            groups.computeIfAbsent(new Key(l.flow().name(), l.side(), l.ports()), k -> new ArrayList<>()).add(l);
        }
        List<Finding> out = new ArrayList<>();
        for (List<FlowLoss> group : groups.values()) {
            List<FlowLoss> remaining = new ArrayList<>(group);
            while (!remaining.isEmpty()) {
                Map<ObjectRef, PolicyObject> candidates = new LinkedHashMap<>();
                Map<ObjectRef, List<FlowLoss>> covers = new LinkedHashMap<>();
                for (FlowLoss l : remaining) {
                    for (PolicyObject o : blame.apply(l)) {
                        candidates.putIfAbsent(o.ref(), o);
                        covers.computeIfAbsent(o.ref(), k -> new ArrayList<>()).add(l);
                    }
                }
                if (candidates.isEmpty()) {
                    break;   // nothing of the change isolates these pods (cannot happen for a loss the change caused)
                }
                CriticalFlow flow = remaining.get(0).flow();
                PolicyObject chosen = candidates.values().stream().min(java.util.Comparator
                        .comparing((PolicyObject o) -> !allowsCut(o, flow))
                        .thenComparing(o -> -covers.get(o.ref()).size())
                        .thenComparing(o -> o instanceof PolicyObject.Policy)
                        .thenComparing(o -> o.ref().toString())).orElseThrow();
                List<FlowLoss> covered = covers.get(chosen.ref());
                out.add(finding(covered, change, chosen, allowsCut(chosen, flow)));
                // by identity: removeAll compared each pair with FlowLoss.equals, which walks both verdicts
                // (a sixth of this method's CPU); covered holds elements of remaining, so the same ones go
                Set<FlowLoss> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                done.addAll(covered);
                remaining.removeIf(done::contains);
            }
        }
        return out;
    }

    private static boolean allowsCut(PolicyObject o, CriticalFlow flow) {
        Set<String> cuts = o.allowedCuts();
        return cuts.contains(flow.name().toLowerCase(java.util.Locale.ROOT)) || cuts.contains("*");
    }

    private static Finding finding(List<FlowLoss> group, Change change, PolicyObject blamed, boolean excused) {
        FlowLoss first = group.get(0);
        CriticalFlow flow = first.flow();
        Direction side = first.side();
        Set<CriticalPort> ports = new LinkedHashSet<>();
        Set<String> pods = new TreeSet<>();
        Set<String> destinations = new TreeSet<>();
        // ordered by their text once at the end (a TreeSet by toString built two strings per comparison)
        Set<ObjectRef> isolators = new java.util.HashSet<>();
        Set<String> allowedBefore = new LinkedHashSet<>();
        Set<String> tierDenials = new LinkedHashSet<>();
        String denyingRulePath = null;
        Severity severity = Severity.WARNING;
        for (FlowLoss l : group) {
            flow.ports().stream().filter(l.ports()::contains).forEach(ports::add);
            l.sources().forEach(p -> pods.add(HypotheticalPod.describe(p)));
            destinations.add(describe(l.destination()));
            SideVerdict after = side == Direction.EGRESS ? l.after().egress() : l.after().ingress();
            isolators.addAll(after.isolatedBy());
            TierMatch denial = after.decidingRule();
            if (denial != null && !after.allowed()) {
                tierDenials.add(denial.describe());
                if (denial.policy().equals(blamed.ref()) && denyingRulePath == null) {
                    denyingRulePath = "spec." + denial.direction().field() + "[" + denial.rule() + "]";
                }
            }
            SideVerdict before = side == Direction.EGRESS ? l.before().egress() : l.before().ingress();
            for (RuleMatch m : before.allowedBy()) {
                if (m.policy().equals(blamed.ref())) {
                    allowedBefore.add(m.rule() >= 0 ? "spec." + m.direction().field() + "[" + m.rule() + "]" : m.fieldPath());
                }
            }
            if (l.severity() == Severity.ERROR) {
                severity = Severity.ERROR;
            }
        }
        List<CriticalPort> orderedPorts = flow.ports().stream().filter(ports::contains).toList();
        StringBuilder m = new StringBuilder();
        if (excused) {
            m.append("cut allowed by annotation ").append(Rules.ALLOW_CUT_ANNOTATION).append(": ");
        }
        m.append(list(pods, "pod")).append(pods.size() == 1 ? " loses" : " lose").append(" critical flow ")
                .append(flow.name()).append(" (").append(String.join(", ", orderedPorts.stream().map(Object::toString).toList()))
                .append(") to ").append(list(destinations, "destination")).append(": ");
        if (!tierDenials.isEmpty()) {
            m.append(side == Direction.EGRESS ? "their egress is denied by " : "the destination's ingress is denied by ")
                    .append(String.join("; ", tierDenials));
        } else {
            if (side == Direction.EGRESS) {
                m.append("their egress is isolated by ");
            } else {
                m.append("the destination's ingress is isolated by ");
            }
            m.append(String.join(", ", isolators.stream().map(Object::toString).sorted().distinct().toList()))
                    .append(" and no ").append(side.field()).append(" rule allows it");
        }
        if (change.operation() == Change.Operation.DELETE && !allowedBefore.isEmpty()) {
            m.append("; deleting ").append(blamed.ref()).append(" removes ").append(String.join(", ", allowedBefore))
                    .append(", which allowed it");
        }
        String portList = String.join(", ", orderedPorts.stream().map(Object::toString).toList());
        String summary = (excused ? "allow-cut: " : "") + (pods.size() == 1 ? pods.iterator().next() + " loses "
                : pods.iterator().next() + " and " + (pods.size() - 1) + " more pods lose ") + flow.name() + " (" + portList
                + ") to " + (destinations.size() == 1 ? destinations.iterator().next() : destinations.size() + " destinations")
                + (!tierDenials.isEmpty() ? (side == Direction.EGRESS ? " (egress denied by a ClusterNetworkPolicy)"
                        : " (ingress denied by a ClusterNetworkPolicy)")
                        : side == Direction.EGRESS ? " (egress isolated)" : " (ingress isolated)");
        return new Finding(Rules.CRITICAL_FLOW, excused ? Severity.WARNING : severity, blamed.ref(),
                denyingRulePath != null ? denyingRulePath : fieldPath(blamed, flow, side, change, allowedBefore), m.toString(),
                fix(blamed, flow, side, change, orderedPorts, denyingRulePath),
                flow.name(), summary);
    }

    private static String fieldPath(PolicyObject o, CriticalFlow flow, Direction side, Change change, Set<String> allowedBefore) {
        if (o instanceof PolicyObject.Deny d) {
            return flow.isDns() && side == Direction.EGRESS && !d.defaultDeny().allowDNS() ? "spec.allowDNS" : "spec.policyTypes";
        }
        if (change.operation() == Change.Operation.DELETE && !allowedBefore.isEmpty()) {
            return allowedBefore.iterator().next();
        }
        return "spec." + side.field();
    }

    private static String fix(PolicyObject o, CriticalFlow flow, Direction side, Change change, List<CriticalPort> ports,
                              String denyingRulePath) {
        if (o instanceof PolicyObject.Cluster) {
            return denyingRulePath == null ? null : FixSnippets.clusterAcceptRule(flow, side, ports, denyingRulePath);
        }
        if (o instanceof PolicyObject.Deny d) {
            DefaultDeny dd = d.defaultDeny();
            if (flow.isDns() && side == Direction.EGRESS && !dd.allowDNS()) {
                return FixSnippets.allowDns();
            }
            return FixSnippets.policyToCreate(dd.namespace(), LabelSelector.ALL, flow, side, ports);
        }
        PolicyObject.Policy p = (PolicyObject.Policy) o;
        if (change.operation() == Change.Operation.DELETE) {
            return FixSnippets.policyToCreate(p.namespace(), p.podSelector(), flow, side, ports);
        }
        return FixSnippets.ruleToAdd(flow, side, ports, p.policy().rules(side).isEmpty());
    }

    private static String describe(Endpoint e) {
        if (e instanceof Endpoint.PodEndpoint pe) {
            Pod p = pe.pod();
            return HypotheticalPod.is(p) ? HypotheticalPod.describe(p) : p.key() + " (" + pe.ip() + ")";
        }
        return e.describe();
    }

    private static String list(Set<String> items, String noun) {
        List<String> l = new ArrayList<>(items);
        String shown = String.join(", ", l.subList(0, Math.min(LISTED, l.size())));
        return l.size() > LISTED ? shown + " and " + (l.size() - LISTED) + " more " + noun + "s" : shown;
    }
}
