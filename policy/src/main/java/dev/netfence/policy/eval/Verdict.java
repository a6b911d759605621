package dev.netfence.policy.eval;

/** Allowed when both sides allow: the source's egress AND the destination's ingress. */
public record Verdict(Flow flow, SideVerdict egress, SideVerdict ingress) {
    public boolean allowed() {
        return egress.allowed() && ingress.allowed();
    }
}
