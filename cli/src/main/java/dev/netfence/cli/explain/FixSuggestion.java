package dev.netfence.cli.explain;

import dev.netfence.policy.analysis.FlowFix;
import dev.netfence.policy.eval.Endpoint;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import java.util.List;

/**
 * The fix for a denied side, in words: {@link FlowFix} chooses it (a narrow existing policy to
 * append to, or a new policy selecting exactly the pod) and renders the YAML; this class adds the
 * sentence and the DefaultDeny switches that would also allow it, saying that they open more.
 */
final class FixSuggestion {

    private FixSuggestion() {
    }

    /** The text, or null when this side has nothing to fix (it allows the flow, or its subject is not a pod). */
    static String forSide(ClusterSnapshot snapshot, Flow flow, Direction d, List<DefaultDeny> defaultDenies) {
        FlowFix fix = FlowFix.of(snapshot, flow, d).orElse(null);
        if (fix == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder("To allow it, ").append(fix.instruction()).append('\n');
        fix.yaml().lines().forEach(l -> sb.append("  ").append(l).append('\n'));
        Endpoint peer = d == Direction.EGRESS ? flow.destination() : flow.source();
        String ns = fix.subject().namespace();
        for (DefaultDeny dd : defaultDenies) {
            if (peer instanceof Endpoint.PodEndpoint pe && pe.pod().namespace().equals(ns) && !dd.allowSameNamespace()) {
                sb.append("Or set spec.allowSameNamespace: true in ").append(dd.ref())
                        .append(" (broader: it opens all traffic between the pods of namespace ").append(ns).append(").\n");
            }
            if (d == Direction.EGRESS && !dd.allowDNS() && flow.port() == 53) {
                sb.append("If this is DNS, set spec.allowDNS: true in ").append(dd.ref()).append(".\n");
            }
        }
        return sb.toString().stripTrailing();
    }
}
