package dev.netfence.policy.model;

import java.util.List;

/**
 * One ingress or egress rule. {@code peers} ({@code from}/{@code to}) absent or empty = every
 * source/destination; {@code ports} absent or empty = every port and protocol. A flow matches the
 * rule when it matches one peer (OR) and one port (OR).
 */
public record PolicyRule(List<Peer> peers, List<PolicyPort> ports) {
    public PolicyRule {
        peers = peers == null ? List.of() : List.copyOf(peers);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public static final PolicyRule ALLOW_ALL = new PolicyRule(List.of(), List.of());
}
