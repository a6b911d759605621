package dev.netfence.policy.eval;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterPort;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.net.Cidr;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates one tier (Admin or Baseline) of ClusterNetworkPolicies for one side of a flow: the
 * policies selecting the pod, in {@link ClusterNetworkPolicy#EVALUATION_ORDER}, their rules of the
 * direction in written order; the first rule matching decides ({@code Accept}, {@code Deny}) or
 * ends the tier ({@code Pass}). No rule matching leaves the decision to the next tier.
 */
final class TierEvaluator {

    /** The outcome of one tier: the matching rule, or null when no rule matched. */
    record Outcome(TierMatch match) {
        boolean decided() {
            return match != null && match.action() != RuleAction.PASS;
        }
    }

    private static final Outcome NONE = new Outcome(null);

    private final ClusterSnapshot snapshot;
    private final Map<String, Cidr> cidrs = new HashMap<>();
    /** The parsed CIDRs of every networks peer of the snapshot's policies, by identity; filled with the subject index. */
    private final Map<ClusterPeer.Networks, Cidr[]> networks = new java.util.IdentityHashMap<>();
    /** Per pod key, per tier and direction, the policies selecting it with rules of that direction; built on first use. */
    private volatile Map<String, EnumMap<Tier, EnumMap<Direction, List<ClusterNetworkPolicy>>>> subjects;

    TierEvaluator(ClusterSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    boolean anyPolicies() {
        return !snapshot.clusterPolicies().isEmpty();
    }

    /**
     * The policies selecting a pod, per tier and direction (one index lookup for both tiers and
     * directions), or null when none selects it.
     */
    EnumMap<Tier, EnumMap<Direction, List<ClusterNetworkPolicy>>> tiersOf(Pod pod) {
        if (pod.hostNetwork() || !anyPolicies()) {
            return null;   // "host-networked pods are not included in subject selection"
        }
        return subjects().get(pod.key());
    }

    Outcome evaluate(List<ClusterNetworkPolicy> policies, Tier tier, Direction d, Pod subject, Endpoint peer, Flow flow) {
        if (policies.isEmpty()) {
            return NONE;
        }
        Endpoint destination = d == Direction.INGRESS ? new Endpoint.PodEndpoint(subject, flow.destination().ip()) : peer;
        String peersField = d == Direction.INGRESS ? "from" : "to";
        for (ClusterNetworkPolicy cnp : policies) {
            List<ClusterRule> rules = cnp.rules(d);
            for (int r = 0; r < rules.size(); r++) {
                ClusterRule rule = rules.get(r);
                // the field path is built only for the rule that decides: a flow walks many rules that do not match
                if (rule.deniesAll()) {
                    return new Outcome(new TierMatch(tier, cnp.ref(), cnp.priority(), d, r, rule.name(), RuleAction.DENY,
                            rulePath(d, r), true));
                }
                // ports first: an integer test that rules out most rules before any selector is matched
                int portIdx = -1;
                if (!rule.protocols().isEmpty()) {
                    portIdx = matchingPort(rule.protocols(), destination, flow.protocol(), flow.port());
                    if (portIdx < 0) {
                        continue;
                    }
                }
                int peerIdx = matchingPeer(rule.peers(), peer);
                if (peerIdx < 0) {
                    continue;
                }
                String path = rulePath(d, r) + "." + peersField + "[" + peerIdx + "]" + (portIdx >= 0 ? "+protocols[" + portIdx + "]" : "");
                return new Outcome(new TierMatch(tier, cnp.ref(), cnp.priority(), d, r, rule.name(), rule.action(), path, false));
            }
        }
        return NONE;
    }

    private static String rulePath(Direction d, int r) {
        return "spec." + d.field() + "[" + r + "]";
    }

    /** The policies of a tier whose subject selects the pod and that have rules in the direction, in evaluation order. */
    List<ClusterNetworkPolicy> policiesOf(Pod pod, Tier tier, Direction d) {
        var m = tiersOf(pod);
        return m == null ? List.of() : m.get(tier).get(d);
    }

    private Map<String, EnumMap<Tier, EnumMap<Direction, List<ClusterNetworkPolicy>>>> subjects() {
        var index = subjects;
        if (index == null) {
            synchronized (this) {
                index = subjects;
                if (index == null) {
                    index = subjectIndex();
                    subjects = index;
                }
            }
        }
        return index;
    }

    private Map<String, EnumMap<Tier, EnumMap<Direction, List<ClusterNetworkPolicy>>>> subjectIndex() {
        Map<String, EnumMap<Tier, EnumMap<Direction, List<ClusterNetworkPolicy>>>> index = new HashMap<>();
        for (Tier tier : Tier.values()) {
            for (ClusterNetworkPolicy cnp : snapshot.clusterPolicies(tier)) {
                for (Direction d : Direction.values()) {
                    for (ClusterRule rule : cnp.rules(d)) {
                        for (ClusterPeer p : rule.peers()) {
                            if (p instanceof ClusterPeer.Networks n) {
                                networks.put(n, n.cidrs().stream().map(Cidr::parse).toArray(Cidr[]::new));
                            }
                        }
                    }
                }
                for (Pod pod : subjectPods(cnp)) {
                    var byTier = index.computeIfAbsent(pod.key(), k -> emptyEntry());
                    for (Direction d : Direction.values()) {
                        if (!cnp.rules(d).isEmpty()) {
                            byTier.get(tier).get(d).add(cnp);
                        }
                    }
                }
            }
        }
        return index;
    }

    /** The pods a policy's subject selects (never host-network ones), through the snapshot's label indexes. */
    List<Pod> subjectPods(ClusterNetworkPolicy cnp) {
        List<Pod> out = new ArrayList<>();
        for (String ns : snapshot.selectNamespaces(cnp.subject().namespaceSelector())) {
            List<Pod> pods = cnp.subject().podSelector() == null ? snapshot.podsInNamespace(ns)
                    : snapshot.selectPods(ns, cnp.subject().podSelector());
            for (Pod p : pods) {
                if (!p.hostNetwork()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static EnumMap<Tier, EnumMap<Direction, List<ClusterNetworkPolicy>>> emptyEntry() {
        EnumMap<Tier, EnumMap<Direction, List<ClusterNetworkPolicy>>> m = new EnumMap<>(Tier.class);
        for (Tier t : Tier.values()) {
            EnumMap<Direction, List<ClusterNetworkPolicy>> byDirection = new EnumMap<>(Direction.class);
            byDirection.put(Direction.INGRESS, new ArrayList<>(1));
            byDirection.put(Direction.EGRESS, new ArrayList<>(1));
            m.put(t, byDirection);
        }
        return m;
    }

    private int matchingPeer(List<ClusterPeer> peers, Endpoint peer) {
        for (int i = 0; i < peers.size(); i++) {
            if (peerMatches(peers.get(i), peer)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Namespaces and pods peers select pods ("host-networked pods are not included in this type of
     * peer"); nodes peers the addresses of the selected nodes; networks peers any address in their
     * CIDRs, pods included. An unknown peer matches nothing (what "fail closed" means for Accept).
     */
    boolean peerMatches(ClusterPeer p, Endpoint peer) {
        if (p instanceof ClusterPeer.Namespaces n) {
            return peer instanceof Endpoint.PodEndpoint pe
                    && n.namespaces().matches(snapshot.namespaceLabels(pe.pod().namespace()));
        }
        if (p instanceof ClusterPeer.Pods pods) {
            return peer instanceof Endpoint.PodEndpoint pe
                    && pods.namespaces().matches(snapshot.namespaceLabels(pe.pod().namespace()))
                    && pods.pods().matches(pe.pod().labels());
        }
        if (p instanceof ClusterPeer.Nodes n) {
            return nodeMatches(n, peer);
        }
        if (p instanceof ClusterPeer.Networks nets) {
            Cidr[] parsed = subjects == null ? null : networks.get(nets);   // written before subjects is published
            if (parsed == null) {
                return nets.cidrs().stream().anyMatch(c -> cidr(c).contains(peer.ip()));
            }
            for (Cidr c : parsed) {
                if (c.contains(peer.ip())) {
                    return true;
                }
            }
            return false;
        }
        return false;   // ClusterPeer.Unknown
    }

    private boolean nodeMatches(ClusterPeer.Nodes n, Endpoint peer) {
        // "It selects the nodeIPs as the peer type by matching on the IPs present in the node.Status.Addresses"
        IpAddress ip = peer.ip();
        return snapshot.nodeByIp(ip).map(Node::labels).map(l -> n.nodes().matches(l)).orElse(false);
    }

    private Cidr cidr(String text) {
        synchronized (cidrs) {
            return cidrs.computeIfAbsent(text, Cidr::parse);
        }
    }

    /**
     * Index of the first protocols entry matching, or -1. {@code destinationNamedPort} "selects a
     * destination port on a pod based on the ContainerPort name": it matches the flow's protocol and
     * port when the destination pod has a container port of that name, protocol and number.
     */
    static int matchingPort(List<ClusterPort> ports, Endpoint destination, Protocol protocol, int port) {
        for (int i = 0; i < ports.size(); i++) {
            ClusterPort cp = ports.get(i);
            boolean matches = cp.isNamed()
                    ? destination instanceof Endpoint.PodEndpoint dp && dp.pod().resolveNamedPort(cp.namedPort(), protocol) == port
                    : cp.protocol() == protocol && port >= cp.start() && port <= cp.end();
            if (matches) {
                return i;
            }
        }
        return -1;
    }
}
