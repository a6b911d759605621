package dev.netfence.policy.analysis;

import dev.netfence.policy.eval.PolicyEngine;
import dev.netfence.policy.model.ClusterNetworkPolicy;
import dev.netfence.policy.model.ClusterPeer;
import dev.netfence.policy.model.ClusterRule;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.model.RuleAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Lint rules for one ClusterNetworkPolicy against the others and the known pods (warnings):
 * same-priority overlaps (upstream: "If two (or more) policies in the same tier with the same
 * priority could match a connection, then the implementation can apply any of the matching
 * policies"; Netfence applies them in name order, and says so), and peers that fail closed.
 */
final class ClusterPolicyLint {

    private final ClusterSnapshot snapshot;
    private final PolicyEngine engine;

    ClusterPolicyLint(ClusterSnapshot snapshot) {
        this.snapshot = snapshot;
        this.engine = new PolicyEngine(snapshot);
    }

    List<Finding> lint(ClusterNetworkPolicy cnp) {
        List<Finding> out = new ArrayList<>();
        samePriority(cnp, out);
        failClosedPeers(cnp, out);
        return out;
    }

    private void samePriority(ClusterNetworkPolicy cnp, List<Finding> out) {
        Set<String> mine = engine.subjectPods(cnp).stream().map(Pod::key).collect(Collectors.toSet());
        boolean podsKnown = !snapshot.pods().isEmpty();
        for (ClusterNetworkPolicy other : snapshot.clusterPolicies(cnp.tier())) {
            if (other.name().equals(cnp.name()) || other.priority() != cnp.priority()) {
                continue;
            }
            List<Direction> shared = new ArrayList<>();
            for (Direction d : Direction.values()) {
                if (!cnp.rules(d).isEmpty() && !other.rules(d).isEmpty()) {
                    shared.add(d);
                }
            }
            if (shared.isEmpty()) {
                continue;
            }
            List<String> common = engine.subjectPods(other).stream().map(Pod::key).filter(mine::contains).sorted().toList();
            if (podsKnown && common.isEmpty()) {
                continue;
            }
            boolean first = cnp.name().compareTo(other.name()) < 0;
            String where = common.isEmpty() ? "their subjects may select the same pods"
                    : "both select " + String.join(", ", common.subList(0, Math.min(3, common.size())))
                    + (common.size() > 3 ? " and " + (common.size() - 3) + " more pods" : "");
            out.add(new Finding(Rules.SAME_PRIORITY_OVERLAP, Severity.WARNING, cnp.ref(), "spec.priority",
                    "same " + cnp.tier().apiName() + " priority " + cnp.priority() + " as " + other.ref() + " and " + where
                            + " with " + shared.stream().map(Direction::field).collect(Collectors.joining(" and "))
                            + " rules: the API leaves their order to the implementation; Netfence evaluates them by name, so "
                            + (first ? "this one comes first" : other.name() + " comes first")
                            + "; give them distinct priorities to make the order explicit", null, null));
        }
    }

    private static void failClosedPeers(ClusterNetworkPolicy cnp, List<Finding> out) {
        for (Direction d : Direction.values()) {
            List<ClusterRule> rules = cnp.rules(d);
            for (int r = 0; r < rules.size(); r++) {
                ClusterRule rule = rules.get(r);
                for (int i = 0; i < rule.peers().size(); i++) {
                    if (rule.peers().get(i) instanceof ClusterPeer.Unknown u) {
                        String effect = rule.action() == RuleAction.ACCEPT ? "this peer matches no traffic"
                                : "the whole rule denies all " + d.field() + " traffic of the subject's pods";
                        out.add(new Finding(Rules.FAIL_CLOSED_PEER, Severity.WARNING, cnp.ref(),
                                "spec." + d.field() + "[" + r + "]." + (d == Direction.INGRESS ? "from" : "to") + "[" + i + "]",
                                "Netfence cannot read this peer (" + u.what() + "), so it fails closed as the API says: " + effect
                                        + "; use namespaces, pods, nodes or networks", null, null));
                    }
                }
            }
        }
    }
}
