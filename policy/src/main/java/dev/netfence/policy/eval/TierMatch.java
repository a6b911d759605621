package dev.netfence.policy.eval;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;

/**
 * A ClusterNetworkPolicy rule that matched one side of a flow: its tier, policy, priority, rule
 * (index and name), the action taken and the field path of what matched
 * ({@code spec.egress[0].to[1]+protocols[0]}). {@code failedClosed} marks a Deny or Pass rule with
 * a peer Netfence cannot read, applied as "Deny all" (its action is then {@code Deny}).
 */
public record TierMatch(Tier tier, ObjectRef policy, int priority, Direction direction, int rule, String ruleName,
                        RuleAction action, String fieldPath, boolean failedClosed) {

    /** {@code Admin tier, ClusterNetworkPolicy dns-guard (priority 10) spec.egress[0] "allow-dns": Accept}. */
    public String describe() {
        return tier.apiName() + " tier, " + policy + " (priority " + priority + ") " + fieldPath
                + (ruleName.isEmpty() ? "" : " \"" + ruleName + "\"") + ": " + action.apiName()
                + (failedClosed ? " (fail-closed: a peer of this rule is of a kind Netfence cannot read, so the rule denies all)" : "");
    }
}
