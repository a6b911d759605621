package dev.netfence.policy.compile;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterDns;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.LabelSelector;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compiles a {@link ClusterSnapshot} into per-node {@link NodeRuleSet}s and shared
 * {@link AddressSet}s, Antrea style: the applied-to side is per node (each node gets only its
 * own isolated pods and the policies selecting them), the address side is shared and
 * content-addressed, and each address set records its span (the nodes that use it).
 *
 * <p>Pure and deterministic: equal snapshots give equal output, so the operator can write
 * objects only when their content changed.
 */
public final class RuleSetCompiler {

    private final ClusterSnapshot snapshot;
    private final PolicyEngine engine;
    private final Map<String, AddressSet> addressSets = new TreeMap<>();
    /** Compiled policy directions, by id, cluster-wide (ingress named ports not yet narrowed to a node). */
    private final Map<String, PolicyRules> compiled = new HashMap<>();

    public RuleSetCompiler(ClusterSnapshot snapshot) {
        this.snapshot = snapshot;
        this.engine = new PolicyEngine(snapshot);
    }

    public static CompiledCluster compile(ClusterSnapshot snapshot) {
        return new RuleSetCompiler(snapshot).compile();
    }

    public CompiledCluster compile() {
        Map<String, Map<Direction, List<String>>> isolation = isolation();
        Map<String, List<Pod>> podsByNode = new TreeMap<>();
        Map<String, TreeSet<IpAddress>> nodeAddresses = new TreeMap<>();
        for (Node n : snapshot.nodes()) {
            nodeAddresses.computeIfAbsent(n.name(), k -> new TreeSet<>()).addAll(n.ips());
        }
        for (Pod p : snapshot.pods()) {
            if (p.nodeName() == null) {
                continue;
            }
            if (p.hostNetwork()) {
                // a host-network pod's traffic is its node's traffic
                nodeAddresses.computeIfAbsent(p.nodeName(), k -> new TreeSet<>()).addAll(p.ips());
            } else if (!p.ips().isEmpty()) {
                podsByNode.computeIfAbsent(p.nodeName(), k -> new ArrayList<>()).add(p);
                nodeAddresses.computeIfAbsent(p.nodeName(), k -> new TreeSet<>());
            }
        }
        Map<String, NodeRuleSet> nodes = new TreeMap<>();
        Map<String, List<String>> spans = new TreeMap<>();
        for (Map.Entry<String, TreeSet<IpAddress>> e : nodeAddresses.entrySet()) {
            NodeRuleSet rs = nodeRuleSet(e.getKey(), e.getValue(), podsByNode.getOrDefault(e.getKey(), List.of()), isolation);
            nodes.put(rs.node(), rs);
            for (String as : rs.addressSets()) {
                spans.computeIfAbsent(as, k -> new ArrayList<>()).add(rs.node());
            }
        }
        Map<String, AddressSet> used = new TreeMap<>();
        spans.keySet().forEach(n -> used.put(n, addressSets.get(n)));
        return new CompiledCluster(nodes, used, spans);
    }

    private NodeRuleSet nodeRuleSet(String node, Set<IpAddress> addresses, List<Pod> pods,
                                    Map<String, Map<Direction, List<String>>> isolation) {
        List<LocalPod> local = new ArrayList<>();
        Map<String, PolicyRules> policies = new TreeMap<>();
        Set<String> localIps = new TreeSet<>();
        for (Pod p : pods) {
            Map<Direction, List<String>> iso = isolation.get(p.key());
            if (iso == null) {
                continue;
            }
            List<String> in = iso.getOrDefault(Direction.INGRESS, List.of());
            List<String> out = iso.getOrDefault(Direction.EGRESS, List.of());
            local.add(new LocalPod(p.namespace(), p.name(), p.ips().stream().map(IpAddress::toString).toList(), in, out));
            p.ips().forEach(ip -> localIps.add(ip.toString()));
            in.forEach(id -> policies.put(id, compiled.get(id)));
            out.forEach(id -> policies.put(id, compiled.get(id)));
        }
        List<PolicyRules> narrowed = new ArrayList<>();
        TreeSet<String> sets = new TreeSet<>();
        for (PolicyRules pr : policies.values()) {
            PolicyRules n = pr.direction() == Direction.INGRESS ? narrowToLocal(pr, localIps) : pr;
            narrowed.add(n);
            n.rules().forEach(r -> sets.addAll(r.peers()));
        }
        return new NodeRuleSet(node, addresses.stream().map(IpAddress::toString).toList(), local, narrowed,
                List.copyOf(sets));
    }

    /** Ingress named ports are resolved against the local pod: a node only needs its own pods' entries. */
    private static PolicyRules narrowToLocal(PolicyRules pr, Set<String> localIps) {
        List<CompiledRule> rules = pr.rules().stream().map(r -> r.namedPorts().isEmpty() ? r
                : new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(), r.allPorts(), r.ports(),
                r.namedPorts().stream().filter(d -> localIps.contains(d.address())).toList())).toList();
        return new PolicyRules(pr.id(), pr.kind(), pr.namespace(), pr.name(), pr.direction(), rules);
    }

    /** For every isolated pod, the ids of the policies isolating it per direction; compiles those policies. */
    private Map<String, Map<Direction, List<String>>> isolation() {
        Map<String, Map<Direction, TreeSet<String>>> iso = new LinkedHashMap<>();
        for (NetworkPolicy np : snapshot.policies()) {
            List<Pod> selected = snapshot.selectPods(np.namespace(), np.podSelector());
            for (Direction d : np.effectiveTypes()) {
                String id = PolicyRules.idOf("NetworkPolicy", np.namespace(), np.name(), d);
                compiled.put(id, compilePolicy(np, d, selected, id));
                for (Pod p : selected) {
                    iso.computeIfAbsent(p.key(), k -> new EnumMap<>(Direction.class))
                            .computeIfAbsent(d, k -> new TreeSet<>()).add(id);
                }
            }
        }
        for (DefaultDeny dd : snapshot.defaultDenies()) {
            for (Direction d : dd.policyTypes()) {
                String id = PolicyRules.idOf("DefaultDeny", dd.namespace(), dd.name(), d);
                compiled.put(id, compileDefaultDeny(dd, d, id));
                for (Pod p : snapshot.podsInNamespace(dd.namespace())) {
                    if (p.hostNetwork() || (dd.exemptPodSelector() != null && dd.exemptPodSelector().matches(p.labels()))) {
                        continue;
                    }
                    iso.computeIfAbsent(p.key(), k -> new EnumMap<>(Direction.class))
                            .computeIfAbsent(d, k -> new TreeSet<>()).add(id);
                }
            }
        }
        Map<String, Map<Direction, List<String>>> out = new HashMap<>();
        iso.forEach((pod, m) -> {
            Map<Direction, List<String>> lists = new EnumMap<>(Direction.class);
            m.forEach((d, ids) -> lists.put(d, List.copyOf(ids)));
            out.put(pod, lists);
        });
        return out;
    }

    private PolicyRules compilePolicy(NetworkPolicy np, Direction d, List<Pod> selected, String id) {
        List<PolicyRule> rules = np.rules(d);
        List<CompiledRule> out = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            PolicyRule rule = rules.get(r);
            TreeSet<String> peers = new TreeSet<>();
            for (Peer peer : rule.peers()) {
                peers.add(addressSetOf(peer, np.namespace()).name());
            }
            TreeSet<PortRange> ranges = new TreeSet<>();
            TreeSet<DestinationPort> named = new TreeSet<>();
            for (PolicyPort pp : rule.ports()) {
                Protocol proto = pp.proto();
                if (pp.isNamed()) {
                    List<Pod> destinations = d == Direction.INGRESS ? selected : egressNamedPortCandidates(rule, np.namespace());
                    for (Pod dst : destinations) {
                        int port = dst.resolveNamedPort(pp.name(), proto);
                        if (port > 0) {
                            dst.ips().forEach(ip -> named.add(new DestinationPort(ip.toString(), proto, port)));
                        }
                    }
                } else if (pp.number() == null) {
                    ranges.add(new PortRange(proto, 0, 65535));
                } else {
                    ranges.add(new PortRange(proto, pp.number(), pp.endPort() != null ? pp.endPort() : pp.number()));
                }
            }
            out.add(new CompiledRule("spec." + d.field() + "[" + r + "]", rule.peers().isEmpty(), List.copyOf(peers),
                    rule.ports().isEmpty(), List.copyOf(ranges), List.copyOf(named)));
        }
        return new PolicyRules(id, "NetworkPolicy", np.namespace(), np.name(), d, out);
    }

    /**
     * The pods an egress named port can resolve against: any pod (never a host-network one, which is
     * not a pod endpoint) that is also a peer of the rule, since the rule needs both to match.
     */
    private List<Pod> egressNamedPortCandidates(PolicyRule rule, String policyNamespace) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : snapshot.pods()) {
            if (p.hostNetwork() || p.ips().isEmpty()) {
                continue;
            }
            boolean peer = rule.peers().isEmpty() || p.ips().stream().anyMatch(ip -> rule.peers().stream()
                    .anyMatch(peerDef -> engine.peerMatches(peerDef, policyNamespace, new Endpoint.PodEndpoint(p, ip))));
            if (peer) {
                out.add(p);
            }
        }
        return out;
    }

    private PolicyRules compileDefaultDeny(DefaultDeny dd, Direction d, String id) {
        List<CompiledRule> out = new ArrayList<>();
        if (d == Direction.EGRESS && dd.allowDNS()) {
            TreeSet<PortRange> ports = new TreeSet<>();
            snapshot.dns().ports().forEach(dp -> ports.add(new PortRange(dp.protocol(), dp.port(), dp.port())));
            ClusterDns cd = snapshot.dns();
            String def = "dns " + cd.namespace() + " pods " + normalized(cd.podSelector()) + " extra " + cd.extraIps();
            out.add(new CompiledRule("spec.allowDNS", false, List.of(intern(def, () -> {
                List<IpAddress> dns = new ArrayList<>(cd.extraIps());
                for (Pod p : snapshot.pods()) {
                    if (cd.isDnsPod(p)) {
                        dns.addAll(p.ips());
                    }
                }
                return AddressRanges.ofAddresses(dns);
            }).name()), false, List.copyOf(ports), List.of()));
        }
        if (dd.allowSameNamespace()) {
            // the same pods as a peer {podSelector: {}} in this namespace, so it shares that set
            String def = podsDefinition(dd.namespace(), null, LabelSelector.ALL);
            out.add(new CompiledRule("spec.allowSameNamespace", false, List.of(intern(def, () -> {
                List<IpAddress> ips = new ArrayList<>();
                snapshot.podsInNamespace(dd.namespace()).stream().filter(p -> !p.hostNetwork()).forEach(p -> ips.addAll(p.ips()));
                return AddressRanges.ofAddresses(ips);
            }).name()), true, List.of(), List.of()));
        }
        return new PolicyRules(id, "DefaultDeny", dd.namespace(), dd.name(), d, out);
    }

    /** The address set of one peer: the addresses of the pods it selects, or its ipBlock's intervals. */
    private AddressSet addressSetOf(Peer peer, String policyNamespace) {
        if (peer.ipBlock() != null) {
            List<String> entries = AddressRanges.ofIpBlock(peer.ipBlock().cidr(), peer.ipBlock().except());
            return intern("ipBlock " + String.join(",", entries), entries);
        }
        LabelSelector pods = peer.podSelector() == null ? LabelSelector.ALL : peer.podSelector();
        return intern(podsDefinition(policyNamespace, peer.namespaceSelector(), pods), () -> {
            List<IpAddress> ips = new ArrayList<>();
            List<String> namespaces = peer.namespaceSelector() == null ? List.of(policyNamespace)
                    : snapshot.selectNamespaces(peer.namespaceSelector());
            for (String ns : namespaces) {
                for (Pod p : snapshot.selectPods(ns, pods)) {
                    ips.addAll(p.ips());
                }
            }
            return AddressRanges.ofAddresses(ips);
        });
    }

    /**
     * The normalised definition of a selector peer: the namespace scope (the policy's namespace
     * when there is no namespaceSelector) and the pod selector. Equal definitions select equal pods.
     */
    private static String podsDefinition(String policyNamespace, LabelSelector namespaceSelector, LabelSelector pods) {
        String scope = namespaceSelector == null ? "namespace " + policyNamespace : "namespaces " + normalized(namespaceSelector);
        return "pods " + normalized(pods) + " in " + scope;
    }

    /** A selector as text that does not depend on how it was written (order of labels and expressions). */
    static String normalized(LabelSelector s) {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(s.matchLabels()).forEach((k, v) -> parts.add(k + "=" + v));
        for (LabelSelector.Requirement r : s.matchExpressions()) {
            parts.add(r.key() + " " + r.operator() + " " + new TreeSet<>(r.values()));
        }
        java.util.Collections.sort(parts);
        return "{" + String.join(",", parts) + "}";
    }

    private AddressSet intern(String definition, List<String> entries) {
        return intern(definition, () -> entries);
    }

    /**
     * The set of a peer definition; its members are selected only the first time the definition is
     * seen (equal definitions select equal pods): at 10,000 policies most peers repeat, and selecting
     * a cross-namespace peer's pods again for each of them was most of the compile time.
     */
    private AddressSet intern(String definition, java.util.function.Supplier<List<String>> entries) {
        return addressSets.computeIfAbsent(AddressSet.nameOf(definition), name -> new AddressSet(name, entries.get()));
    }
}
