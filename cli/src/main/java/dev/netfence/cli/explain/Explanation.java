package dev.netfence.cli.explain;

import dev.netfence.policy.eval.Flow;

/** Why a flow is allowed or denied: both sides must allow it, the source's egress and the destination's ingress. */
public record Explanation(Flow flow, SideExplanation egress, SideExplanation ingress) {
    public boolean allowed() {
        return egress.allowed() && ingress.allowed();
    }
}
