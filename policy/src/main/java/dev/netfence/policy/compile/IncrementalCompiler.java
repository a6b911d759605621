package dev.netfence.policy.compile;

import dev.netfence.policy.model.ClusterDelta;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
import dev.netfence.policy.persistent.PersistentSortedMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Compiles a sequence of snapshots, recomputing for each only what the change since the previous
 * one touches, the change given as a keyed {@link ClusterDelta} ({@link #update(ClusterSnapshot,
 * ClusterDelta)}, what the cluster model produces) or found by diffing the two snapshots
 * ({@link #update(ClusterSnapshot)}). Antrea's controller does the same with its group and policy
 * indexes; here: the address
 * sets a changed pod or namespace can be a member of, the policies that changed or whose named
 * ports resolve against changed pods, the isolation of changed pods and of the pods of changed
 * policies, and the rule sets of the nodes hosting those pods or referencing a changed policy.
 * The result is always equal to {@link RuleSetCompiler#compile(ClusterSnapshot)} of the new
 * snapshot; a change of the cluster DNS or of a large part of the objects is compiled in full.
 *
 * <p>Meant for one worker; calls are serialised.
 */
public final class IncrementalCompiler {

    /** Above this fraction of changed pods or policies a full compile is cheaper than tracking. */
    private static final double FULL_COMPILE_FRACTION = 0.1;
    /** Order of {@link ClusterSnapshot#pods()}: namespace, then name. */
    private static final Comparator<Pod> POD_ORDER = Comparator.comparing(Pod::namespace).thenComparing(Pod::name);

    private ClusterSnapshot snapshot;
    private CompiledCluster output;
    private AddressSetTable addressSets;
    /** Every compiled policy direction, by id (ingress named ports not narrowed). */
    private Map<String, PolicyRules> policies;
    /** How many compiled policy directions refer to each address set; a set nobody refers to is dropped. */
    private Map<String, Integer> references;
    private Map<String, Map<Direction, List<String>>> isolation;
    /** The ClusterNetworkPolicy directions selecting each pod, as {@link RuleSetCompiler#clusterSubjectsOf} gives them. */
    private Map<String, Map<Direction, List<String>>> clusterSubjects;
    /** Pods scheduled to each node, in snapshot order. */
    private Map<String, TreeMap<Pod, Pod>> podsByNode;
    private PersistentSortedMap<String, NodeRuleSet> nodes;
    /** The nodes whose rule sets contain each policy id. */
    private Map<String, Set<String>> nodesByPolicy;
    private Map<String, TreeSet<String>> spans;
    /** The output's address sets and spans, kept up to date with {@link #spans}. */
    private PersistentSortedMap<String, AddressSet> usedSets;
    private PersistentSortedMap<String, List<String>> spanLists;
    private CompiledChanges lastChanges = CompiledChanges.EVERYTHING;
    /** Address sets whose reference count dropped to 0 during this update: dropped at its end unless referenced again. */
    private final Set<String> unreferenced = new HashSet<>();
    /** The NetworkPolicies with named ports, per direction. */
    private NamedPortPolicies namedPorts;
    private long fullCompiles;
    private long incrementalCompiles;

    /**
     * The compiled cluster of {@code next}, computed from what changed since the previous call,
     * found by diffing the previous and the new snapshot (a walk over every object of both). Use
     * {@link #update(ClusterSnapshot, ClusterDelta)} when the change set is known.
     */
    public synchronized CompiledCluster update(ClusterSnapshot next) {
        if (snapshot == null || !snapshot.dns().equals(next.dns())) {
            return full(next);
        }
        if (next == snapshot) {
            lastChanges = CompiledChanges.NONE;
            return output;
        }
        return update(next, Change.between(snapshot, next));
    }

    /**
     * The compiled cluster of {@code next}, computed from {@code delta} without comparing the
     * snapshots object by object.
     *
     * <p>Contract: {@code delta} holds (at least) every change from the snapshot of this compiler's
     * previous update to {@code next}; normally {@code next == previous.apply(delta)}, or
     * {@code previous.apply(d1).apply(d2)} with {@code delta == d1.then(d2)} for a caller that
     * batched several deltas. Keys in the delta whose records did not change cost a lookup and
     * nothing else. The first call (no previous snapshot), a DNS change, or a delta touching more
     * than a tenth of the objects compiles in full. The result is always equal to
     * {@link RuleSetCompiler#compile(ClusterSnapshot)} of {@code next} when the contract holds.
     *
     * @throws IllegalArgumentException when an upsert or removal of {@code delta} is not what
     *         {@code next} holds (the delta belongs to another snapshot); nothing is changed then
     */
    public synchronized CompiledCluster update(ClusterSnapshot next, ClusterDelta delta) {
        if (snapshot == null || !snapshot.dns().equals(next.dns())) {
            return full(next);
        }
        if (next == snapshot && delta.isEmpty()) {
            lastChanges = CompiledChanges.NONE;
            return output;
        }
        return update(next, Change.of(snapshot, next, delta));
    }

    private CompiledCluster update(ClusterSnapshot next, Change change) {
        int objects = Math.max(1, next.pods().size() + next.policies().size() + next.defaultDenies().size()
                + next.clusterPolicies().size());
        if (change.size() > Math.max(16, objects * FULL_COMPILE_FRACTION)) {
            return full(next);
        }
        try {
            incremental(next, change);
        } catch (RuntimeException | Error e) {
            snapshot = null;   // the indexes may be half updated: the next update compiles in full
            output = null;
            throw e;
        }
        incrementalCompiles++;
        return output;
    }

    /** Compiles {@code next} from scratch and keeps the indexes for the next {@link #update}. */
    public synchronized CompiledCluster full(ClusterSnapshot next) {
        snapshot = null;   // until the indexes are complete: a failure leaves the next update to compile in full
        addressSets = new AddressSetTable();
        RuleSetCompiler compiler = new RuleSetCompiler(next, addressSets);
        output = compiler.compile();
        policies = new HashMap<>(compiler.compiledPolicies());
        isolation = new HashMap<>(compiler.isolationByPod());
        clusterSubjects = new HashMap<>(compiler.clusterSubjectsByPod());
        references = new HashMap<>();
        policies.values().forEach(pr -> reference(pr, 1));
        // after a full compile every set in the table is referenced by at least one compiled policy
        podsByNode = new HashMap<>();
        next.pods().forEach(this::place);
        nodes = sorted(output.nodes());
        nodesByPolicy = new HashMap<>();
        nodes.values().forEach(rs -> index(rs, 1));
        spans = new HashMap<>();
        output.addressSetSpans().forEach((set, span) -> spans.put(set, new TreeSet<>(span)));
        usedSets = sorted(output.addressSets());
        spanLists = sorted(output.addressSetSpans());
        unreferenced.clear();
        namedPorts = new NamedPortPolicies();
        next.policies().forEach(namedPorts::add);
        snapshot = next;
        lastChanges = CompiledChanges.EVERYTHING;
        fullCompiles++;
        return output;
    }

    /**
     * What the last update changed in its output, so that a publisher can write only those
     * objects instead of walking every node and set: {@link CompiledChanges#everything()} after a
     * full compile (including the first), nothing after an update that changed nothing.
     */
    public synchronized CompiledChanges lastChanges() {
        return lastChanges;
    }

    public long fullCompiles() {
        return fullCompiles;
    }

    public long incrementalCompiles() {
        return incrementalCompiles;
    }

    private void incremental(ClusterSnapshot next, Change change) {
        ClusterSnapshot prev = snapshot;
        RuleSetCompiler compiler = new RuleSetCompiler(next, addressSets);
        RuleSetCompiler prevCompiler = new RuleSetCompiler(prev, new AddressSetTable());

        // 1. address sets a changed pod (either version) or a relabelled namespace can be a member of
        // (only the definitions of the changed pods' namespaces and those selecting namespaces are tested)
        Set<String> candidates = new HashSet<>();
        for (Pod[] pair : change.pods.values()) {
            addressSets.candidatesFor((pair[0] != null ? pair[0] : pair[1]).namespace(), candidates);
        }
        if (!change.namespaces.isEmpty()) {
            candidates.addAll(addressSets.namespaceSelecting());
        }
        if (!change.nodes.isEmpty()) {
            candidates.addAll(addressSets.nodeSelecting());
        }
        Set<String> changedSets = new HashSet<>();
        for (String name : candidates) {
            if (affects(addressSets.definition(name), change, prev, next) && addressSets.refresh(name, next)) {
                changedSets.add(name);
            }
        }

        // 2. policies: changed ones, and unchanged ones whose named ports resolve against changed pods
        Set<String> changedPolicies = new HashSet<>();
        Set<String> reisolate = new HashSet<>();
        for (String key : change.policies) {
            NetworkPolicy old = policy(prev, key);
            NetworkPolicy now = policy(next, key);
            for (Direction d : Direction.values()) {
                String id = old != null ? PolicyRules.idOf("NetworkPolicy", old.namespace(), old.name(), d)
                        : PolicyRules.idOf("NetworkPolicy", now.namespace(), now.name(), d);
                PolicyRules rules = now != null && now.effectiveTypes().contains(d)
                        ? compiler.compilePolicy(now, d, next.selectPods(now.namespace(), now.podSelector())) : null;
                replace(id, rules, changedPolicies);
            }
            if (old != null) {
                prev.selectPods(old.namespace(), old.podSelector()).forEach(p -> reisolate.add(p.key()));
            }
            if (now != null) {
                next.selectPods(now.namespace(), now.podSelector()).forEach(p -> reisolate.add(p.key()));
            }
        }
        for (String key : change.policies) {
            namedPorts.remove(policy(prev, key));
            namedPorts.add(policy(next, key));
        }
        if (!change.pods.isEmpty() || !change.namespaces.isEmpty()) {
            // ingress named ports resolve against the policy's own pods: only policies of the changed
            // pods' namespaces; egress ones against their peers, which can be anywhere
            Map<String, Set<Direction>> candidatePolicies = new HashMap<>();
            for (Pod[] pair : change.pods.values()) {
                for (String key : namedPorts.ingressIn((pair[0] != null ? pair[0] : pair[1]).namespace())) {
                    candidatePolicies.computeIfAbsent(key, k -> EnumSet.noneOf(Direction.class)).add(Direction.INGRESS);
                }
            }
            for (String key : namedPorts.egress()) {
                candidatePolicies.computeIfAbsent(key, k -> EnumSet.noneOf(Direction.class)).add(Direction.EGRESS);
            }
            for (Map.Entry<String, Set<Direction>> candidate : candidatePolicies.entrySet()) {
                if (change.policies.contains(candidate.getKey())) {
                    continue;   // compiled above
                }
                NetworkPolicy np = policy(next, candidate.getKey());
                for (Direction d : candidate.getValue()) {
                    if (np.effectiveTypes().contains(d) && namedPortsAffected(np, d, change, prevCompiler, compiler)) {
                        replace(PolicyRules.idOf("NetworkPolicy", np.namespace(), np.name(), d),
                                compiler.compilePolicy(np, d, next.selectPods(np.namespace(), np.podSelector())), changedPolicies);
                    }
                }
            }
        }
        for (String key : change.defaultDenies) {
            DefaultDeny old = defaultDeny(prev, key);
            DefaultDeny now = defaultDeny(next, key);
            for (Direction d : Direction.values()) {
                String id = old != null ? PolicyRules.idOf("DefaultDeny", old.namespace(), old.name(), d)
                        : PolicyRules.idOf("DefaultDeny", now.namespace(), now.name(), d);
                replace(id, now != null && now.policyTypes().contains(d) ? compiler.compileDefaultDeny(now, d) : null,
                        changedPolicies);
            }
            String ns = old != null ? old.namespace() : now.namespace();
            prev.podsInNamespace(ns).forEach(p -> reisolate.add(p.key()));
            next.podsInNamespace(ns).forEach(p -> reisolate.add(p.key()));
        }
        // ClusterNetworkPolicies: changed ones (their subjects' pods get their tier lists again), and
        // unchanged ones whose named ports resolve against changed pods
        Set<String> resubject = new HashSet<>();
        for (String name : change.clusterPolicies) {
            ClusterNetworkPolicy old = prev.clusterPolicy(name).orElse(null);
            ClusterNetworkPolicy now = next.clusterPolicy(name).orElse(null);
            List<Pod> selected = now == null ? List.of() : compiler.subjectPods(now);
            for (Direction d : Direction.values()) {
                PolicyRules rules = now != null && !now.rules(d).isEmpty() ? compiler.compileClusterPolicy(now, d, () -> selected) : null;
                replace(PolicyRules.clusterIdOf(name, d), rules, changedPolicies);
            }
            if (old != null && now != null && sameSubjectLists(old, now)) {
                continue;   // only rules changed: the nodes using the policy take its new rules (step 4)
            }
            if (old != null) {
                prevCompiler.subjectPods(old).forEach(p -> resubject.add(p.key()));
            }
            selected.forEach(p -> resubject.add(p.key()));
        }
        if (!change.pods.isEmpty() || !change.namespaces.isEmpty() || !change.nodes.isEmpty()) {
            for (ClusterNetworkPolicy cnp : next.clusterPolicies()) {
                if (change.clusterPolicies.contains(cnp.name())) {
                    continue;   // compiled above
                }
                for (Direction d : Direction.values()) {
                    if (clusterNamedPortsAffected(cnp, d, change, prev, next, prevCompiler, compiler)) {
                        replace(PolicyRules.clusterIdOf(cnp.name(), d), compiler.compileClusterPolicy(cnp, d,
                                        () -> compiler.subjectPods(cnp)),
                                changedPolicies);
                    }
                }
            }
        }
        for (String ns : change.namespaces) {
            // a namespace's labels select the subjects of namespace selectors
            if (!next.clusterPolicies().isEmpty()) {   // with none, the removed ones' subjects were taken above
                prev.podsInNamespace(ns).forEach(p -> resubject.add(p.key()));
                next.podsInNamespace(ns).forEach(p -> resubject.add(p.key()));
            }
        }
        for (String name : unreferenced) {
            if (references.getOrDefault(name, 0) == 0) {
                references.remove(name);
                addressSets.remove(name);
            }
        }
        unreferenced.clear();

        // 3. pods: move them between nodes, then isolate again the changed ones and those of changed policies
        Set<String> dirtyNodes = new TreeSet<>(change.nodes);
        for (Pod[] pair : change.pods.values()) {
            Pod old = pair[0];
            Pod now = pair[1];
            if (old != null) {
                displace(old);
                if (old.nodeName() != null) {
                    dirtyNodes.add(old.nodeName());
                }
            }
            if (now != null) {
                place(now);
                if (now.nodeName() != null) {
                    dirtyNodes.add(now.nodeName());
                }
            }
            reisolate.add(old != null ? old.key() : now.key());
            resubject.add(old != null ? old.key() : now.key());
        }
        refreshPodLists(reisolate, isolation, RuleSetCompiler::isolationOf, next, dirtyNodes);
        refreshPodLists(resubject, clusterSubjects, RuleSetCompiler::clusterSubjectsOf, next, dirtyNodes);

        // 4. node rule sets of the dirty nodes and of the nodes using a changed policy, then spans; a node
        // whose pods and their lists are unchanged only takes the changed policies' new rules
        Set<String> rulesOnly = new HashSet<>();
        for (String id : changedPolicies) {
            for (String node : nodesByPolicy.getOrDefault(id, Set.of())) {
                if (!dirtyNodes.contains(node)) {
                    rulesOnly.add(node);
                }
            }
        }
        dirtyNodes.addAll(rulesOnly);
        Set<String> touchedSets = new HashSet<>(changedSets);
        Set<String> changedNodes = new TreeSet<>();
        for (String node : dirtyNodes) {
            NodeRuleSet before = nodes.get(node);
            NodeRuleSet rs = rulesOnly.contains(node) && before != null
                    ? RuleSetCompiler.withPolicies(before, changedPolicies, policies) : null;
            boolean samePolicies = rs != null;   // the same ids: the policy index stays as it is
            if (rs == null) {
                TreeMap<Pod, Pod> local = podsByNode.get(node);
                rs = RuleSetCompiler.nodeRuleSet(node, next.node(node).orElse(null),
                        local == null ? List.of() : local.keySet(), isolation, clusterSubjects, policies);
            }
            if (Objects.equals(before, rs)) {
                continue;   // keep the same instance: consumers may compare by identity
            }
            nodes = rs == null ? nodes.without(node) : nodes.with(node, rs);
            changedNodes.add(node);
            // only what the node gained or lost changes the spans and the policy index: a set used by
            // thousands of nodes is not copied again because one of them changed elsewhere
            List<String> setsBefore = before == null ? List.of() : before.addressSets();
            List<String> setsNow = rs == null ? List.of() : rs.addressSets();
            Set<String> kept = new HashSet<>(setsBefore);
            kept.retainAll(setsNow);
            setsBefore.stream().filter(set -> !kept.contains(set)).forEach(set -> span(set, node, false, touchedSets));
            setsNow.stream().filter(set -> !kept.contains(set)).forEach(set -> span(set, node, true, touchedSets));
            if (samePolicies) {
                continue;
            }
            Set<String> idsBefore = policyIds(before);
            Set<String> idsNow = policyIds(rs);
            for (String id : idsBefore) {
                if (!idsNow.contains(id)) {
                    unindex(id, node);
                }
            }
            for (String id : idsNow) {
                if (!idsBefore.contains(id)) {
                    nodesByPolicy.computeIfAbsent(id, k -> new HashSet<>()).add(node);
                }
            }
        }
        Set<String> changedSetNames = new TreeSet<>();
        for (String set : touchedSets) {
            TreeSet<String> span = spans.get(set);
            AddressSet beforeSet = usedSets.get(set);
            List<String> beforeSpan = spanLists.get(set);
            AddressSet nowSet = span == null ? null : addressSets.get(set);
            List<String> nowSpan = span == null ? null : List.copyOf(span);
            if (!Objects.equals(beforeSet, nowSet)) {
                usedSets = nowSet == null ? usedSets.without(set) : usedSets.with(set, nowSet);
                changedSetNames.add(set);
            }
            if (!Objects.equals(beforeSpan, nowSpan)) {
                spanLists = nowSpan == null ? spanLists.without(set) : spanLists.with(set, nowSpan);
                changedSetNames.add(set);
            }
        }
        snapshot = next;
        output = new CompiledCluster(nodes, usedSets, spanLists);
        lastChanges = new CompiledChanges(false, Collections.unmodifiableSet(changedNodes),
                Collections.unmodifiableSet(changedSetNames));
    }

    /**
     * Whether two versions of a ClusterNetworkPolicy put the same ids in the same place of every pod's
     * tier lists: same subject, tier and priority (the evaluation order), and rules in the same directions.
     */
    private static boolean sameSubjectLists(ClusterNetworkPolicy old, ClusterNetworkPolicy now) {
        if (!old.subject().equals(now.subject()) || old.tier() != now.tier() || old.priority() != now.priority()) {
            return false;
        }
        for (Direction d : Direction.values()) {
            if (old.rules(d).isEmpty() != now.rules(d).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the members of {@code def} can differ between the two snapshots. */
    private static boolean affects(PeerDefinition def, Change change, ClusterSnapshot prev, ClusterSnapshot next) {
        if (def.dependsOnNodes() && !change.nodes.isEmpty()) {
            return true;   // a few nodes peers at most: re-evaluated on any node change
        }
        for (Pod[] pair : change.pods.values()) {
            if ((pair[0] != null && def.selects(pair[0], prev)) || (pair[1] != null && def.selects(pair[1], next))) {
                return true;
            }
        }
        if (def.dependsOnNamespaceLabels() && def instanceof PeerDefinition.Pods pods) {
            for (String ns : change.namespaces) {
                if (pods.namespaceSelector().matches(prev.namespaceLabels(ns))
                        || pods.namespaceSelector().matches(next.namespaceLabels(ns))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether a direction of an unchanged policy resolves named ports against a changed pod: for
     * ingress the pods it selects, for egress the pods its rule's peers match.
     */
    private static boolean namedPortsAffected(NetworkPolicy np, Direction d, Change change,
                                              RuleSetCompiler prevCompiler, RuleSetCompiler compiler) {
        for (PolicyRule rule : np.rules(d)) {
            if (rule.ports().stream().noneMatch(PolicyPort::isNamed)) {
                continue;
            }
            if (d == Direction.EGRESS && !change.namespaces.isEmpty()
                    && rule.peers().stream().anyMatch(p -> p.namespaceSelector() != null)) {
                return true;
            }
            for (Pod[] pair : change.pods.values()) {
                for (int v = 0; v < 2; v++) {
                    Pod p = pair[v];
                    if (p == null) {
                        continue;
                    }
                    boolean depends = d == Direction.INGRESS
                            ? !p.hostNetwork() && p.namespace().equals(np.namespace()) && np.podSelector().matches(p.labels())
                            : (v == 0 ? prevCompiler : compiler).isEgressNamedPortCandidate(p, rule, np.namespace());
                    if (depends) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether a direction of an unchanged ClusterNetworkPolicy resolves named ports against a changed
     * pod: for ingress the subject pods, for egress the pods its rule's peers match (a namespace
     * change can change both; a node change only egress candidates matched by a nodes peer).
     */
    private static boolean clusterNamedPortsAffected(ClusterNetworkPolicy cnp, Direction d, Change change,
                                                     ClusterSnapshot prev, ClusterSnapshot next,
                                                     RuleSetCompiler prevCompiler, RuleSetCompiler compiler) {
        for (ClusterRule rule : cnp.rules(d)) {
            if (rule.deniesAll() || rule.protocols().stream().noneMatch(ClusterPort::isNamed)) {
                continue;
            }
            if (!change.namespaces.isEmpty()) {
                return true;
            }
            if (d == Direction.EGRESS && !change.nodes.isEmpty()
                    && rule.peers().stream().anyMatch(p -> p instanceof ClusterPeer.Nodes)) {
                return true;
            }
            for (Pod[] pair : change.pods.values()) {
                for (int v = 0; v < 2; v++) {
                    Pod p = pair[v];
                    if (p == null) {
                        continue;
                    }
                    ClusterSnapshot s = v == 0 ? prev : next;
                    boolean depends = d == Direction.INGRESS
                            ? cnp.subject().selects(p, s.namespaceLabels(p.namespace()))
                            : (v == 0 ? prevCompiler : compiler).isClusterEgressNamedPortCandidate(p, rule);
                    if (depends) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Sets the compiled policy direction {@code id} (null: gone), noting it when its content changed. */
    private void replace(String id, PolicyRules rules, Set<String> changed) {
        PolicyRules before = rules == null ? policies.remove(id) : policies.put(id, rules);
        if (Objects.equals(before, rules)) {
            return;
        }
        changed.add(id);
        if (before != null) {
            reference(before, -1);
        }
        if (rules != null) {
            reference(rules, 1);
        }
    }

    private void reference(PolicyRules rules, int delta) {
        for (CompiledRule r : rules.rules()) {
            for (String set : r.peers()) {
                if (references.merge(set, delta, Integer::sum) == 0) {
                    unreferenced.add(set);
                }
            }
        }
    }

    private void index(NodeRuleSet rs, int delta) {
        for (PolicyRules pr : rs.policies()) {
            if (delta > 0) {
                nodesByPolicy.computeIfAbsent(pr.id(), k -> new HashSet<>()).add(rs.node());
            } else {
                unindex(pr.id(), rs.node());
            }
        }
    }

    private void unindex(String policyId, String node) {
        Set<String> n = nodesByPolicy.get(policyId);
        if (n != null && n.remove(node) && n.isEmpty()) {
            nodesByPolicy.remove(policyId);
        }
    }

    private static Set<String> policyIds(NodeRuleSet rs) {
        if (rs == null) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        rs.policies().forEach(pr -> ids.add(pr.id()));
        return ids;
    }

    private void span(String set, String node, boolean add, Set<String> touched) {
        touched.add(set);
        if (add) {
            spans.computeIfAbsent(set, k -> new TreeSet<>()).add(node);
        } else {
            TreeSet<String> s = spans.get(set);
            if (s != null && s.remove(node) && s.isEmpty()) {
                spans.remove(set);
            }
        }
    }

    private void place(Pod p) {
        if (p.nodeName() != null) {
            podsByNode.computeIfAbsent(p.nodeName(), k -> new TreeMap<>(POD_ORDER)).put(p, p);
        }
    }

    private void displace(Pod p) {
        if (p.nodeName() != null) {
            TreeMap<Pod, Pod> local = podsByNode.get(p.nodeName());
            if (local != null) {
                local.remove(p);
                if (local.isEmpty()) {
                    podsByNode.remove(p.nodeName());
                }
            }
        }
    }

    /** An immutable sorted copy of {@code map}, to be updated entry by entry. */
    private static <V> PersistentSortedMap<String, V> sorted(Map<String, V> map) {
        TreeMap<String, V> sorted = new TreeMap<>(map);
        return PersistentSortedMap.ofSorted(Comparator.naturalOrder(), List.copyOf(sorted.keySet()), List.copyOf(sorted.values()));
    }

    /**
     * The NetworkPolicies with named ports, by direction: ingress ones by namespace (they resolve
     * against the pods they select, all of their own namespace), egress ones all together (they
     * resolve against their peers, anywhere). Most policies have none, so a pod change tests a few.
     */
    private static final class NamedPortPolicies {
        private final Map<String, Set<String>> ingressByNamespace = new HashMap<>();
        private final Set<String> egress = new HashSet<>();

        void add(NetworkPolicy np) {
            if (np == null) {
                return;
            }
            String key = key(np.namespace(), np.name());
            if (hasNamedPorts(np, Direction.INGRESS)) {
                ingressByNamespace.computeIfAbsent(np.namespace(), k -> new HashSet<>()).add(key);
            }
            if (hasNamedPorts(np, Direction.EGRESS)) {
                egress.add(key);
            }
        }

        void remove(NetworkPolicy np) {
            if (np == null) {
                return;
            }
            String key = key(np.namespace(), np.name());
            Set<String> in = ingressByNamespace.get(np.namespace());
            if (in != null && in.remove(key) && in.isEmpty()) {
                ingressByNamespace.remove(np.namespace());
            }
            egress.remove(key);
        }

        Set<String> ingressIn(String namespace) {
            return ingressByNamespace.getOrDefault(namespace, Set.of());
        }

        Set<String> egress() {
            return egress;
        }

        private static boolean hasNamedPorts(NetworkPolicy np, Direction d) {
            for (PolicyRule r : np.rules(d)) {
                for (PolicyPort p : r.ports()) {
                    if (p.isNamed()) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static NetworkPolicy policy(ClusterSnapshot s, String key) {
        int slash = key.indexOf('/');
        return s.policy(key.substring(0, slash), key.substring(slash + 1)).orElse(null);
    }

    private static DefaultDeny defaultDeny(ClusterSnapshot s, String key) {
        int slash = key.indexOf('/');
        return s.defaultDeny(key.substring(0, slash), key.substring(slash + 1)).orElse(null);
    }

    /** What differs between two snapshots, by object key. */
    private record Change(Map<String, Pod[]> pods, Set<String> namespaces, Set<String> policies,
                          Set<String> defaultDenies, Set<String> nodes, Set<String> clusterPolicies) {

        /** The changes {@code delta} names, each compared with the previous version (unchanged keys are dropped). */
        static Change of(ClusterSnapshot prev, ClusterSnapshot next, ClusterDelta delta) {
            check(next, delta);
            Map<String, Pod[]> pods = new HashMap<>();
            for (String key : keys(delta.pods().keySet(), delta.removedPods())) {
                Pod old = pod(prev, key);
                Pod now = pod(next, key);
                if (!Objects.equals(old, now)) {
                    pods.put(key, new Pod[] {old, now});
                }
            }
            Set<String> namespaces = new HashSet<>();
            for (String ns : keys(delta.namespaces().keySet(), delta.removedNamespaces())) {
                if (!prev.namespaceLabels(ns).equals(next.namespaceLabels(ns))) {
                    namespaces.add(ns);
                }
            }
            Set<String> policies = new HashSet<>();
            for (String key : keys(delta.policies().keySet(), delta.removedPolicies())) {
                if (!Objects.equals(policy(prev, key), policy(next, key))) {
                    policies.add(key);
                }
            }
            Set<String> defaultDenies = new HashSet<>();
            for (String key : keys(delta.defaultDenies().keySet(), delta.removedDefaultDenies())) {
                if (!Objects.equals(defaultDeny(prev, key), defaultDeny(next, key))) {
                    defaultDenies.add(key);
                }
            }
            Set<String> nodes = new HashSet<>();
            for (String name : keys(delta.nodes().keySet(), delta.removedNodes())) {
                if (!Objects.equals(prev.node(name).orElse(null), next.node(name).orElse(null))) {
                    nodes.add(name);
                }
            }
            Set<String> clusterPolicies = new HashSet<>();
            for (String name : keys(delta.clusterPolicies().keySet(), delta.removedClusterPolicies())) {
                if (!Objects.equals(prev.clusterPolicy(name).orElse(null), next.clusterPolicy(name).orElse(null))) {
                    clusterPolicies.add(name);
                }
            }
            return new Change(pods, namespaces, policies, defaultDenies, nodes, clusterPolicies);
        }

        /** Refuses a delta that does not describe {@code next}: its upserts must be there, its removals gone. */
        private static void check(ClusterSnapshot next, ClusterDelta delta) {
            delta.pods().forEach((key, p) -> require(p.equals(pod(next, key)), "pod " + key));
            delta.removedPods().forEach(key -> require(pod(next, key) == null, "pod " + key));
            delta.namespaces().forEach((name, n) -> require(n.equals(next.namespace(name).orElse(null)), "namespace " + name));
            delta.removedNamespaces().forEach(name -> require(next.namespace(name).isEmpty(), "namespace " + name));
            delta.policies().forEach((key, p) -> require(p.equals(policy(next, key)), "NetworkPolicy " + key));
            delta.removedPolicies().forEach(key -> require(policy(next, key) == null, "NetworkPolicy " + key));
            delta.defaultDenies().forEach((key, d) -> require(d.equals(defaultDeny(next, key)), "DefaultDeny " + key));
            delta.removedDefaultDenies().forEach(key -> require(defaultDeny(next, key) == null, "DefaultDeny " + key));
            delta.nodes().forEach((name, n) -> require(n.equals(next.node(name).orElse(null)), "node " + name));
            delta.removedNodes().forEach(name -> require(next.node(name).isEmpty(), "node " + name));
            delta.clusterPolicies().forEach((name, c) -> require(c.equals(next.clusterPolicy(name).orElse(null)),
                    "ClusterNetworkPolicy " + name));
            delta.removedClusterPolicies().forEach(name -> require(next.clusterPolicy(name).isEmpty(),
                    "ClusterNetworkPolicy " + name));
            delta.dns().ifPresent(d -> require(d.equals(next.dns()), "the DNS configuration"));
        }

        private static void require(boolean holds, String what) {
            if (!holds) {
                throw new IllegalArgumentException("the change set does not lead to the given snapshot: " + what
                        + " is not what the change set says");
            }
        }

        private static Set<String> keys(Set<String> upserted, Set<String> removed) {
            if (removed.isEmpty()) {
                return upserted;
            }
            Set<String> all = new HashSet<>(upserted);
            all.addAll(removed);
            return all;
        }

        private static Pod pod(ClusterSnapshot s, String key) {
            int slash = key.indexOf('/');
            return s.pod(key.substring(0, slash), key.substring(slash + 1)).orElse(null);
        }

        static Change between(ClusterSnapshot prev, ClusterSnapshot next) {
            Map<String, Pod[]> pods = new HashMap<>();
            diff(prev.pods(), next.pods(), POD_ORDER, (old, now) -> pods.put((old != null ? old : now).key(), new Pod[] {old, now}));

            Set<String> namespaces = new HashSet<>();
            Set<String> names = new HashSet<>();
            prev.namespaces().forEach(n -> names.add(n.name()));
            next.namespaces().forEach(n -> names.add(n.name()));
            for (String ns : names) {
                if (!prev.namespaceLabels(ns).equals(next.namespaceLabels(ns))) {
                    namespaces.add(ns);
                }
            }

            Set<String> policies = new HashSet<>();
            diff(prev.policies(), next.policies(), Comparator.comparing(NetworkPolicy::namespace).thenComparing(NetworkPolicy::name),
                    (old, now) -> policies.add(old != null ? key(old.namespace(), old.name()) : key(now.namespace(), now.name())));
            Set<String> defaultDenies = new HashSet<>();
            diff(prev.defaultDenies(), next.defaultDenies(), Comparator.comparing(DefaultDeny::namespace).thenComparing(DefaultDeny::name),
                    (old, now) -> defaultDenies.add(old != null ? key(old.namespace(), old.name()) : key(now.namespace(), now.name())));
            Set<String> nodes = new HashSet<>();
            diff(prev.nodes(), next.nodes(), Comparator.comparing(Node::name),
                    (old, now) -> nodes.add(old != null ? old.name() : now.name()));
            Set<String> clusterPolicies = new HashSet<>();
            diff(prev.clusterPolicies(), next.clusterPolicies(), Comparator.comparing(ClusterNetworkPolicy::name),
                    (old, now) -> clusterPolicies.add(old != null ? old.name() : now.name()));
            return new Change(pods, namespaces, policies, defaultDenies, nodes, clusterPolicies);
        }

        /**
         * Walks two collections sorted by {@code order} (as a snapshot keeps them) side by side and
         * reports each object that was added (old null), removed (new null) or changed. Unchanged
         * objects are usually the same instance (snapshots are built from one another), so the walk
         * allocates nothing for them.
         */
        private static <T> void diff(Iterable<T> prev, Iterable<T> next, Comparator<T> order, BiConsumer<T, T> changed) {
            Iterator<T> a = prev.iterator();
            Iterator<T> b = next.iterator();
            T x = a.hasNext() ? a.next() : null;
            T y = b.hasNext() ? b.next() : null;
            while (x != null || y != null) {
                int c = x == null ? 1 : y == null ? -1 : x == y ? 0 : order.compare(x, y);
                if (c < 0) {
                    changed.accept(x, null);
                    x = a.hasNext() ? a.next() : null;
                } else if (c > 0) {
                    changed.accept(null, y);
                    y = b.hasNext() ? b.next() : null;
                } else {
                    if (x != y && !x.equals(y)) {
                        changed.accept(x, y);
                    }
                    x = a.hasNext() ? a.next() : null;
                    y = b.hasNext() ? b.next() : null;
                }
            }
        }

        int size() {
            return pods.size() + namespaces.size() + policies.size() + defaultDenies.size() + nodes.size()
                    + clusterPolicies.size();
        }
    }

    /**
     * Recomputes a per-pod list map (isolating policies, or ClusterNetworkPolicy subjects) for the given pods
     * on {@code next}, and marks the node of every pod whose lists changed as dirty.
     */
    private static void refreshPodLists(java.util.Collection<String> podKeys, Map<String, Map<Direction, List<String>>> lists,
                                        java.util.function.BiFunction<Pod, ClusterSnapshot, Map<Direction, List<String>>> of,
                                        ClusterSnapshot next, java.util.Set<String> dirtyNodes) {
        for (String podKey : podKeys) {
            int slash = podKey.indexOf('/');
            Pod pod = next.pod(podKey.substring(0, slash), podKey.substring(slash + 1)).orElse(null);
            Map<Direction, List<String>> now = of.apply(pod, next);
            Map<Direction, List<String>> before = now == null ? lists.remove(podKey) : lists.put(podKey, now);
            if (!Objects.equals(before, now) && pod != null && pod.nodeName() != null) {
                dirtyNodes.add(pod.nodeName());
            }
        }
    }
}
