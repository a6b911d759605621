package dev.netfence.policy.eval;

import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.NetworkPolicy;
import dev.netfence.policy.model.ObjectRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Both verdicts of a flow when some policies are audited ({@link dev.netfence.policy.model.Enforcement}):
 *
 * <ul>
 *   <li>the <b>enforced</b> verdict is computed as if the audited policies did not exist: they change
 *       nothing that is allowed, including isolation (an audited policy selecting a pod does not
 *       isolate it, so it does not deny what enforcing policies leave open);</li>
 *   <li>the <b>audit</b> verdict is computed as if they enforced (every policy counts);</li>
 *   <li>{@code would-deny}: the enforced verdict allows and the audit verdict denies. The opposite
 *       (audit allows what is enforced denied: the audited policy would open something) is
 *       {@code would-allow}.</li>
 * </ul>
 *
 * Per side this means: a pod isolated by an enforcing policy in a direction gets the same side
 * verdict in both (an audited policy can only add allowing rules there, which the enforced verdict
 * ignores); a pod isolated only by audited policies is open in the enforced verdict and judged by the
 * audited policies in the audit verdict. So a would-deny always names a side isolated only by audited
 * policies, which is what the datapath logs.
 */
public final class AuditEvaluation {
    private final PolicyEngine enforced;
    private final PolicyEngine audit;
    private final boolean anyAudited;

    public AuditEvaluation(ClusterSnapshot snapshot) {
        this.enforced = new PolicyEngine(snapshot);
        this.audit = PolicyEngine.asIfAuditedEnforced(snapshot);
        this.anyAudited = snapshot.policies().stream().anyMatch(NetworkPolicy::audited)
                || snapshot.defaultDenies().stream().anyMatch(DefaultDeny::audited);
    }

    /** Whether any policy of the snapshot is audited (else both verdicts are always equal). */
    public boolean anyAudited() {
        return anyAudited;
    }

    public PolicyEngine enforcedEngine() {
        return enforced;
    }

    public PolicyEngine auditEngine() {
        return audit;
    }

    public Result evaluate(Flow flow) {
        Verdict e = enforced.evaluate(flow);
        Verdict a = anyAudited ? audit.evaluate(flow) : e;
        return new Result(e, a);
    }

    /** The enforced and the audit verdict of one flow. */
    public record Result(Verdict enforced, Verdict audit) {
        public boolean wouldDeny() {
            return enforced.allowed() && !audit.allowed();
        }

        public boolean wouldAllow() {
            return !enforced.allowed() && audit.allowed();
        }

        /** {@code allowed}, {@code denied} or {@code would-deny}, as the flow log names the verdict. */
        public String label() {
            return wouldDeny() ? "would-deny" : enforced.allowed() ? "allowed" : "denied";
        }

        /**
         * The audited policies behind a would-deny: those that isolate a side the audit verdict
         * denies (empty unless {@link #wouldDeny()}).
         */
        public List<ObjectRef> auditedDeciders() {
            List<ObjectRef> out = new ArrayList<>();
            if (!wouldDeny()) {
                return out;
            }
            for (Direction d : Direction.values()) {
                SideVerdict side = d == Direction.EGRESS ? audit.egress() : audit.ingress();
                if (!side.allowed()) {
                    out.addAll(side.isolatedBy());
                }
            }
            return out;
        }
    }
}
