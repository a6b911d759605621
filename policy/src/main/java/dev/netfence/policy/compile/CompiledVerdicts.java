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

    private final Map<IpAddress, Placement> podsByIp = new HashMap<>();
    private final Map<String, Set<IpAddress>> nodeAddresses = new HashMap<>();
    private final Map<String, Map<String, PolicyRules>> policies = new HashMap<>();
    private final Map<String, List<AddressRanges.Interval>> sets = new HashMap<>();

    public CompiledVerdicts(CompiledCluster cluster) {
        for (NodeRuleSet rs : cluster.nodes().values()) {
            Set<IpAddress> addrs = new HashSet<>();
            rs.nodeAddresses().forEach(a -> addrs.add(IpAddress.parse(a)));
            nodeAddresses.put(rs.node(), addrs);
            Map<String, PolicyRules> byId = new HashMap<>();
            rs.policies().forEach(p -> byId.put(p.id(), p));
            policies.put(rs.node(), byId);
            for (LocalPod p : rs.pods()) {
                p.ips().forEach(ip -> podsByIp.put(IpAddress.parse(ip), new Placement(rs, p)));
            }
        }
        cluster.addressSets().forEach((name, as) -> {
            List<AddressRanges.Interval> list = new ArrayList<>();
            as.entries().forEach(e -> list.add(AddressRanges.parse(e)));
            sets.put(name, list);
        });
    }

    public boolean allowed(IpAddress source, IpAddress destination, Protocol protocol, int port) {
        if (source.equals(destination) && podsByIp.containsKey(source)) {
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
        Placement placement = podsByIp.get(subject);
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
        if (!allowed(source, destination, protocol, port) || source.equals(destination) && podsByIp.containsKey(source)) {
            return false;
        }
        for (Direction d : Direction.values()) {
            IpAddress subject = d == Direction.EGRESS ? source : destination;
            IpAddress peer = d == Direction.EGRESS ? destination : source;
            Placement placement = podsByIp.get(subject);
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
            for (AddressRanges.Interval i : sets.get(name)) {
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
