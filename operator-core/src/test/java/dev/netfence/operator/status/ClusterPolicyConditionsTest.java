package dev.netfence.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.Condition;
import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.crds.clusterpolicy.ClusterNetworkPolicyStatus;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.LocalPod;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.RuleAction;
import dev.netfence.policy.model.Tier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A ClusterNetworkPolicy's conditions from its realization: the ids the compiler gives its directions count as one object. */
class ClusterPolicyConditionsTest {

    /** Two nodes, each with a pod the Admin policy "guard" selects for egress (the shared model's ids and fields). */
    static CompiledCluster guardOnTwoNodes() {
        PolicyRules egress = PolicyRules.cluster("guard", Tier.ADMIN, 10, Direction.EGRESS, List.of(
                new CompiledRule("spec.egress[0]", true, List.of(), true, List.of(), List.of(), RuleAction.DENY, "deny-all")));
        String id = PolicyRules.clusterIdOf("guard", Direction.EGRESS);
        Map<String, NodeRuleSet> nodes = new HashMap<>();
        nodes.put("n1", new NodeRuleSet("n1", List.of("192.168.0.1"), List.of(new LocalPod("shop", "a", List.of("10.0.0.1"),
                List.of(), List.of(), List.of(), List.of(id))), List.of(egress), List.of()));
        nodes.put("n2", new NodeRuleSet("n2", List.of("192.168.0.2"), List.of(
                new LocalPod("shop", "b", List.of("10.0.0.2"), List.of(), List.of(), List.of(), List.of(id)),
                new LocalPod("shop", "c", List.of("10.0.0.3"), List.of(), List.of(), List.of(), List.of(id))), List.of(egress),
                List.of()));
        return new CompiledCluster(nodes, Map.of(), Map.of());
    }

    private static Condition condition(ClusterNetworkPolicyStatus s, String type) {
        return s.conditions.stream().filter(c -> c.type.equals(type)).findFirst().orElseThrow();
    }

    @Test
    void realizationCountsThePodsItsSubjectSelectsAndTheNodesThatApplied() {
        CompiledCluster c = guardOnTwoNodes();
        Map<String, NodeRuleSetStatus> statuses = new HashMap<>();
        NodeRuleSetStatus n1 = new NodeRuleSetStatus();
        n1.appliedHash = c.nodes().get("n1").contentHash();
        statuses.put("n1", n1);
        PolicyRealization r = new RealizationSummary(c, statuses::get).of("ClusterNetworkPolicy", "", "guard");
        assertThat(r.selectedPods()).isEqualTo(3);
        assertThat(r.nodesDesired()).containsExactly("n1", "n2");
        assertThat(r.nodesRealized()).containsExactly("n1");

        ClusterNetworkPolicyStatus s = ClusterPolicyConditions.build(r, 2, 2, null, null, "t1");
        assertThat(s.conditions).extracting(x -> x.type).containsExactly("Accepted", "netfence.dev/Enforced");
        assertThat(condition(s, "Accepted").status).isEqualTo("True");
        assertThat(condition(s, "Accepted").reason).isEqualTo("Accepted");
        assertThat(condition(s, "Accepted").observedGeneration).isEqualTo(2);
        assertThat(condition(s, "netfence.dev/Enforced").status).isEqualTo("False");
        assertThat(condition(s, "netfence.dev/Enforced").reason).isEqualTo("Pending");
        assertThat(condition(s, "netfence.dev/Enforced").message).isEqualTo("1 of 2 nodes applied the current rule set");

        NodeRuleSetStatus n2 = new NodeRuleSetStatus();
        n2.appliedHash = c.nodes().get("n2").contentHash();
        statuses.put("n2", n2);
        ClusterNetworkPolicyStatus all = ClusterPolicyConditions.build(new RealizationSummary(c, statuses::get)
                .of("ClusterNetworkPolicy", "", "guard"), 2, 2, null, s, "t2");
        assertThat(condition(all, "netfence.dev/Enforced").reason).isEqualTo("Enforced");
        assertThat(condition(all, "netfence.dev/Enforced").message).isEqualTo("enforced on all 2 nodes running the 3 pods its subject selects");
        // Accepted did not change: its transition time stays; Enforced changed: it moves
        assertThat(condition(all, "Accepted").lastTransitionTime).isEqualTo("t1");
        assertThat(condition(all, "netfence.dev/Enforced").lastTransitionTime).isEqualTo("t2");
        assertThat(ClusterPolicyConditions.same(all, s)).isFalse();
        assertThat(ClusterPolicyConditions.same(all, ClusterPolicyConditions.build(new RealizationSummary(c, statuses::get)
                .of("ClusterNetworkPolicy", "", "guard"), 2, 2, null, all, "t3"))).isTrue();

        n2.appliedHash = "an-older-hash";
        n2.error = "nft: Error: syntax error";
        ClusterNetworkPolicyStatus failed = ClusterPolicyConditions.build(new RealizationSummary(c, statuses::get)
                .of("ClusterNetworkPolicy", "", "guard"), 2, 2, null, all, "t4");
        assertThat(condition(failed, "netfence.dev/Enforced").reason).isEqualTo("ApplyFailed");
        assertThat(condition(failed, "netfence.dev/Enforced").message).contains("node n2: nft: Error: syntax error");
    }

    @Test
    void aRefusedGenerationIsNotAcceptedAndTheOneInForceIsReported() {
        ClusterNetworkPolicyStatus s = ClusterPolicyConditions.build(PolicyRealization.none(), 5, 4,
                "spec.priority: must be between 0 and 1000, inclusive (got 2000)", null, "t");
        assertThat(condition(s, "Accepted").status).isEqualTo("False");
        assertThat(condition(s, "Accepted").reason).isEqualTo("Invalid");
        assertThat(condition(s, "Accepted").message).isEqualTo("spec.priority: must be between 0 and 1000, inclusive (got 2000)"
                + " (generation 4, the last valid version, stays in force)");
        assertThat(condition(s, "Accepted").observedGeneration).isEqualTo(5);
        assertThat(condition(s, "netfence.dev/Enforced").reason).isEqualTo("NoPodsSelected");
        assertThat(condition(s, "netfence.dev/Enforced").observedGeneration).isEqualTo(4);

        ClusterNetworkPolicyStatus never = ClusterPolicyConditions.build(PolicyRealization.none(), 1, -1, "spec.tier: required",
                null, "t");
        assertThat(condition(never, "Accepted").message).endsWith("(no version of it was valid: nothing of it is enforced)");
        assertThat(condition(never, "netfence.dev/Enforced").status).isEqualTo("False");
        assertThat(condition(never, "netfence.dev/Enforced").reason).isEqualTo("NotAccepted");
    }

    @Test
    void anotherImplementationsConditionsAreKept() {
        ClusterNetworkPolicyStatus other = new ClusterNetworkPolicyStatus();
        other.conditions = List.of(new Condition("example.com/Programmed", "True", "Programmed", "done", "t0", 1L));
        ClusterNetworkPolicyStatus ours = ClusterPolicyConditions.build(PolicyRealization.none(), 1, 1, null, other, "t");
        assertThat(ClusterPolicyConditions.same(ours, other)).isFalse();
        ClusterNetworkPolicyStatus merged = ClusterPolicyConditions.merged(ours, other);
        assertThat(merged.conditions).extracting(c -> c.type).containsExactly("example.com/Programmed", "Accepted",
                "netfence.dev/Enforced");
        assertThat(ClusterPolicyConditions.same(ours, merged)).isTrue();
    }
}
