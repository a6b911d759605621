package dev.netfence.enforcer.revoke;

import dev.netfence.enforcer.nft.Conntrack;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.CompiledVerdicts;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.model.Protocol;
import dev.netfence.policy.compile.LocalPod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the rules of one node deny a tracked connection, decided by {@link CompiledVerdicts} (the
 * datapath's decision evaluated on the compiled model, checked against the engine by the policy
 * module's tests) on this node's rule set alone: egress is judged when the initiator is a local pod,
 * ingress when the responder is one (the reply's source: a DNATed ClusterIP is judged as the pod
 * behind it, as the rules see the packet). Protocols without ports (ICMP) are never revoked: a
 * policy cannot name them, and their entries expire within 30 s.
 */
public final class RevocationVerdicts {
    private final CompiledVerdicts verdicts;

    public RevocationVerdicts(ResolvedRuleSet rules) {
        Map<String, AddressSet> sets = new HashMap<>();
        rules.addressSets().forEach(s -> sets.put(s.name(), s));
        this.verdicts = new CompiledVerdicts(new CompiledCluster(Map.of(rules.ruleSet().node(), rules.ruleSet()), sets,
                Map.of()));
    }

    private RevocationVerdicts(CompiledVerdicts verdicts) {
        this.verdicts = verdicts;
    }

    /**
     * The verdicts of {@code after}, which differs from these verdicts' rule set only by the pods {@code removed}
     * and {@code added} (the loop's pod path): equal to {@code new RevocationVerdicts(after)}, at the cost of the
     * changed pods ({@link CompiledVerdicts#withPods}).
     */
    public RevocationVerdicts withPods(ResolvedRuleSet after, List<LocalPod> removed, List<LocalPod> added) {
        return new RevocationVerdicts(verdicts.withPods(after.ruleSet(), removed, added));
    }

    public boolean denied(Conntrack.Entry e) {
        Protocol p = switch (e.protocol()) {
            case 6 -> Protocol.TCP;
            case 17 -> Protocol.UDP;
            case 132 -> Protocol.SCTP;
            default -> null;
        };
        return p != null && !verdicts.allowed(e.initiator(), e.responder(), p, e.responderPort());
    }
}
