package dev.netfence.policy.eval;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import java.util.List;

/**
 * The verdict of one side: egress is judged at the source pod, ingress at the destination pod.
 * {@code isolatedBy} lists the NetworkPolicies and DefaultDenies that select the pod for this
 * direction (the NetworkPolicy tier; empty: not isolated there); {@code allowedBy} the rules of
 * that tier that let the flow through. {@code tierMatches} are the ClusterNetworkPolicy rules that
 * matched, in evaluation order (a {@code Pass}, then possibly the deciding {@code Accept}/{@code
 * Deny}); {@code decidedBy} says which step decided. {@code note} explains special cases (not a
 * pod, node-local traffic).
 */
public record SideVerdict(Direction direction, boolean allowed, List<ObjectRef> isolatedBy,
                          List<RuleMatch> allowedBy, String note, List<TierMatch> tierMatches, DecidingTier decidedBy) {
    public SideVerdict {
        isolatedBy = List.copyOf(isolatedBy);
        allowedBy = List.copyOf(allowedBy);
        tierMatches = tierMatches == null ? List.of() : List.copyOf(tierMatches);
    }

    /** A side decided in the NetworkPolicy tier (or exempt, when {@code note} says why). */
    public SideVerdict(Direction direction, boolean allowed, List<ObjectRef> isolatedBy, List<RuleMatch> allowedBy,
                       String note) {
        this(direction, allowed, isolatedBy, allowedBy, note, List.of(),
                note != null ? DecidingTier.EXEMPT : DecidingTier.NETWORK_POLICY);
    }

    public boolean isolated() {
        return !isolatedBy.isEmpty();
    }

    /** The ClusterNetworkPolicy rule that decided (Accept or Deny), or null when none did. */
    public TierMatch decidingRule() {
        if (decidedBy != DecidingTier.ADMIN && decidedBy != DecidingTier.BASELINE) {
            return null;
        }
        return tierMatches.isEmpty() ? null : tierMatches.get(tierMatches.size() - 1);
    }

    static SideVerdict open(Direction d, String note) {
        return new SideVerdict(d, true, List.of(), List.of(), note, List.of(), DecidingTier.EXEMPT);
    }
}
