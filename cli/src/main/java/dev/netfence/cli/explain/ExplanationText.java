package dev.netfence.cli.explain;

import dev.netfence.cli.explain.SideExplanation.Reason;
import dev.netfence.policy.eval.Flow;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.ObjectRef;
import java.util.stream.Collectors;

/** The explanation for a person: the verdict first, then each side with its policies and rules. */
public final class ExplanationText {

    private ExplanationText() {
    }

    public static String render(Explanation e) {
        Flow f = e.flow();
        StringBuilder sb = new StringBuilder();
        sb.append(e.allowed() ? "ALLOWED" : "DENIED").append(": ").append(f.describe()).append('\n');
        sb.append(summary(e)).append('\n');
        side(e.egress(), sb);
        side(e.ingress(), sb);
        return sb.toString();
    }

    private static String summary(Explanation e) {
        String egress = "egress at the source " + Wording.endpoint(e.egress().subject());
        String ingress = "ingress at the destination " + Wording.endpoint(e.ingress().subject());
        if (e.allowed()) {
            return "Both sides allow it: " + egress + " and " + ingress + ".";
        }
        String by = !e.egress().allowed() && !e.ingress().allowed() ? "both " + egress + " and " + ingress
                : !e.egress().allowed() ? egress : ingress;
        return "Denied by " + by + " (a flow needs both sides to allow it).";
    }

    private static void side(SideExplanation s, StringBuilder sb) {
        sb.append('\n').append(s.direction() == Direction.EGRESS ? "Egress from " : "Ingress to ")
                .append(Wording.endpoint(s.subject())).append(": ").append(s.allowed() ? "allowed" : "DENIED").append('\n');
        if (!s.tierRules().isEmpty()) {
            sb.append("  cluster policy rules matched, in order:\n");
            s.tierRules().forEach(r -> sb.append("  - ").append(r).append('\n'));
        }
        if (s.decidedByClusterPolicy()) {
            sb.append("  decided by the ").append(s.decidedBy()).append(": ").append(s.note()).append('\n');
            return;
        }
        if (!s.isolated()) {
            sb.append("  ").append(s.note()).append('\n');
            return;
        }
        sb.append("  isolated by: ").append(s.isolatedBy().stream().map(ObjectRef::toString)
                .collect(Collectors.joining(", "))).append('\n');
        if (s.note() != null) {
            sb.append("  ").append(s.note()).append('\n');
        }
        if (!s.allowedBy().isEmpty()) {
            sb.append("  allowed by:\n");
            s.allowedBy().forEach(r -> reason(r, sb));
        }
        if (!s.allowed()) {
            sb.append("  no rule allows this flow:\n");
            s.notMatched().forEach(r -> reason(r, sb));
            if (s.fix() != null) {   // none for an audit verdict the enforcing policies already allow
                sb.append(s.fix().indent(2));
            }
        }
    }

    private static void reason(Reason r, StringBuilder sb) {
        sb.append("  - ").append(r.policy()).append(' ').append(r.fieldPath()).append(": ").append(r.text()).append('\n');
    }
}
