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
 */
public record SideExplanation(Direction direction, Endpoint subject, boolean allowed, List<ObjectRef> isolatedBy,
                              List<Reason> allowedBy, List<Reason> notMatched, String note, String fix) {

    public SideExplanation {
        isolatedBy = List.copyOf(isolatedBy);
        allowedBy = List.copyOf(allowedBy);
        notMatched = List.copyOf(notMatched);
    }

    public boolean isolated() {
        return !isolatedBy.isEmpty();
    }

    /** One policy (and the part of it, as a field path) that allowed the flow or did not match it, in words. */
    public record Reason(ObjectRef policy, String fieldPath, String text) {
    }
}
