package dev.netfence.cli.explain;

import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import java.util.List;

/**
 * One side of a flow in words. {@code subject} is the endpoint whose policies decide (the source
 * for egress, the destination for ingress). When the side is isolated, {@code allowedBy} holds the
 * rules that let the flow through, and, when none does, {@code notMatched} says for every isolating
 * policy and rule what did not match, and {@code fix} shows a rule that would allow the flow.
 * {@code tierRules} are the ClusterNetworkPolicy rules that matched, in evaluation order (a Pass,
 * then the deciding Accept or Deny); {@code decidedBy} names the tier when one of them decided.
 */
public record SideExplanation(Direction direction, Endpoint subject, boolean allowed, List<ObjectRef> isolatedBy,
                              List<Reason> allowedBy, List<Reason> notMatched, String note, String fix,
                              String decidedBy, List<String> tierRules) {

    public SideExplanation {
        isolatedBy = List.copyOf(isolatedBy);
        allowedBy = List.copyOf(allowedBy);
        notMatched = List.copyOf(notMatched);
        tierRules = tierRules == null ? List.of() : List.copyOf(tierRules);
    }

    /** A side no ClusterNetworkPolicy rule matched, decided in the NetworkPolicy tier (or by default). */
    public SideExplanation(Direction direction, Endpoint subject, boolean allowed, List<ObjectRef> isolatedBy,
                           List<Reason> allowedBy, List<Reason> notMatched, String note, String fix) {
        this(direction, subject, allowed, isolatedBy, allowedBy, notMatched, note, fix, null, List.of());
    }

    /** Whether a ClusterNetworkPolicy rule (Admin or Baseline tier) decided this side. */
    public boolean decidedByClusterPolicy() {
        return decidedBy != null;
    }

    public boolean isolated() {
        return !isolatedBy.isEmpty();
    }

    /** One policy (and the part of it, as a field path) that allowed the flow or did not match it, in words. */
    public record Reason(ObjectRef policy, String fieldPath, String text) {
    }
}
