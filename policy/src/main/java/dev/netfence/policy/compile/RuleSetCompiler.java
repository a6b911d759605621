package dev.netfence.policy.compile;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.ClusterSubject;
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
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    /** Matches egress named port peers; its isolation index is built only if asked for, which the compiler never does. */
    private final PolicyEngine engine;
    private final AddressSetTable addressSets;
    /** Compiled policy directions, by id, cluster-wide (ingress named ports not yet narrowed to a node). */
    private final Map<String, PolicyRules> compiled = new HashMap<>();
    /** For every isolated pod, the ids of the policies isolating it per direction. */
    private Map<String, Map<Direction, List<String>>> isolation;
    /** For every pod a ClusterNetworkPolicy's subject selects, the ids of those policy directions, in evaluation order. */
    private Map<String, Map<Direction, List<String>>> clusterSubjects;

    public RuleSetCompiler(ClusterSnapshot snapshot) {
        this(snapshot, new AddressSetTable());
    }

    /** A compiler adding the address sets it needs to {@code addressSets} (sets already there are reused as they are). */
    RuleSetCompiler(ClusterSnapshot snapshot, AddressSetTable addressSets) {
        this.snapshot = snapshot;
        this.addressSets = addressSets;
        this.engine = new PolicyEngine(snapshot);
    }

    public static CompiledCluster compile(ClusterSnapshot snapshot) {
        return new RuleSetCompiler(snapshot).compile();
    }

    public CompiledCluster compile() {
        isolation = isolation();
        clusterSubjects = clusterSubjects();
        ClusterOrder order = clusterSubjects.isEmpty() ? null : new ClusterOrder(compiled);
        Map<String, List<Pod>> podsByNode = podsByNode(snapshot);
        TreeSet<String> nodeNames = new TreeSet<>(podsByNode.keySet());
        snapshot.nodes().forEach(n -> nodeNames.add(n.name()));
        Map<String, NodeRuleSet> nodes = new HashMap<>();
        Map<String, List<String>> spans = new HashMap<>();   // lists in node order: nodes are walked sorted
        for (String node : nodeNames) {
            NodeRuleSet rs = nodeRuleSet(node, snapshot.node(node).orElse(null), podsByNode.getOrDefault(node, List.of()),
                    isolation, clusterSubjects, compiled, order);
            if (rs == null) {
                continue;
            }
            nodes.put(rs.node(), rs);
            for (String as : rs.addressSets()) {
                spans.computeIfAbsent(as, k -> new ArrayList<>()).add(rs.node());
            }
        }
        Map<String, AddressSet> used = new HashMap<>();
        spans.keySet().forEach(n -> used.put(n, addressSets.get(n)));
        spans.replaceAll((set, span) -> List.copyOf(span));
        return new CompiledCluster(nodes, used, spans);
    }

    /** The compiled policy directions of the last {@link #compile()}, by id. */
    Map<String, PolicyRules> compiledPolicies() {
        return compiled;
    }

    /** The isolation of the last {@link #compile()}: policy ids per direction, by pod key. */
    Map<String, Map<Direction, List<String>>> isolationByPod() {
        return isolation;
    }

    /** The ClusterNetworkPolicy subjects of the last {@link #compile()}: policy direction ids per direction, by pod key. */
    Map<String, Map<Direction, List<String>>> clusterSubjectsByPod() {
        return clusterSubjects;
    }

    /** Pods scheduled to a node, by node, in snapshot order (namespace, then name). */
    static Map<String, List<Pod>> podsByNode(ClusterSnapshot snapshot) {
        Map<String, List<Pod>> out = new HashMap<>();
        for (Pod p : snapshot.pods()) {
            if (p.nodeName() != null) {
                out.computeIfAbsent(p.nodeName(), k -> new ArrayList<>()).add(p);
            }
        }
        return out;
    }

    /**
     * The rule set of one node, or null when the node has nothing to enforce on and is not a known
     * Node (neither a Node object nor a pod with addresses or on the host network).
     *
     * @param pods every pod scheduled to the node, in namespace/name order
     */
    static NodeRuleSet nodeRuleSet(String node, Node nodeObject, Collection<Pod> pods,
                                   Map<String, Map<Direction, List<String>>> isolation,
                                   Map<String, Map<Direction, List<String>>> clusterSubjects,
                                   Map<String, PolicyRules> compiled) {
        return nodeRuleSet(node, nodeObject, pods, isolation, clusterSubjects, compiled, null);
    }

    /**
     * The ClusterNetworkPolicy directions of one compile in id order, and the bit set of each shared tier
     * list over that order: a node's tier policies are the OR of its pods' lists' bits, already sorted,
     * without hashing each id on every node.
     */
    static final class ClusterOrder {
        private final PolicyRules[] rules;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<List<String>, BitSet> bits = new java.util.IdentityHashMap<>();

        ClusterOrder(Map<String, PolicyRules> compiled) {
            List<PolicyRules> cluster = new ArrayList<>();
            for (PolicyRules pr : compiled.values()) {
                if (pr.id().startsWith(CLUSTER_ID_PREFIX)) {
                    cluster.add(pr);
                }
            }
            cluster.sort(BY_ID);
            rules = cluster.toArray(new PolicyRules[0]);
            for (int i = 0; i < rules.length; i++) {
                index.put(rules[i].id(), i);
            }
        }

        /** The bits of a tier list, or null when it names a direction this compile does not have. */
        BitSet of(List<String> ids) {
            BitSet b = bits.get(ids);
            if (b == null && !bits.containsKey(ids)) {
                b = new BitSet(rules.length);
                for (String id : ids) {
                    Integer i = index.get(id);
                    if (i == null) {
                        b = null;
                        break;
                    }
                    b.set(i);
                }
                bits.put(ids, b);
            }
            return b;
        }
    }

    /** Every ClusterNetworkPolicy direction id starts with it, and sorts before every other id ("DefaultDeny/", "NetworkPolicy/"). */
    private static final String CLUSTER_ID_PREFIX = ClusterNetworkPolicy.KIND + "/";

    /** @param order the tier lists' bits of this compile, or null: every id is hashed */
    static NodeRuleSet nodeRuleSet(String node, Node nodeObject, Collection<Pod> pods,
                                   Map<String, Map<Direction, List<String>>> isolation,
                                   Map<String, Map<Direction, List<String>>> clusterSubjects,
                                   Map<String, PolicyRules> compiled, ClusterOrder order) {
        boolean known = nodeObject != null;
        TreeSet<IpAddress> addresses = new TreeSet<>();
        if (nodeObject != null) {
            addresses.addAll(nodeObject.ips());
        }
        List<LocalPod> local = new ArrayList<>();
        // hashed, sorted once at the end; a list shared by several pods (ClusterNetworkPolicy subjects are
        // shared by the pods selected alike) is walked once
        Map<String, PolicyRules> policies = new HashMap<>();
        Set<List<String>> walked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        BitSet tierBits = new BitSet();
        boolean tierHashed = false;
        Set<String> localIps = new java.util.HashSet<>();
        for (Pod p : pods) {
            if (p.hostNetwork()) {
                // a host-network pod's traffic is its node's traffic
                addresses.addAll(p.ips());
                known = true;
                continue;
            }
            if (p.ips().isEmpty()) {
                continue;
            }
            known = true;
            // every local pod is listed, isolated or not: the enforcer holds a pod the CNI plugin announced
            // until its node's rule set names it, so "known, not isolated" must differ from "not compiled yet"
            String key = p.key();
            Map<Direction, List<String>> iso = isolation.getOrDefault(key, Map.of());
            List<String> in = iso.getOrDefault(Direction.INGRESS, List.of());
            List<String> out = iso.getOrDefault(Direction.EGRESS, List.of());
            Map<Direction, List<String>> tiers = clusterSubjects.isEmpty() ? Map.of() : clusterSubjects.getOrDefault(key, Map.of());
            List<String> clusterIn = tiers.getOrDefault(Direction.INGRESS, List.of());
            List<String> clusterOut = tiers.getOrDefault(Direction.EGRESS, List.of());
            List<String> ips = new ArrayList<>(p.ips().size());
            for (IpAddress ip : p.ips()) {
                ips.add(ip.toString());
            }
            local.add(new LocalPod(p.namespace(), p.name(), ips, in, out, clusterIn, clusterOut));
            localIps.addAll(ips);
            for (List<String> ids : List.of(in, out, clusterIn, clusterOut)) {
                if (!ids.isEmpty() && walked.add(ids)) {
                    boolean tier = ids == clusterIn || ids == clusterOut;
                    BitSet b = order != null && tier ? order.of(ids) : null;
                    if (b != null) {
                        tierBits.or(b);
                        continue;
                    }
                    tierHashed |= tier;
                    for (String id : ids) {
                        policies.putIfAbsent(id, compiled.get(id));
                    }
                }
            }
        }
        if (!known) {
            return null;
        }
        List<PolicyRules> narrowed = new ArrayList<>(tierBits.cardinality() + policies.size());
        if (tierHashed) {
            // a tier list this compile has no bits for: every tier id hashed and sorted with the others
            for (int i = tierBits.nextSetBit(0); i >= 0; i = tierBits.nextSetBit(i + 1)) {
                policies.putIfAbsent(order.rules[i].id(), order.rules[i]);
            }
        } else {
            // already in id order, and before every other id
            for (int i = tierBits.nextSetBit(0); i >= 0; i = tierBits.nextSetBit(i + 1)) {
                narrowed.add(order.rules[i]);
            }
        }
        int tiers = narrowed.size();
        narrowed.addAll(policies.values());
        narrowed.subList(tiers, narrowed.size()).sort(BY_ID);
        Set<String> sets = new java.util.HashSet<>();   // policies share sets: hashed, sorted once
        for (int i = 0; i < narrowed.size(); i++) {
            PolicyRules pr = narrowed.get(i);
            PolicyRules n = pr.direction() == Direction.INGRESS ? narrowToLocal(pr, localIps) : pr;
            narrowed.set(i, n);
            for (CompiledRule r : n.rules()) {
                sets.addAll(r.peers());
            }
        }
        return new NodeRuleSet(node, addresses.stream().map(IpAddress::toString).toList(), local, narrowed,
                sorted(sets));
    }

    private static final java.util.Comparator<PolicyRules> BY_ID = java.util.Comparator.comparing(PolicyRules::id);

    private static List<String> sorted(Set<String> names) {
        String[] a = names.toArray(new String[0]);
        java.util.Arrays.sort(a);
        return List.of(a);
    }

    /**
     * {@code before} with the policies in {@code changed} replaced by their compiled version in
     * {@code compiled}: what {@link #nodeRuleSet} gives for a node whose pods, their lists and its
     * addresses did not change, without walking its pods again; null when a policy the node lists is
     * gone (then its pods' lists changed too: the caller compiles the node whole).
     */
    static NodeRuleSet withPolicies(NodeRuleSet before, Set<String> changed, Map<String, PolicyRules> compiled) {
        Set<String> localIps = null;
        List<PolicyRules> policies = new ArrayList<>(before.policies().size());
        Set<String> sets = new java.util.HashSet<>();
        for (PolicyRules pr : before.policies()) {
            PolicyRules n = pr;
            if (changed.contains(pr.id())) {
                n = compiled.get(pr.id());
                if (n == null) {
                    return null;
                }
                if (n.direction() == Direction.INGRESS) {
                    if (localIps == null) {
                        localIps = new java.util.HashSet<>();
                        for (LocalPod p : before.pods()) {
                            localIps.addAll(p.ips());
                        }
                    }
                    n = narrowToLocal(n, localIps);
                }
            }
            policies.add(n);
            for (CompiledRule r : n.rules()) {
                sets.addAll(r.peers());
            }
        }
        return new NodeRuleSet(before.node(), before.nodeAddresses(), before.pods(), policies, sorted(sets));
    }

    /**
     * Ingress named ports are resolved against the local pod (a NetworkPolicy's selected pods, a
     * ClusterNetworkPolicy's subject pods): a node only needs its own pods' entries.
     */
    private static PolicyRules narrowToLocal(PolicyRules pr, Set<String> localIps) {
        boolean named = false;
        for (CompiledRule r : pr.rules()) {
            named |= !r.namedPorts().isEmpty();
        }
        if (!named) {
            return pr;   // nothing to narrow: the same instance on every node
        }
        List<CompiledRule> rules = pr.rules().stream().map(r -> r.namedPorts().isEmpty() ? r
                : new CompiledRule(r.fieldPath(), r.allPeers(), r.peers(), r.allPorts(), r.ports(),
                r.namedPorts().stream().filter(d -> localIps.contains(d.address())).toList(), r.action(), r.name())).toList();
        return new PolicyRules(pr.id(), pr.kind(), pr.namespace(), pr.name(), pr.direction(), rules, pr.audit(),
                pr.tier(), pr.priority());
    }

    /** For every isolated pod, the ids of the policies isolating it per direction; compiles those policies. */
    private Map<String, Map<Direction, List<String>>> isolation() {
        // by pod instance while collecting (a pod's key is built once, not once per policy); each
        // policy direction adds its id to a pod once, so lists need sorting but no deduplication
        Map<Pod, EnumMap<Direction, List<String>>> iso = new java.util.IdentityHashMap<>();
        Map<Pod, EnumMap<Direction, List<String>>> audited = new java.util.IdentityHashMap<>();
        for (NetworkPolicy np : snapshot.policies()) {
            List<Pod> selected = snapshot.selectPods(np.namespace(), np.podSelector());
            for (Direction d : np.effectiveTypes()) {
                String id = PolicyRules.idOf("NetworkPolicy", np.namespace(), np.name(), d);
                compiled.put(id, compilePolicy(np, d, selected));
                for (Pod p : selected) {
                    // an audited policy isolates nothing (Enforcement): it only judges pods no enforcing one isolates
                    isolated(np.audited() ? audited : iso, p, d).add(id);
                }
            }
        }
        for (DefaultDeny dd : snapshot.defaultDenies()) {
            for (Direction d : dd.policyTypes()) {
                String id = PolicyRules.idOf("DefaultDeny", dd.namespace(), dd.name(), d);
                compiled.put(id, compileDefaultDeny(dd, d));
                for (Pod p : snapshot.podsInNamespace(dd.namespace())) {
                    if (isolates(dd, p)) {
                        isolated(dd.audited() ? audited : iso, p, d).add(id);
                    }
                }
            }
        }
        // a direction no enforcing policy isolates gets the audited policies' list (see LocalPod)
        audited.forEach((pod, m) -> m.forEach((d, ids) -> {
            EnumMap<Direction, List<String>> enforcing = iso.computeIfAbsent(pod, k -> new EnumMap<>(Direction.class));
            enforcing.putIfAbsent(d, ids);
        }));
        Map<String, Map<Direction, List<String>>> out = new HashMap<>(iso.size() * 2);
        iso.forEach((pod, m) -> {
            EnumMap<Direction, List<String>> lists = new EnumMap<>(Direction.class);
            m.forEach((d, ids) -> {
                ids.sort(null);
                lists.put(d, List.copyOf(ids));
            });
            out.put(pod.key(), lists);
        });
        return out;
    }

    private static List<String> isolated(Map<Pod, EnumMap<Direction, List<String>>> iso, Pod p, Direction d) {
        return iso.computeIfAbsent(p, k -> new EnumMap<>(Direction.class)).computeIfAbsent(d, k -> new ArrayList<>(2));
    }

    private static boolean isolates(DefaultDeny dd, Pod p) {
        return !p.hostNetwork() && (dd.exemptPodSelector() == null || !dd.exemptPodSelector().matches(p.labels()));
    }

    private static Map<Direction, List<String>> lists(Map<Direction, TreeSet<String>> ids) {
        Map<Direction, List<String>> lists = new EnumMap<>(Direction.class);
        ids.forEach((d, set) -> lists.put(d, List.copyOf(set)));
        return lists;
    }

    /**
     * The policy ids isolating one pod per direction, as {@link #compile()} computes them for every
     * pod at once, or null when the pod is absent or not isolated.
     */
    static Map<Direction, List<String>> isolationOf(Pod p, ClusterSnapshot snapshot) {
        if (p == null || p.hostNetwork()) {
            return null;   // pod selectors never select host-network pods, DefaultDenies skip them
        }
        Map<Direction, TreeSet<String>> iso = new EnumMap<>(Direction.class);
        Map<Direction, TreeSet<String>> audited = new EnumMap<>(Direction.class);
        for (NetworkPolicy np : snapshot.policiesInNamespace(p.namespace())) {
            if (np.podSelector().matches(p.labels())) {
                for (Direction d : np.effectiveTypes()) {
                    (np.audited() ? audited : iso).computeIfAbsent(d, k -> new TreeSet<>())
                            .add(PolicyRules.idOf("NetworkPolicy", np.namespace(), np.name(), d));
                }
            }
        }
        for (DefaultDeny dd : snapshot.defaultDeniesInNamespace(p.namespace())) {
            if (isolates(dd, p)) {
                for (Direction d : dd.policyTypes()) {
                    (dd.audited() ? audited : iso).computeIfAbsent(d, k -> new TreeSet<>())
                            .add(PolicyRules.idOf("DefaultDeny", dd.namespace(), dd.name(), d));
                }
            }
        }
        audited.forEach(iso::putIfAbsent);
        return iso.isEmpty() ? null : lists(iso);
    }

    /**
     * For every pod a ClusterNetworkPolicy's subject selects (never a host-network pod: "host-networked
     * pods are not included in subject selection"), the ids of the policy directions with rules, Admin
     * tier first, then Baseline, each in {@link ClusterNetworkPolicy#EVALUATION_ORDER}; compiles them.
     * A direction without rules is left out: "CNPs with no ingress rules do not affect ingress traffic".
     */
    private Map<String, Map<Direction, List<String>>> clusterSubjects() {
        List<ClusterNetworkPolicy> ordered = new ArrayList<>();
        for (Tier tier : Tier.values()) {   // declared in evaluation order: Admin, Baseline
            ordered.addAll(snapshot.clusterPolicies(tier));
        }
        if (ordered.isEmpty()) {
            return new HashMap<>();
        }
        Map<String, Map<Direction, List<String>>> out = new HashMap<>(snapshot.pods().size() * 4 / 3 + 1);
        // policy i's direction ids (null: no rules in that direction), compiled; the subject's pods are
        // listed only for the ingress named ports that resolve against them
        String[][] ids = new String[ordered.size()][Direction.values().length];
        for (int i = 0; i < ordered.size(); i++) {
            ClusterNetworkPolicy cnp = ordered.get(i);
            for (Direction d : Direction.values()) {
                if (!cnp.rules(d).isEmpty()) {
                    ids[i][d.ordinal()] = PolicyRules.clusterIdOf(cnp.name(), d);
                    compiled.put(ids[i][d.ordinal()], compileClusterPolicy(cnp, d, () -> engine.subjectPods(cnp)));
                }
            }
        }
        // the subjects per namespace (what the engine's subjectPods selects, grouped): a namespaces subject
        // selects every pod of the namespace, so a namespace's pods share its lists and only the pods
        // subjects are evaluated per pod, through the label index
        Map<String, NamespaceSubjects> byNamespace = new HashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            ClusterSubject subject = ordered.get(i).subject();
            for (String ns : snapshot.selectNamespaces(subject.namespaceSelector())) {
                NamespaceSubjects n = byNamespace.computeIfAbsent(ns, k -> new NamespaceSubjects());
                if (subject.podSelector() == null) {
                    n.whole.set(i);
                } else {
                    n.podSubjects.add(i);
                }
            }
        }
        // pods selected alike share one map and lists (a cluster has far fewer distinct lists than pods)
        Map<BitSet, Map<Direction, List<String>>> interned = new HashMap<>();
        java.util.function.Function<BitSet, Map<Direction, List<String>>> lists = bits -> interned.computeIfAbsent(bits,
                b -> subjectLists(b, ids));
        byNamespace.forEach((ns, n) -> {
            Map<Pod, BitSet> perPod = new java.util.IdentityHashMap<>();
            for (int i : n.podSubjects) {
                for (Pod p : snapshot.selectPods(ns, ordered.get(i).subject().podSelector())) {   // never host-network ones
                    perPod.computeIfAbsent(p, k -> (BitSet) n.whole.clone()).set(i);
                }
            }
            Map<Direction, List<String>> whole = n.whole.isEmpty() ? null : lists.apply(n.whole);
            for (Pod p : snapshot.podsInNamespace(ns)) {
                if (p.hostNetwork()) {
                    continue;   // "host-networked pods are not included in subject selection"
                }
                BitSet own = perPod.get(p);
                Map<Direction, List<String>> m = own != null ? lists.apply(own) : whole;
                if (m != null) {
                    out.put(p.key(), m);
                }
            }
        });
        return out;
    }

    /** The policies whose namespace selector selects one namespace: indexes into the evaluation order. */
    private static final class NamespaceSubjects {
        /** Policies with a namespaces subject: they select every pod of the namespace. */
        final BitSet whole = new BitSet();
        /** Policies with a pods subject: their pod selector decides per pod. */
        final List<Integer> podSubjects = new ArrayList<>(2);
    }

    /**
     * The direction ids of the policies in {@code bits} (indexes into the evaluation order, so ascending
     * is evaluation order), per direction with any, or null when no direction has one.
     */
    private static Map<Direction, List<String>> subjectLists(BitSet bits, String[][] ids) {
        EnumMap<Direction, List<String>> m = new EnumMap<>(Direction.class);
        for (Direction d : Direction.values()) {
            List<String> l = new ArrayList<>(bits.cardinality());
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                if (ids[i][d.ordinal()] != null) {
                    l.add(ids[i][d.ordinal()]);
                }
            }
            if (!l.isEmpty()) {
                m.put(d, List.copyOf(l));
            }
        }
        return m.isEmpty() ? null : java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The ClusterNetworkPolicy direction ids selecting one pod per direction, as {@link #compile()}
     * computes them for every pod at once, or null when the pod is absent or no subject selects it.
     */
    static Map<Direction, List<String>> clusterSubjectsOf(Pod p, ClusterSnapshot snapshot) {
        if (p == null || p.hostNetwork() || snapshot.clusterPolicies().isEmpty()) {
            return null;
        }
        Map<String, String> namespaceLabels = snapshot.namespaceLabels(p.namespace());
        Map<Direction, List<String>> out = new EnumMap<>(Direction.class);
        for (Tier tier : Tier.values()) {
            for (ClusterNetworkPolicy cnp : snapshot.clusterPolicies(tier)) {
                if (!cnp.subject().selects(p, namespaceLabels)) {
                    continue;
                }
                for (Direction d : Direction.values()) {
                    if (!cnp.rules(d).isEmpty()) {
                        out.computeIfAbsent(d, k -> new ArrayList<>(2)).add(PolicyRules.clusterIdOf(cnp.name(), d));
                    }
                }
            }
        }
        if (out.isEmpty()) {
            return null;
        }
        out.replaceAll((d, ids) -> List.copyOf(ids));
        return out;
    }

    /**
     * One direction of a ClusterNetworkPolicy whose subject selects {@code selected} (asked for once, and
     * only when an ingress rule has a named port: they resolve against the subject's pods): each rule in
     * written order with its action and name. A rule that fails closed as a whole
     * ({@link ClusterRule#deniesAll()}: a Deny or Pass rule with a peer Netfence cannot read) is a
     * "Deny all" rule; an unreadable peer of an Accept rule matches nothing ("treat the rule as
     * matching no traffic" when it is the only one), so it is dropped. Peers: {@code namespaces} and
     * {@code pods} are the same pod sets as a NetworkPolicy peer with a namespaceSelector (and
     * podSelector), so they share those address sets; {@code networks} one interval set per CIDR
     * (pod addresses in it match too); {@code nodes} the addresses of the matching nodes.
     */
    PolicyRules compileClusterPolicy(ClusterNetworkPolicy cnp, Direction d, java.util.function.Supplier<List<Pod>> selected) {
        List<ClusterRule> rules = cnp.rules(d);
        List<CompiledRule> out = new ArrayList<>(rules.size());
        List<Pod> subjects = null;
        for (int r = 0; r < rules.size(); r++) {
            ClusterRule rule = rules.get(r);
            String path = "spec." + d.field() + "[" + r + "]";
            if (rule.deniesAll()) {
                out.add(new CompiledRule(path, true, List.of(), true, List.of(), List.of(), RuleAction.DENY, rule.name()));
                continue;
            }
            TreeSet<String> peers = new TreeSet<>();
            for (ClusterPeer peer : rule.peers()) {
                for (PeerDefinition def : definitionsOf(peer)) {
                    peers.add(addressSets.intern(def, snapshot).name());
                }
            }
            TreeSet<PortRange> ranges = new TreeSet<>();
            TreeSet<DestinationPort> named = new TreeSet<>();
            List<Pod> destinations = null;
            for (ClusterPort cp : rule.protocols()) {
                if (!cp.isNamed()) {
                    ranges.add(new PortRange(cp.protocol(), cp.start(), cp.end()));
                    continue;
                }
                if (destinations == null && d == Direction.INGRESS) {
                    subjects = subjects != null ? subjects : selected.get();
                    destinations = subjects;
                } else if (destinations == null) {
                    destinations = clusterEgressNamedPortCandidates(rule);
                }
                // "selects a destination port on a pod based on the ContainerPort name", whatever its
                // protocol: every protocol the destination pod declares the name for (as the engine's
                // TierEvaluator.matchingPort resolves it per flow protocol)
                for (Pod dst : destinations) {
                    for (Protocol proto : Protocol.values()) {
                        int port = dst.resolveNamedPort(cp.namedPort(), proto);
                        if (port > 0) {
                            dst.ips().forEach(ip -> named.add(new DestinationPort(ip.toString(), proto, port)));
                        }
                    }
                }
            }
            // "If unspecified, protocol-specific attributes will not be used to match traffic": no protocols, any port
            out.add(new CompiledRule(path, false, List.copyOf(peers), rule.protocols().isEmpty(), List.copyOf(ranges),
                    List.copyOf(named), rule.action(), rule.name()));
        }
        return PolicyRules.cluster(cnp.name(), cnp.tier(), cnp.priority(), d, out);
    }

    /** The pods a ClusterNetworkPolicy's subject selects in this compiler's snapshot. */
    List<Pod> subjectPods(ClusterNetworkPolicy cnp) {
        return engine.subjectPods(cnp);
    }

    /** The address set definitions of one ClusterNetworkPolicy peer; none for a peer Netfence cannot read. */
    static List<PeerDefinition> definitionsOf(ClusterPeer peer) {
        if (peer instanceof ClusterPeer.Namespaces n) {
            return List.of(PeerDefinition.Pods.of(null, n.namespaces() == null ? LabelSelector.ALL : n.namespaces(),
                    LabelSelector.ALL));
        }
        if (peer instanceof ClusterPeer.Pods p) {
            return List.of(PeerDefinition.Pods.of(null, p.namespaces(), p.pods()));
        }
        if (peer instanceof ClusterPeer.Networks n) {
            List<PeerDefinition> out = new ArrayList<>(n.cidrs().size());
            n.cidrs().forEach(c -> out.add(PeerDefinition.IpBlock.of(new dev.netfence.policy.model.IpBlock(c, List.of()))));
            return out;
        }
        if (peer instanceof ClusterPeer.Nodes n) {
            return List.of(new PeerDefinition.Nodes(n.nodes()));
        }
        return List.of();   // ClusterPeer.Unknown: matches nothing
    }

    /** The pods an egress named port of a ClusterNetworkPolicy rule can resolve against: pod peers of the rule. */
    private List<Pod> clusterEgressNamedPortCandidates(ClusterRule rule) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : snapshot.pods()) {
            if (isClusterEgressNamedPortCandidate(p, rule)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether pod {@code p} of this compiler's snapshot is a destination an egress named port of a ClusterNetworkPolicy rule resolves against. */
    boolean isClusterEgressNamedPortCandidate(Pod p, ClusterRule rule) {
        if (p.hostNetwork() || p.ips().isEmpty()) {
            return false;   // the engine resolves named ports against pod endpoints only
        }
        return p.ips().stream().anyMatch(ip -> rule.peers().stream()
                .anyMatch(peer -> engine.clusterPeerMatches(peer, new Endpoint.PodEndpoint(p, ip))));
    }

    /** One direction of a NetworkPolicy selecting {@code selected}, its peers interned into the address set table. */
    PolicyRules compilePolicy(NetworkPolicy np, Direction d, List<Pod> selected) {
        String id = PolicyRules.idOf("NetworkPolicy", np.namespace(), np.name(), d);
        List<PolicyRule> rules = np.rules(d);
        List<CompiledRule> out = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            PolicyRule rule = rules.get(r);
            TreeSet<String> peers = new TreeSet<>();
            for (Peer peer : rule.peers()) {
                peers.add(addressSets.intern(definitionOf(peer, np.namespace()), snapshot).name());
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
        return new PolicyRules(id, "NetworkPolicy", np.namespace(), np.name(), d, out, np.audited());
    }

    /**
     * The pods an egress named port can resolve against: any pod (never a host-network one, which is
     * not a pod endpoint) that is also a peer of the rule, since the rule needs both to match.
     */
    private List<Pod> egressNamedPortCandidates(PolicyRule rule, String policyNamespace) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : snapshot.pods()) {
            if (isEgressNamedPortCandidate(p, rule, policyNamespace)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether pod {@code p} of this compiler's snapshot is a destination an egress named port of {@code rule} resolves against. */
    boolean isEgressNamedPortCandidate(Pod p, PolicyRule rule, String policyNamespace) {
        if (p.hostNetwork() || p.ips().isEmpty()) {
            return false;
        }
        return rule.peers().isEmpty() || p.ips().stream().anyMatch(ip -> rule.peers().stream()
                .anyMatch(peerDef -> engine.peerMatches(peerDef, policyNamespace, new Endpoint.PodEndpoint(p, ip))));
    }

    /** One direction of a DefaultDeny: its carve-outs (DNS, same namespace), or no rule at all. */
    PolicyRules compileDefaultDeny(DefaultDeny dd, Direction d) {
        String id = PolicyRules.idOf("DefaultDeny", dd.namespace(), dd.name(), d);
        List<CompiledRule> out = new ArrayList<>();
        if (d == Direction.EGRESS && dd.allowDNS()) {
            TreeSet<PortRange> ports = new TreeSet<>();
            snapshot.dns().ports().forEach(dp -> ports.add(new PortRange(dp.protocol(), dp.port(), dp.port())));
            String set = addressSets.intern(new PeerDefinition.Dns(snapshot.dns()), snapshot).name();
            out.add(new CompiledRule("spec.allowDNS", false, List.of(set), false, List.copyOf(ports), List.of()));
        }
        if (dd.allowSameNamespace()) {
            // the same pods as a peer {podSelector: {}} in this namespace, so it shares that set
            String set = addressSets.intern(PeerDefinition.Pods.of(dd.namespace(), null, LabelSelector.ALL), snapshot).name();
            out.add(new CompiledRule("spec.allowSameNamespace", false, List.of(set), true, List.of(), List.of()));
        }
        return new PolicyRules(id, "DefaultDeny", dd.namespace(), dd.name(), d, out, dd.audited());
    }

    /** The definition of one peer: the pods it selects, or its ipBlock's intervals. */
    static PeerDefinition definitionOf(Peer peer, String policyNamespace) {
        if (peer.ipBlock() != null) {
            return PeerDefinition.IpBlock.of(peer.ipBlock());
        }
        return PeerDefinition.Pods.of(policyNamespace, peer.namespaceSelector(), peer.podSelector());
    }
}
