package dev.netfence.policy.model;

import java.util.List;

/**
 * One ingress or egress rule of a ClusterNetworkPolicy: an optional {@code name} ("used by the
 * implementation to help improve observability"), an {@code action}, the peers ({@code from} or
 * {@code to}: any one matching; at least one upstream) and the {@code protocols} (empty: all).
 */
public record ClusterRule(String name, RuleAction action, List<ClusterPeer> peers, List<ClusterPort> protocols) {
    public ClusterRule {
        name = name == null ? "" : name;
        peers = peers == null ? List.of() : List.copyOf(peers);
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
    }

    /**
     * Whether the rule fails closed as a whole: a {@code Deny} or {@code Pass} rule with a peer
     * Netfence cannot read (or no peer at all) is a "Deny all" rule.
     */
    public boolean deniesAll() {
        return action != RuleAction.ACCEPT
                && (peers.isEmpty() || peers.stream().anyMatch(p -> p instanceof ClusterPeer.Unknown));
    }
}
