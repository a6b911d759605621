package dev.netfence.policy.analysis;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.eval.Verdict;
import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ContainerPort;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Answers "after this change, which pods lose a critical flow they had before?".
 *
 * <p>Policies are additive, so the verdicts come from {@link PolicyEngine} over every policy and
 * DefaultDeny of the namespaces involved, before and after the change, never from the changed object
 * alone. A change in namespace N can only alter the egress of the pods of N it isolates and the
 * ingress of the same pods, so only flows leaving or entering those pods are judged; the verdicts
 * are computed on a snapshot restricted to those pods, the flows' other ends and the policies of
 * their namespaces (which is what keeps admission fast on large namespaces).
 *
 * <p>Pods of one namespace with identical labels are judged as one: they are selected by the same
 * policies and differ only by IP, which matters only to ipBlock rules, which the Kubernetes
 * documentation reserves for cluster-external addresses. Host-network pods are not sources:
 * NetworkPolicy does not apply to their egress.
 */
public final class CriticalFlowAnalysis {

    /** Pods without an address yet (and hypothetical pods) are judged from this placeholder. */
    private static final IpAddress NO_ADDRESS = IpAddress.parse("0.0.0.0");

    private CriticalFlowAnalysis() {
    }

    /** {@code before} is the cluster before the change; the change's removed objects count as present, its added ones as absent. */
    public static List<FlowLoss> lostFlows(ClusterSnapshot before, Change change, List<CriticalFlow> flows) {
        String ns = change.namespace();
        List<Pod> affected = affectedPods(before, change);

        // one pod per class is enough for the engine: pods with the same labels get the same verdicts
        Map<String, Pod> included = new LinkedHashMap<>();
        for (List<Pod> cls : classes(affected)) {
            included.put(cls.get(0).key(), cls.get(0));
        }
        List<Pair> pairs = new ArrayList<>();
        for (CriticalFlow flow : flows) {
            // the pods of a namespaced change are all of its namespace; a ClusterNetworkPolicy's span namespaces
            List<Pod> egressSources = affected.stream()
                    .filter(p -> flow.sourceNamespace(before.namespaceLabels(p.namespace())) && flow.sourcePod(p.labels())).toList();
            List<Pod> ingressTargets = affected.stream()
                    .filter(p -> flow.destinationNamespace(before.namespaceLabels(p.namespace())) && flow.destinationPod(p.labels()))
                    .toList();
            if (!egressSources.isEmpty()) {
                List<Endpoint> destinations = destinations(before, flow, included);
                for (List<Pod> cls : classes(egressSources)) {
                    for (Endpoint d : destinations) {
                        pairs.add(new Pair(flow, cls, d));
                    }
                }
            }
            if (!ingressTargets.isEmpty()) {
                ingressTargets.forEach(t -> included.putIfAbsent(t.key(), t));
                for (List<Pod> cls : classes(sources(before, flow))) {
                    included.putIfAbsent(cls.get(0).key(), cls.get(0));
                    for (Pod target : ingressTargets) {
                        pairs.add(new Pair(flow, cls, endpoint(target)));
                    }
                }
            }
        }
        if (pairs.isEmpty()) {
            return List.of();
        }
        ClusterSnapshot restricted = restrictedSnapshot(before, included.values(), ns);
        // "before" holds the removed objects and not the added ones even when the caller's snapshot
        // lags behind (an informer cache that has not seen the object of a DELETE yet).
        ClusterDelta.Builder toBefore = ClusterDelta.builder();
        change.added().forEach(o -> o.removeFrom(toBefore));
        change.removed().forEach(o -> o.addTo(toBefore));
        PolicyEngine beforeEngine = new PolicyEngine(restricted.apply(toBefore.build()));
        ClusterDelta.Builder toAfter = ClusterDelta.builder();
        change.removed().forEach(o -> o.removeFrom(toAfter));
        change.added().forEach(o -> o.addTo(toAfter));
        PolicyEngine afterEngine = new PolicyEngine(restricted.apply(toAfter.build()));
        return judge(pairs, beforeEngine, afterEngine);
    }

    private record Pair(CriticalFlow flow, List<Pod> sources, Endpoint destination) {
    }

    private static List<FlowLoss> judge(List<Pair> pairs, PolicyEngine beforeEngine, PolicyEngine afterEngine) {
        List<FlowLoss> losses = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Pair pair : pairs) {
            Pod source = pair.sources().get(0);
            if (!seen.add(pair.flow().name() + '\0' + source.key() + '\0' + pair.destination().describe())) {
                continue;
            }
            Endpoint src = endpoint(source);
            List<CriticalPort> lost = new ArrayList<>();
            Verdict firstBefore = null;
            Verdict firstAfter = null;
            for (CriticalPort cp : pair.flow().ports()) {
                int port = resolve(cp, pair.destination());
                if (port < 0) {
                    continue;
                }
                Flow f = new Flow(src, pair.destination(), cp.protocol(), port);
                if (beforeEngine.allowed(f) && !afterEngine.allowed(f)) {
                    lost.add(cp);
                    if (firstAfter == null) {
                        firstBefore = beforeEngine.evaluate(f);
                        firstAfter = afterEngine.evaluate(f);
                    }
                }
            }
            if (!lost.isEmpty()) {
                Direction side = firstAfter.egress().allowed() ? Direction.INGRESS : Direction.EGRESS;
                losses.add(new FlowLoss(pair.flow(), pair.sources(), pair.destination(), lost, side, firstBefore, firstAfter));
            }
        }
        return losses;
    }

    /** The port number of a critical port at a destination, or -1 when the destination does not expose a named port. */
    private static int resolve(CriticalPort cp, Endpoint destination) {
        if (cp.number() != null) {
            return cp.number();
        }
        return destination instanceof Endpoint.PodEndpoint pe ? pe.pod().resolveNamedPort(cp.name(), cp.protocol()) : -1;
    }

    /**
     * The pods whose egress or ingress the change can alter: those the removed or added objects
     * isolate (for a ClusterNetworkPolicy: the pods its subject selects, in any namespace), plus, for an object that isolates no existing pod, the hypothetical pod
     * it describes (a pod its podSelector selects; for a DefaultDeny an unlabelled pod).
     */
    static List<Pod> affectedPods(ClusterSnapshot snapshot, Change change) {
        Map<String, Pod> pods = new TreeMap<>();
        List<PolicyObject> objects = new ArrayList<>(change.removed());
        objects.addAll(change.added());
        // each object's selection once (it was computed twice: a label-index query and a match per candidate pod)
        List<Boolean> isolatesNone = new ArrayList<>(objects.size());
        for (PolicyObject o : objects) {
            List<Pod> isolated = o.isolatedPods(snapshot);
            isolatesNone.add(isolated.isEmpty());
            for (Pod p : isolated) {
                pods.put(p.key(), p);
            }
        }
        for (int i = 0; i < objects.size(); i++) {
            PolicyObject o = objects.get(i);
            if (!isolatesNone.get(i) || o instanceof PolicyObject.Cluster) {
                continue;   // the pods it selects represent it (a ClusterNetworkPolicy selecting none changes no flow)
            }
            LabelSelector selector = o instanceof PolicyObject.Policy p ? p.podSelector() : LabelSelector.ALL;
            HypotheticalPod.matching(o.namespace(), selector, List.of()).ifPresent(h -> pods.put(h.key(), h));
        }
        return new ArrayList<>(pods.values());
    }

    /** Every pod (any namespace) that is a source of the flow; host-network pods excluded. */
    private static List<Pod> sources(ClusterSnapshot snapshot, CriticalFlow flow) {
        List<Pod> out = new ArrayList<>();
        LabelSelector nsSel = flow.sourceNamespaces() == null ? LabelSelector.ALL : flow.sourceNamespaces();
        LabelSelector podSel = flow.sourcePods() == null ? LabelSelector.ALL : flow.sourcePods();
        for (String ns : snapshot.selectNamespaces(nsSel)) {
            out.addAll(snapshot.selectPods(ns, podSel));
        }
        return out;
    }

    /**
     * The destinations of a flow: its pods with an address and its IPs. When no pod matches and the
     * destination names one namespace (DNS does), a hypothetical pod stands in for them, so that lint
     * without DNS pods in its files still checks DNS; it exposes the flow's numbered ports.
     */
    private static List<Endpoint> destinations(ClusterSnapshot snapshot, CriticalFlow flow, Map<String, Pod> included) {
        List<Endpoint> out = new ArrayList<>();
        if (flow.destinationPods() != null) {
            LabelSelector nsSel = flow.destinationNamespaces() == null ? LabelSelector.ALL : flow.destinationNamespaces();
            List<Pod> pods = new ArrayList<>();
            for (String ns : snapshot.selectNamespaces(nsSel)) {
                pods.addAll(snapshot.selectPods(ns, flow.destinationPods()));
            }
            String onlyNamespace = nsSel.matchLabels().get(Namespace.NAME_LABEL);
            if (pods.isEmpty() && onlyNamespace != null) {
                List<ContainerPort> ports = flow.ports().stream().filter(p -> p.number() != null)
                        .map(p -> new ContainerPort(null, p.number(), p.protocol())).toList();
                HypotheticalPod.matching(onlyNamespace, flow.destinationPods(), ports).ifPresent(pods::add);
            }
            for (Pod p : pods) {
                if (!p.ips().isEmpty() || HypotheticalPod.is(p)) {
                    included.putIfAbsent(p.key(), p);
                    out.add(endpoint(p));
                }
            }
        }
        for (IpAddress ip : flow.destinationIps()) {
            out.add(snapshot.podByIp(ip).<Endpoint>map(p -> {
                included.putIfAbsent(p.key(), p);
                return new Endpoint.PodEndpoint(p, ip);
            }).orElseGet(() -> new Endpoint.Host(ip, snapshot.nodeByIp(ip).map(n -> n.name()).orElse(null), null)));
        }
        return out;
    }

    private static Endpoint endpoint(Pod p) {
        return p.ips().isEmpty() ? new Endpoint.PodEndpoint(p, NO_ADDRESS) : Endpoint.of(p);
    }

    /** Groups pods by namespace and labels; the first pod of each group (with an address if any) represents it. */
    private static Collection<List<Pod>> classes(List<Pod> pods) {
        // keyed by (namespace, labels) with Map equality: the same classes as a sorted copy of the labels, without the copy
        Map<List<Object>, List<Pod>> byClass = new LinkedHashMap<>();
        for (Pod p : pods) {
            if (p.hostNetwork()) {
                continue;
            }
            List<Pod> cls = byClass.computeIfAbsent(List.of(p.namespace(), p.labels()), k -> new ArrayList<>());
            if (!p.ips().isEmpty() && !cls.isEmpty() && cls.get(0).ips().isEmpty()) {
                cls.add(0, p);
            } else {
                cls.add(p);
            }
        }
        return byClass.values();
    }

    /**
     * The pods involved, every namespace and node, the DefaultDenies of the pods' namespaces and the
     * policies that select at least one of the pods: a policy that selects none of them cannot take
     * part in any verdict about their flows (peers only matter in policies that select the pod judged).
     */
    private static ClusterSnapshot restrictedSnapshot(ClusterSnapshot full, Collection<Pod> pods, String changedNs) {
        List<NetworkPolicy> policies = new ArrayList<>();
        List<DefaultDeny> defaultDenies = new ArrayList<>();
        Map<String, Set<Map<String, String>>> labelSetsByNamespace = new java.util.HashMap<>();
        if (changedNs != null) {
            labelSetsByNamespace.put(changedNs, new HashSet<>());
        }
        for (Pod p : pods) {
            labelSetsByNamespace.computeIfAbsent(p.namespace(), k -> new HashSet<>()).add(p.labels());
        }
        labelSetsByNamespace.forEach((ns, labelSets) -> {
            selectingAny(full.policiesInNamespace(ns), labelSets, policies);
            defaultDenies.addAll(full.defaultDeniesInNamespace(ns));
        });
        // every namespace and node of the cluster, shared with it rather than copied
        return full.restrictedTo(pods, policies, defaultDenies);
    }

    /**
     * Adds to {@code out}, in their order, the policies whose podSelector selects at least one of {@code labelSets}.
     * This runs for every policy of the namespaces involved on every admission request (the webhook's hottest
     * loop: 500 policies times each label set of the pods judged), so a policy is first checked against the
     * values each key has among the label sets: its {@code matchLabels} entry {@code k=v} can only hold for a
     * label set that has {@code k=v} ("matchLabels ... ANDed"), so a policy with an entry no label set has is
     * skipped without matching it against every set. A plain loop: the stream it replaced was a fifth of the
     * request threads' allocation.
     */
    static void selectingAny(List<NetworkPolicy> policies, Collection<Map<String, String>> labelSets, List<NetworkPolicy> out) {
        Map<String, Set<String>> valuesByKey = new java.util.HashMap<>();
        for (Map<String, String> labels : labelSets) {
            labels.forEach((k, v) -> valuesByKey.computeIfAbsent(k, x -> new HashSet<>()).add(v));
        }
        // as arrays: the check below then allocates nothing per policy (the matchLabels' entrySet() did, 500 times)
        String[] keys = valuesByKey.keySet().toArray(String[]::new);
        @SuppressWarnings("unchecked")
        Set<String>[] values = new Set[keys.length];
        for (int i = 0; i < keys.length; i++) {
            values[i] = valuesByKey.get(keys[i]);
        }
        for (NetworkPolicy np : policies) {
            LabelSelector selector = np.podSelector();
            if (!allPresent(selector.matchLabels(), valuesByKey, keys, values)) {
                continue;
            }
            for (Map<String, String> labels : labelSets) {
                if (selector.matches(labels)) {
                    out.add(np);
                    break;
                }
            }
        }
    }

    /**
     * Whether every entry of {@code matchLabels} is present in some label set (necessary for a set to have them all):
     * every entry's key is among {@code keys} with its value among that key's {@code values}. When the judged pods
     * have few label keys, walks them and looks each up in matchLabels, so that no iterator over matchLabels is
     * allocated (per policy, 500 times a request); pods with many label keys keep the walk over matchLabels.
     */
    private static boolean allPresent(Map<String, String> matchLabels, Map<String, Set<String>> valuesByKey, String[] keys,
                                      Set<String>[] values) {
        if (keys.length > 8) {
            for (Map.Entry<String, String> e : matchLabels.entrySet()) {
                Set<String> present = valuesByKey.get(e.getKey());
                if (present == null || !present.contains(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        int found = 0;
        for (int i = 0; i < keys.length; i++) {
            String v = matchLabels.get(keys[i]);
            if (v != null) {
                if (!values[i].contains(v)) {
                    return false;
                }
                found++;
            }
        }
        return found == matchLabels.size();
    }
}
