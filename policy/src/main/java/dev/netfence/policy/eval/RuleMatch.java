package dev.netfence.policy.eval;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;

/**
 * What allowed one side of a flow: the policy, the rule and, where the rule lists them, the peer
 * and port entries that matched (-1 when the rule allows all peers or all ports). For DefaultDeny
 * carve-outs {@code rule} is -1 and {@code fieldPath} names the carve-out ({@code spec.allowDNS}).
 */
public record RuleMatch(ObjectRef policy, Direction direction, int rule, int peer, int port, String fieldPath) {

    public String describe() {
        return policy + " " + fieldPath;
    }
}
