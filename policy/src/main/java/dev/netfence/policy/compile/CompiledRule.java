package dev.netfence.policy.compile;

import dev.netfence.policy.model.RuleAction;
import java.util.List;

/**
 * One ingress/egress rule (or a DefaultDeny carve-out) as the datapath matches it: the flow's
 * peer address (the source for ingress, the destination for egress) must be in one of the
 * {@code peers} address sets, AND the flow's destination port must match one of {@code ports} or
 * {@code namedPorts}.
 *
 * <p>"All" and "none" differ and are explicit: {@code allPeers} is true when the rule lists no
 * peers ({@code from}/{@code to} absent or empty: any peer); {@code allPeers} false with an empty
 * {@code peers} list matches nothing. Likewise {@code allPorts} (no {@code ports}: any port and
 * protocol) versus a list whose named ports resolved to nothing.
 *
 * @param fieldPath  where the rule comes from, {@code spec.ingress[0]} or {@code spec.allowDNS}; used to
 *                   attribute packet counters to the policy rule
 * @param allPeers   true: every peer address matches
 * @param peers      names of the shared {@link AddressSet}s, one per {@code from}/{@code to} entry (deduplicated, sorted)
 * @param allPorts   true: every protocol and port matches
 * @param ports      numeric ports and ranges ({@code port}/{@code endPort}, or a whole protocol as 0-65535)
 * @param namedPorts named ports resolved to (destination address, protocol, port) triples. The
 *                   destination is the pod the name is resolved against: the local pod itself for
 *                   ingress, the peer pod for egress; keying the triple on the destination address
 *                   makes one list serve every pod the policy applies to
 * @param action     what a match does: {@link RuleAction#ACCEPT} for every NetworkPolicy/DefaultDeny rule
 *                   (they only allow); a ClusterNetworkPolicy rule's {@code action} ({@code Accept}, {@code Deny},
 *                   {@code Pass}: "skips all further ClusterNetworkPolicy rules in the current tier"). A rule that
 *                   fails closed ({@code ClusterRule#deniesAll}) is compiled as {@code allPeers, allPorts, Deny}
 * @param name       a ClusterNetworkPolicy rule's {@code name} ("" when it has none, and for NetworkPolicy rules),
 *                   for counters, comments and flow records
 */
public record CompiledRule(String fieldPath, boolean allPeers, List<String> peers, boolean allPorts,
                           List<PortRange> ports, List<DestinationPort> namedPorts, RuleAction action, String name) {
    public CompiledRule {
        peers = peers == null ? List.of() : List.copyOf(peers);
        ports = ports == null ? List.of() : List.copyOf(ports);
        namedPorts = namedPorts == null ? List.of() : List.copyOf(namedPorts);
        action = action == null ? RuleAction.ACCEPT : action;
        name = name == null ? "" : name;
    }

    /** A NetworkPolicy or DefaultDeny rule: a match allows. */
    public CompiledRule(String fieldPath, boolean allPeers, List<String> peers, boolean allPorts,
                        List<PortRange> ports, List<DestinationPort> namedPorts) {
        this(fieldPath, allPeers, peers, allPorts, ports, namedPorts, RuleAction.ACCEPT, "");
    }
}
