package dev.netfence.policy.compile;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the datapath decides, evaluated on the compiled model alone, by addresses, as the nftables
 * rules do: egress is judged on the node where the source address is a local pod, ingress on the
 * node where the destination address is one; a side with no isolated local pod passes. The tiers
 * are evaluated as the datapath's profile chain lays them out: Admin rules, the NetworkPolicy part,
 * Baseline rules, the audit check. Used to
 * check the compiler against {@code PolicyEngine} and by tools that explain the datapath.
 */
public final class CompiledVerdicts {

    /** The decision of one side, with the rule that allowed it ({@code null} when denied or not isolated). */
    public record Decision(boolean allowed, String reason) {
    }

    private record Placement(NodeRuleSet node, LocalPod pod) {
    }

    /** Never changed once built; {@code changed} overrides it ({@link #withPods}). */
    private final Map<IpAddress, Placement> podsByIp;
    /** Addresses whose pod changed since {@code podsByIp} was built: the pod now, or {@link #NONE} (no pod). */
    private final Map<IpAddress, Placement> changed;
    private static final Placement NONE = new Placement(null, null);
    private final Map<String, Set<IpAddress>> nodeAddresses;
    private final Map<String, Map<String, PolicyRules>> policies;
    private final Map<String, AddressSet> addressSets;
    /**
     * The address sets' entries parsed, each on its first use: a verdict on one connection looks at the few sets
     * its pods' rules name, and parsing every entry of every set (100,000 at 10,000 pods) was most of a revocation.
     * Shared by the instances {@link #withPods} derives (their sets are the same).
     */
    private final Map<String, List<AddressRanges.Interval>> sets;
    /** Some address is claimed by more than one local pod (the last one in the list decides, as the renderer's map). */
    private final boolean sharedAddresses;

    public CompiledVerdicts(CompiledCluster cluster) {
        podsByIp = new HashMap<>();
        changed = Map.of();
        nodeAddresses = new HashMap<>();
        policies = new HashMap<>();
        addressSets = cluster.addressSets(); // immutable (CompiledCluster)
        sets = new ConcurrentHashMap<>();
        for (NodeRuleSet rs : cluster.nodes().values()) {
            Set<IpAddress> addrs = new HashSet<>();
            rs.nodeAddresses().forEach(a -> addrs.add(IpAddress.parse(a)));
            nodeAddresses.put(rs.node(), addrs);
            Map<String, PolicyRules> byId = new HashMap<>();
            rs.policies().forEach(p -> byId.put(p.id(), p));
            policies.put(rs.node(), byId);
        }
        sharedAddresses = index(cluster.nodes().values(), podsByIp);
    }

    /** Puts every pod of {@code nodes} by address into {@code podsByIp}; whether an address was claimed twice. */
    private static boolean index(Iterable<NodeRuleSet> nodes, Map<IpAddress, Placement> podsByIp) {
        boolean shared = false;
        for (NodeRuleSet rs : nodes) {
            for (LocalPod p : rs.pods()) {
                for (String ip : p.ips()) {
                    shared |= podsByIp.put(IpAddress.parse(ip), new Placement(rs, p)) != null;
                }
            }
        }
        return shared;
    }

    private CompiledVerdicts(CompiledVerdicts base, Map<IpAddress, Placement> podsByIp, Map<IpAddress, Placement> changed,
                             boolean sharedAddresses) {
        this.podsByIp = podsByIp;
        this.changed = changed;
        this.sharedAddresses = sharedAddresses;
        this.nodeAddresses = base.nodeAddresses;
        this.policies = base.policies;
        this.addressSets = base.addressSets;
        this.sets = base.sets;
    }

    /**
     * The verdicts of a one-node cluster whose rule set became {@code after} by the pods {@code removed} leaving
     * and {@code added} coming (node addresses, policies and address sets the same): what
     * {@code new CompiledVerdicts} gives for {@code after}, at the cost of the changed pods (kept as changes over the
     * address index, merged into a new index once they are a sixteenth of it) instead of parsing every address of
     * the rule set again. An address two pods claim is decided, as by the constructor, by the last pod in {@code after}'s list: while any address is claimed twice
     * (before or after the change) the index is built again from {@code after}.
     */
    public CompiledVerdicts withPods(NodeRuleSet after, List<LocalPod> removed, List<LocalPod> added) {
        if (nodeAddresses.size() != 1 || !nodeAddresses.containsKey(after.node())) {
            throw new IllegalArgumentException("withPods needs the verdicts of node " + after.node() + " alone");
        }
        Map<IpAddress, Placement> next = new HashMap<>(changed);
        boolean plain = !sharedAddresses;
        for (LocalPod p : removed) {
            for (String ip : p.ips()) {
                IpAddress a = IpAddress.parse(ip);
                Placement was = placement(next, a);
                plain &= was != null && was.pod().equals(p);
                next.put(a, NONE);
            }
        }
        for (LocalPod p : added) {
            for (String ip : p.ips()) {
                IpAddress a = IpAddress.parse(ip);
                plain &= placement(next, a) == null;
                next.put(a, new Placement(after, p));
            }
        }
        if (!plain) {
            Map<IpAddress, Placement> pods = new HashMap<>();
            return new CompiledVerdicts(this, pods, Map.of(), index(List.of(after), pods));
        }
        if (next.size() <= Math.max(64, podsByIp.size() / 16)) {
            return new CompiledVerdicts(this, podsByIp, next, false);
        }
        // the changes merged into a new index now and then: each change costs a share of one copy, not a copy
        Map<IpAddress, Placement> pods = new HashMap<>(podsByIp);
        next.forEach((a, pl) -> {
            if (pl == NONE) {
                pods.remove(a);
            } else {
                pods.put(a, pl);
            }
        });
        return new CompiledVerdicts(this, pods, Map.of(), false);
    }

    /** The pod that has {@code address}, or null. */
    private Placement placement(IpAddress address) {
        return placement(changed, address);
    }

    private Placement placement(Map<IpAddress, Placement> overrides, IpAddress address) {
        Placement c = overrides.get(address);
        if (c != null) {
            return c == NONE ? null : c;
        }
        return podsByIp.get(address);
    }

    private List<AddressRanges.Interval> intervals(String name) {
        return sets.computeIfAbsent(name, n -> {
            List<AddressRanges.Interval> list = new ArrayList<>();
            addressSets.get(n).entries().forEach(e -> list.add(AddressRanges.parse(e)));
            return List.copyOf(list);
        });
    }

    public boolean allowed(IpAddress source, IpAddress destination, Protocol protocol, int port) {
        if (source.equals(destination) && placement(source) != null) {
            return true;   // a pod's traffic to its own address stays on its loopback: no node hook sees it
        }
        return side(Direction.EGRESS, source, destination, protocol, port).allowed()
                && side(Direction.INGRESS, source, destination, protocol, port).allowed();
    }

    /**
     * One side as the datapath's profile chain decides it: the Admin tier's rules in order (Accept
     * and Deny decide, Pass or no match go on), then the NetworkPolicy part when enforcing policies
     * isolate the pod (its decision is final), else the Baseline tier's rules (Accept and Deny
     * decide; Pass or no match: allowed).
     */
    public Decision side(Direction d, IpAddress source, IpAddress destination, Protocol protocol, int port) {
        IpAddress subject = d == Direction.EGRESS ? source : destination;
        IpAddress peer = d == Direction.EGRESS ? destination : source;
        Placement placement = placement(subject);
        if (placement == null) {
            return new Decision(true, "no isolated local pod has " + subject);
        }
        List<String> ids = placement.pod().policies(d);
        List<String> tiers = placement.pod().clusterPolicies(d);
        if (ids.isEmpty() && tiers.isEmpty()) {
            return new Decision(true, placement.pod().key() + " is not isolated for " + d.apiName());
        }
        String node = placement.node().node();
        if (nodeAddresses.get(node).contains(peer)) {
            return new Decision(true, "traffic between a pod and its node");
        }
        Map<String, PolicyRules> byId = policies.get(node);
        Decision admin = tier(Tier.ADMIN, tiers, byId, peer, destination, protocol, port);
        if (admin != null) {
            return admin;
        }
        if (!ids.isEmpty() && !allAudited(ids, byId)) {
            return match(ids, byId, peer, destination, protocol, port);
        }
        Decision baseline = tier(Tier.BASELINE, tiers, byId, peer, destination, protocol, port);
        if (baseline != null) {
            return baseline;
        }
        if (!ids.isEmpty()) {
            // audited policies only (never mixed with enforcing ones): not isolated, nothing is dropped
            return new Decision(true, placement.pod().key() + " is isolated for " + d.apiName() + " only by audited policies");
        }
        return new Decision(true, "no ClusterNetworkPolicy rule decides for " + placement.pod().key() + " " + d.apiName());
    }

    /**
     * The decision of one tier's rules ({@code ids} in evaluation order, those of {@code tier}): the
     * first matching rule's Accept or Deny, or null when a Pass rule matches first or none matches.
     */
    private Decision tier(Tier tier, List<String> ids, Map<String, PolicyRules> byId, IpAddress peer,
                          IpAddress destination, Protocol protocol, int port) {
        for (String id : ids) {
            PolicyRules pr = byId.get(id);
            if (pr.tier() != tier) {
                continue;
            }
            for (CompiledRule r : pr.rules()) {
                if (peerMatches(r, peer) && portMatches(r, destination, protocol, port)) {
                    if (r.action() == RuleAction.PASS) {
                        return null;   // "skips all further ClusterNetworkPolicy rules in the current tier"
                    }
                    return new Decision(r.action() == RuleAction.ACCEPT, id + " " + r.fieldPath() + " "
                            + (r.name().isEmpty() ? "" : r.name() + " ") + r.action().apiName());
                }
            }
        }
        return null;
    }

    /**
     * Whether the datapath logs the flow as would-deny: it passes (the enforced verdict), and a side
     * judged only by audited policies, which the Admin tier did not decide, has no rule of theirs that
     * matches (the audit check runs after the Baseline tier, whose Accept does not skip it).
     */
    public boolean wouldDeny(IpAddress source, IpAddress destination, Protocol protocol, int port) {
        if (!allowed(source, destination, protocol, port) || source.equals(destination) && placement(source) != null) {
            return false;
        }
        for (Direction d : Direction.values()) {
            IpAddress subject = d == Direction.EGRESS ? source : destination;
            IpAddress peer = d == Direction.EGRESS ? destination : source;
            Placement placement = placement(subject);
            if (placement == null) {
                continue;
            }
            List<String> ids = placement.pod().policies(d);
            Map<String, PolicyRules> byId = policies.get(placement.node().node());
            if (ids.isEmpty() || !allAudited(ids, byId) || nodeAddresses.get(placement.node().node()).contains(peer)) {
                continue;
            }
            if (tier(Tier.ADMIN, placement.pod().clusterPolicies(d), byId, peer, destination, protocol, port) != null) {
                continue;   // an Admin Accept decides before the audit check (a Deny would have denied)
            }
            if (!match(ids, byId, peer, destination, protocol, port).allowed()) {
                return true;
            }
        }
        return false;
    }

    /** Audited policies only; the validator refuses a list that mixes them with enforcing ones. */
    public static boolean allAudited(List<String> ids, Map<String, PolicyRules> byId) {
        for (String id : ids) {
            if (!byId.get(id).audit()) {
                return false;
            }
        }
        return !ids.isEmpty();
    }

    private Decision match(List<String> ids, Map<String, PolicyRules> byId, IpAddress peer, IpAddress destination,
                           Protocol protocol, int port) {
        for (String id : ids) {
            PolicyRules pr = byId.get(id);
            for (CompiledRule r : pr.rules()) {
                if (peerMatches(r, peer) && portMatches(r, destination, protocol, port)) {
                    return new Decision(true, id + " " + r.fieldPath());
                }
            }
        }
        return new Decision(false, null);
    }

    private boolean peerMatches(CompiledRule r, IpAddress peer) {
        if (r.allPeers()) {
            return true;
        }
        for (String name : r.peers()) {
            for (AddressRanges.Interval i : intervals(name)) {
                if (i.contains(peer)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean portMatches(CompiledRule r, IpAddress destination, Protocol protocol, int port) {
        if (r.allPorts()) {
            return true;
        }
        for (PortRange pr : r.ports()) {
            if (pr.contains(protocol, port)) {
                return true;
            }
        }
        String dst = destination.toString();
        for (DestinationPort dp : r.namedPorts()) {
            if (dp.address().equals(dst) && dp.protocol() == protocol && dp.port() == port) {
                return true;
            }
        }
        return false;
    }
}
