package dev.netfence.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.crds.Condition;
import dev.netfence.crds.DefaultDenyStatus;
import dev.netfence.crds.NodeRuleSetStatus;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.DefaultDeny;
import dev.netfence.policy.model.Direction;
import dev.netfence.policy.model.Namespace;
import dev.netfence.policy.model.Node;
import dev.netfence.policy.model.Pod;
import dev.netfence.policy.net.IpAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultDenyStatusAggregatorTest {

    static CompiledCluster twoNodesDenied() {
        return RuleSetCompiler.compile(ClusterSnapshot.builder()
                .namespace(Namespace.of("shop"))
                .node(new Node("n1", List.of(IpAddress.parse("192.168.0.1"))))
                .node(new Node("n2", List.of(IpAddress.parse("192.168.0.2"))))
                .pod(new Pod("shop", "a", Map.of(), List.of(IpAddress.parse("10.0.0.1")), "n1", false, List.of()))
                .pod(new Pod("shop", "b", Map.of(), List.of(IpAddress.parse("10.0.0.2")), "n2", false, List.of()))
                .pod(new Pod("shop", "c", Map.of(), List.of(IpAddress.parse("10.0.0.3")), "n2", false, List.of()))
                .defaultDeny(new DefaultDeny("shop", "deny", Set.of(Direction.INGRESS, Direction.EGRESS), true, false, null))
                .build());
    }

    private static Condition condition(DefaultDenyStatus s, String type) {
        return s.conditions.stream().filter(c -> c.type.equals(type)).findFirst().orElseThrow();
    }

    @Test
    void countsPodsOnceForBothDirectionsAndNodesByAppliedHash() {
        CompiledCluster c = twoNodesDenied();
        Map<String, NodeRuleSetStatus> statuses = new HashMap<>();
        NodeRuleSetStatus n1 = new NodeRuleSetStatus();
        n1.appliedHash = c.nodes().get("n1").contentHash();
        statuses.put("n1", n1);
        NodeRuleSetStatus n2 = new NodeRuleSetStatus();
        n2.appliedHash = "an-older-hash";
        statuses.put("n2", n2);

        PolicyRealization r = new RealizationSummary(c, statuses::get).of("DefaultDeny", "shop", "deny");
        DefaultDenyStatus s = DefaultDenyStatusAggregator.build(r, 4, null, "2026-11-27T00:00:00Z");

        assertThat(s.selectedPods).isEqualTo(3);
        assertThat(s.nodesDesired).isEqualTo(2);
        assertThat(s.nodesRealized).isEqualTo(1);
        assertThat(s.observedGeneration).isEqualTo(4);
        assertThat(condition(s, "Ready").reason).isEqualTo("Compiled");
        assertThat(condition(s, "Enforced").reason).isEqualTo("Pending");
        assertThat(condition(s, "Enforced").status).isEqualTo("False");
    }

    @Test
    void anErrorIsApplyFailedAndAllAppliedIsEnforced() {
        CompiledCluster c = twoNodesDenied();
        Map<String, NodeRuleSetStatus> statuses = new HashMap<>();
        for (NodeRuleSet rs : c.nodes().values()) {
            NodeRuleSetStatus st = new NodeRuleSetStatus();
            st.appliedHash = rs.contentHash();
            statuses.put(rs.node(), st);
        }
        DefaultDenyStatus ok = DefaultDenyStatusAggregator.build(new RealizationSummary(c, statuses::get)
                .of("DefaultDeny", "shop", "deny"), 1, null, "t1");
        assertThat(condition(ok, "Enforced").reason).isEqualTo("Enforced");
        assertThat(condition(ok, "Enforced").status).isEqualTo("True");

        statuses.get("n2").error = "nft: Error: syntax error";
        statuses.get("n2").appliedHash = "an-older-hash";
        DefaultDenyStatus failed = DefaultDenyStatusAggregator.build(new RealizationSummary(c, statuses::get)
                .of("DefaultDeny", "shop", "deny"), 1, ok, "t2");
        assertThat(condition(failed, "Enforced").reason).isEqualTo("ApplyFailed");
        assertThat(condition(failed, "Enforced").message).contains("n2").contains("syntax error");
        // Ready did not change: its transition time stays; Enforced changed: it moves
        assertThat(condition(failed, "Ready").lastTransitionTime).isEqualTo("t1");
        assertThat(condition(failed, "Enforced").lastTransitionTime).isEqualTo("t2");
        assertThat(DefaultDenyStatusAggregator.same(ok, failed)).isFalse();
        assertThat(DefaultDenyStatusAggregator.same(failed, DefaultDenyStatusAggregator.build(new RealizationSummary(c,
                statuses::get).of("DefaultDeny", "shop", "deny"), 1, failed, "t3"))).isTrue();
    }

    @Test
    void nothingSelectedIsEnforcedTriviallyAndInvalidIsNotReady() {
        PolicyRealization none = PolicyRealization.none();
        DefaultDenyStatus s = DefaultDenyStatusAggregator.build(none, 2, null, "t");
        assertThat(condition(s, "Enforced").reason).isEqualTo("NoPodsSelected");
        DefaultDenyStatus invalid = DefaultDenyStatusAggregator.build(none, 3,
                "spec.exemptPodSelector.matchExpressions[0].operator: unknown", null, "t");
        assertThat(condition(invalid, "Ready").status).isEqualTo("False");
        assertThat(condition(invalid, "Ready").reason).isEqualTo("InvalidSpec");
        assertThat(invalid.observedGeneration).isEqualTo(3);
    }
}
