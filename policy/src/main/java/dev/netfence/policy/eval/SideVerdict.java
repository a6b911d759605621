package dev.netfence.policy.eval;

import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import java.util.List;

/**
 * The verdict of one side: egress is judged at the source pod, ingress at the destination pod.
 * {@code isolatedBy} lists the policies that select the pod for this direction (empty: not
 * isolated, everything allowed); {@code allowedBy} the rules that let the flow through.
 * {@code note} explains special cases (not a pod, node-local traffic).
 */
public record SideVerdict(Direction direction, boolean allowed, List<ObjectRef> isolatedBy,
                          List<RuleMatch> allowedBy, String note) {
    public SideVerdict {
        isolatedBy = List.copyOf(isolatedBy);
        allowedBy = List.copyOf(allowedBy);
    }

    public boolean isolated() {
        return !isolatedBy.isEmpty();
    }

    static SideVerdict open(Direction d, String note) {
        return new SideVerdict(d, true, List.of(), List.of(), note);
    }
}
