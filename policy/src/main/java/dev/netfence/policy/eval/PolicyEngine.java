package dev.netfence.policy.eval;

import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.IpBlock;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.Peer;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.PolicyPort;
import dev.netfence.policy.model.PolicyRule;
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
import java.util.Set;

/**
 * Evaluates flows against NetworkPolicy v1 semantics plus DefaultDeny, on one immutable snapshot.
 * The snapshot must be valid (see {@code PolicyValidator}).
 *
 * <p>"By default, a pod is non-isolated for egress/ingress; all outbound/inbound connections are
 * allowed. A pod is isolated for a direction if there is any NetworkPolicy that both selects the
 * pod and has that direction in its policyTypes ... For a connection from a source pod to a
 * destination pod to be allowed, both the egress policy on the source pod and the ingress policy on
 * the destination pod need to allow the connection." Policies are additive: a flow is allowed in a
 * direction when any rule of any policy selecting the pod allows it.
 *
 * <p>ClusterNetworkPolicies add tiers around that: per side, the Admin tier first ("If Admin tier
 * has made a final decision (Accept or Deny) on a connection, then no further evaluation is done"),
 * then the NetworkPolicy tier ("v1.NetworkPolicy always makes a final decision for selected pods"),
 * then the Baseline tier, then the default (allowed). An egress {@code Accept} decides only the
 * source's side: "any ingress rules at the destination do apply". Traffic of a pod to itself and
 * between a pod and its own node stays exempt from every tier, as the datapath never judges it.
 */
public final class PolicyEngine {

    private final ClusterSnapshot snapshot;
    /**
     * False (the enforced verdict): audited policies ({@link dev.netfence.policy.model.Enforcement})
     * are skipped as if they did not exist. True (the audit verdict): they count as if they enforced.
     */
    private final boolean auditedEnforce;
    /**
     * Policies (NetworkPolicy or DefaultDeny) isolating each pod, per direction; built on first use
     * (pods indexed by label), since a caller matching only peers never needs it.
     */
    private volatile Map<String, EnumMap<Direction, List<Object>>> isolation;
    private final Map<String, Cidr> cidrs = new HashMap<>();
    private final TierEvaluator tiers;

    /** The enforced verdict: what the datapath does (audited policies change nothing). */
    public PolicyEngine(ClusterSnapshot snapshot) {
        this(snapshot, false);
    }

    private PolicyEngine(ClusterSnapshot snapshot, boolean auditedEnforce) {
        this.snapshot = snapshot;
        this.auditedEnforce = auditedEnforce;
        this.tiers = new TierEvaluator(snapshot);
    }

    /** The audit verdict: every audited policy counts as if it enforced. See {@link AuditEvaluation}. */
    public static PolicyEngine asIfAuditedEnforced(ClusterSnapshot snapshot) {
        return new PolicyEngine(snapshot, true);
    }

    private Map<String, EnumMap<Direction, List<Object>>> isolation() {
        Map<String, EnumMap<Direction, List<Object>>> index = isolation;
        if (index == null) {
            synchronized (this) {
                index = isolation;
                if (index == null) {
                    index = isolationIndex();
                    isolation = index;
                }
            }
        }
        return index;
    }

    private Map<String, EnumMap<Direction, List<Object>>> isolationIndex() {
        Map<String, EnumMap<Direction, List<Object>>> isolation = new HashMap<>();
        for (NetworkPolicy np : snapshot.policies()) {
            if (np.audited() && !auditedEnforce) {
                continue;
            }
            // the types and each pod's entry (and so its key) once, not per pod and direction: they were most of the
            // index's allocations, built twice per admission decision
            Set<Direction> types = np.effectiveTypes();
            for (Pod p : snapshot.selectPods(np.namespace(), np.podSelector())) {
                EnumMap<Direction, List<Object>> of = isolationOf(isolation, p);
                for (Direction d : types) {
                    of.get(d).add(np);
                }
            }
        }
        for (DefaultDeny dd : snapshot.defaultDenies()) {
            if (dd.audited() && !auditedEnforce) {
                continue;
            }
            for (Pod p : snapshot.podsInNamespace(dd.namespace())) {
                if (p.hostNetwork() || (dd.exemptPodSelector() != null && dd.exemptPodSelector().matches(p.labels()))) {
                    continue;
                }
                EnumMap<Direction, List<Object>> of = isolationOf(isolation, p);
                for (Direction d : dd.policyTypes()) {
                    of.get(d).add(dd);
                }
            }
        }
        return isolation;
    }

    private static EnumMap<Direction, List<Object>> isolationOf(Map<String, EnumMap<Direction, List<Object>>> isolation, Pod p) {
        return isolation.computeIfAbsent(p.key(), k -> {
            EnumMap<Direction, List<Object>> m = new EnumMap<>(Direction.class);
            m.put(Direction.INGRESS, new ArrayList<>());
            m.put(Direction.EGRESS, new ArrayList<>());
            return m;
        });
    }

    public ClusterSnapshot snapshot() {
        return snapshot;
    }

    /** The policies isolating a pod in a direction (empty when the pod is not isolated). */
    public List<ObjectRef> isolatingPolicies(Pod pod, Direction direction) {
        return isolators(pod, pod.key(), direction).stream().map(PolicyEngine::refOf).toList();
    }

    /** {@code key}: the pod's key, computed once by the caller (Pod.key() concatenates on every call). */
    private List<Object> isolators(Pod pod, String key, Direction direction) {
        if (pod.hostNetwork()) {
            return List.of();
        }
        EnumMap<Direction, List<Object>> m = isolation().get(key);
        return m == null ? List.of() : m.get(direction);
    }

    private static ObjectRef refOf(Object policy) {
        return policy instanceof NetworkPolicy np ? np.ref() : ((DefaultDeny) policy).ref();
    }

    /** Fast path: is the flow allowed? Stops at the first allowing rule on each side. */
    public boolean allowed(Flow flow) {
        return side(Direction.EGRESS, flow, false).allowed() && side(Direction.INGRESS, flow, false).allowed();
    }

    /** The full verdict, with every policy that isolates and every rule that allows each side. */
    public Verdict evaluate(Flow flow) {
        return new Verdict(flow, side(Direction.EGRESS, flow, true), side(Direction.INGRESS, flow, true));
    }

    private SideVerdict side(Direction d, Flow flow, boolean all) {
        Endpoint subject = d == Direction.EGRESS ? flow.source() : flow.destination();
        Endpoint peer = d == Direction.EGRESS ? flow.destination() : flow.source();
        if (!(subject instanceof Endpoint.PodEndpoint pe)) {
            return SideVerdict.open(d, subject.describe() + " is not a pod: NetworkPolicy does not apply to "
                    + (d == Direction.EGRESS ? "its egress" : "traffic to it"));
        }
        Pod pod = pe.pod();
        String key = pod.key();
        List<Object> isolators = isolators(pod, key, d);
        var byTier = tiers.tiersOf(pod);
        List<ClusterNetworkPolicy> admins = byTier == null ? List.of() : byTier.get(Tier.ADMIN).get(d);
        List<ClusterNetworkPolicy> baselines = byTier == null ? List.of() : byTier.get(Tier.BASELINE).get(d);
        boolean clusterTiers = !admins.isEmpty() || !baselines.isEmpty();
        if (isolators.isEmpty() && !clusterTiers) {
            // the fast path (allowed()) reads only the boolean: no note to write
            return new SideVerdict(d, true, List.of(), List.of(), all ? "no policy selects " + key + " for " + d.apiName() : null,
                    List.of(), DecidingTier.DEFAULT);
        }
        // The fast path (allowed()) reads only the boolean: skip naming the isolating policies.
        List<ObjectRef> refs = all ? isolators.stream().map(PolicyEngine::refOf).toList() : List.of();
        // the same key (namespace/name) without building it: namespaces are DNS labels, never with a '/'
        if (peer instanceof Endpoint.PodEndpoint other && java.util.Objects.equals(other.pod().name(), pod.name())
                && java.util.Objects.equals(other.pod().namespace(), pod.namespace())) {
            // A pod's traffic to itself stays in its network namespace (loopback): no node, and so no
            // policy, ever sees it. The upstream e2e suite expects it allowed ("AllowLoopback").
            return new SideVerdict(d, true, refs, List.of(), "traffic of " + pod.key()
                    + " to itself never leaves the pod and is always allowed");
        }
        String peerNode = peer instanceof Endpoint.Host h ? hostNode(h) : null;
        if (peerNode != null && peerNode.equals(pod.nodeName())) {
            // "traffic to and from the node where a Pod is running is always allowed" (kubelet probes).
            return new SideVerdict(d, true, refs, List.of(), "traffic between a pod and its own node (" + peerNode
                    + ") is always allowed");
        }
        List<TierMatch> passed = List.of();
        if (clusterTiers) {
            TierEvaluator.Outcome admin = tiers.evaluate(admins, Tier.ADMIN, d, pod, peer, flow);
            if (admin.decided()) {
                return new SideVerdict(d, admin.match().action() == RuleAction.ACCEPT, refs, List.of(), null,
                        List.of(admin.match()), DecidingTier.ADMIN);
            }
            passed = admin.match() == null ? List.of() : List.of(admin.match());
        }
        if (isolators.isEmpty()) {
            String note = "no policy selects " + key + " for " + d.apiName();
            if (clusterTiers) {
                TierEvaluator.Outcome baseline = tiers.evaluate(baselines, Tier.BASELINE, d, pod, peer, flow);
                List<TierMatch> matched = new ArrayList<>(passed);
                if (baseline.match() != null) {
                    matched.add(baseline.match());
                }
                if (baseline.decided()) {
                    return new SideVerdict(d, baseline.match().action() == RuleAction.ACCEPT, refs, List.of(), null,
                            matched, DecidingTier.BASELINE);
                }
                return new SideVerdict(d, true, refs, List.of(), note, matched, DecidingTier.DEFAULT);
            }
            return new SideVerdict(d, true, refs, List.of(), note, List.of(), DecidingTier.DEFAULT);
        }
        List<RuleMatch> matches = new ArrayList<>();
        for (Object isolator : isolators) {
            if (isolator instanceof NetworkPolicy np) {
                matchPolicy(np, d, pod, peer, flow, all, matches);
            } else {
                matchDefaultDeny((DefaultDeny) isolator, d, pod, peer, flow, matches);
            }
            if (!all && !matches.isEmpty()) {
                break;
            }
        }
        return new SideVerdict(d, !matches.isEmpty(), refs, matches, null, passed, DecidingTier.NETWORK_POLICY);
    }

    /**
     * The ClusterNetworkPolicies of a tier selecting a pod with rules in a direction, in evaluation
     * order (host-network pods: none).
     */
    public List<ClusterNetworkPolicy> clusterPoliciesOf(Pod pod, Tier tier, Direction direction) {
        return tiers.policiesOf(pod, tier, direction);
    }

    /** The pods a ClusterNetworkPolicy's subject selects (never host-network pods). */
    public List<Pod> subjectPods(ClusterNetworkPolicy cnp) {
        return tiers.subjectPods(cnp);
    }

    /** Whether a ClusterNetworkPolicy peer matches an endpoint. */
    public boolean clusterPeerMatches(ClusterPeer p, Endpoint peer) {
        return tiers.peerMatches(p, peer);
    }

    /** The node of a host endpoint: as given, or found by its address (a node IP given without its node). */
    private String hostNode(Endpoint.Host h) {
        if (h.nodeName() != null) {
            return h.nodeName();
        }
        return snapshot.nodeByIp(h.ip()).map(dev.netfence.policy.model.Node::name).orElse(null);
    }

    private void matchPolicy(NetworkPolicy np, Direction d, Pod subject, Endpoint peer, Flow flow, boolean all,
                             List<RuleMatch> out) {
        List<PolicyRule> rules = np.rules(d);
        String peersField = d == Direction.INGRESS ? "from" : "to";
        Endpoint destination = d == Direction.INGRESS ? new Endpoint.PodEndpoint(subject, flow.destination().ip()) : peer;
        for (int r = 0; r < rules.size(); r++) {
            PolicyRule rule = rules.get(r);
            int peerIdx = -1;
            if (!rule.peers().isEmpty()) {
                peerIdx = matchingPeer(rule.peers(), np.namespace(), peer);
                if (peerIdx < 0) {
                    continue;
                }
            }
            int portIdx = -1;
            if (!rule.ports().isEmpty()) {
                portIdx = matchingPort(rule.ports(), destination, flow.protocol(), flow.port());
                if (portIdx < 0) {
                    continue;
                }
            }
            // spec.ingress[0], spec.ingress[0].from[1], spec.ingress[0].from[1]+ports[0]; not for the fast path
            // (allowed() reads only the boolean of the side verdict this match goes into)
            String path = !all ? null : "spec." + d.field() + "[" + r + "]"
                    + (peerIdx >= 0 ? "." + peersField + "[" + peerIdx + "]" : "")
                    + (portIdx >= 0 ? (peerIdx >= 0 ? "+" : ".") + "ports[" + portIdx + "]" : "");
            out.add(new RuleMatch(np.ref(), d, r, peerIdx, portIdx, path));
            if (!all) {
                return;
            }
        }
    }

    private void matchDefaultDeny(DefaultDeny dd, Direction d, Pod subject, Endpoint peer, Flow flow, List<RuleMatch> out) {
        if (d == Direction.EGRESS && dd.allowDNS() && snapshot.dns().isDnsPort(flow.protocol(), flow.port())
                && isDns(peer)) {
            out.add(new RuleMatch(dd.ref(), d, -1, -1, -1, "spec.allowDNS"));
        }
        if (dd.allowSameNamespace() && peer instanceof Endpoint.PodEndpoint pp
                && pp.pod().namespace().equals(subject.namespace())) {
            out.add(new RuleMatch(dd.ref(), d, -1, -1, -1, "spec.allowSameNamespace"));
        }
    }

    /**
     * Whether the peer is what the cluster DNS configuration names: a DNS pod, or one of its extra
     * addresses (NodeLocal DNSCache's link-local address, a DNS ClusterIP), whatever else that
     * address is. The compiled carve-out is an address set of exactly these addresses, so the
     * datapath decides by address alike.
     */
    private boolean isDns(Endpoint peer) {
        if (snapshot.dns().extraIps().contains(peer.ip())) {
            return true;
        }
        return peer instanceof Endpoint.PodEndpoint pp && snapshot.dns().isDnsPod(pp.pod());
    }

    /** Index of the first peer matching {@code peer}, or -1. Peers are ORed. */
    private int matchingPeer(List<Peer> peers, String policyNamespace, Endpoint peer) {
        for (int i = 0; i < peers.size(); i++) {
            if (peerMatches(peers.get(i), policyNamespace, peer)) {
                return i;
            }
        }
        return -1;
    }

    public boolean peerMatches(Peer p, String policyNamespace, Endpoint peer) {
        if (p.ipBlock() != null) {
            return ipBlockContains(p.ipBlock(), peer.ip());
        }
        if (!(peer instanceof Endpoint.PodEndpoint pp)) {
            return false;   // selectors select pods, never host-network pods, nodes or external addresses
        }
        Pod pod = pp.pod();
        if (p.namespaceSelector() == null) {
            if (!pod.namespace().equals(policyNamespace)) {
                return false;
            }
        } else if (!p.namespaceSelector().matches(snapshot.namespaceLabels(pod.namespace()))) {
            return false;
        }
        return p.podSelector() == null || p.podSelector().matches(pod.labels());
    }

    public boolean ipBlockContains(IpBlock block, IpAddress ip) {
        if (!cidr(block.cidr()).contains(ip)) {
            return false;
        }
        for (String ex : block.except()) {
            if (cidr(ex).contains(ip)) {
                return false;
            }
        }
        return true;
    }

    private Cidr cidr(String text) {
        synchronized (cidrs) {
            return cidrs.computeIfAbsent(text, Cidr::parse);
        }
    }

    /**
     * Index of the first port entry matching, or -1. A named port is looked up in the destination
     * pod's container ports for that protocol; it never matches a destination that is not a pod.
     */
    public static int matchingPort(List<PolicyPort> ports, Endpoint destination, Protocol protocol, int port) {
        for (int i = 0; i < ports.size(); i++) {
            if (portMatches(ports.get(i), destination, protocol, port)) {
                return i;
            }
        }
        return -1;
    }

    public static boolean portMatches(PolicyPort pp, Endpoint destination, Protocol protocol, int port) {
        if (pp.proto() != protocol) {
            return false;
        }
        if (pp.isNamed()) {
            return destination instanceof Endpoint.PodEndpoint dp && dp.pod().resolveNamedPort(pp.name(), protocol) == port;
        }
        if (pp.number() == null) {
            return true;
        }
        int end = pp.endPort() != null ? pp.endPort() : pp.number();
        return port >= pp.number() && port <= end;
    }
}
