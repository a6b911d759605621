package dev.netfence.enforcer.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfence.crds.ruleset.InvalidRuleSetException;
import dev.netfence.enforcer.nft.NftablesRenderer;
import dev.netfence.policy.compile.ResolvedRuleSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every hostile variant is refused whole with its field named; a valid rule set passes unchanged. */
class RuleSetValidatorTest {

    static List<HostileRuleSets.Case> cases() {
        return HostileRuleSets.cases();
    }

    @Test
    void aValidRuleSetPassesUnchanged() {
        ResolvedRuleSet valid = HostileRuleSets.valid();
        ResolvedRuleSet checked = RuleSetValidator.validate("NodeRuleSet n1", valid);
        assertThat(checked).isEqualTo(valid);
        assertThat(NftablesRenderer.render(checked)).isEqualTo(NftablesRenderer.render(valid));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aHostileRuleSetIsRefusedWithItsFieldNamed(HostileRuleSets.Case c) {
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", c.apply(HostileRuleSets.valid())))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining(c.field())
                // the message quotes the value safely: one line, bounded, no Java names
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception")
                        .hasSizeLessThan(400));
    }

    @Test
    void aTieredRuleSetPassesUnchanged() {
        ResolvedRuleSet tiers = dev.netfence.enforcer.TieredRuleSets.shopN1();
        assertThat(RuleSetValidator.validate("NodeRuleSet n1", tiers)).isEqualTo(tiers);
    }

    @Test
    void tierContentIsCheckedWithItsFieldNamed() {
        ResolvedRuleSet tiers = dev.netfence.enforcer.TieredRuleSets.shopN1();
        var rs = tiers.ruleSet();
        // a pod's ClusterNetworkPolicy list out of evaluation order (Baseline before Admin) would let Baseline decide first
        java.util.List<dev.netfence.policy.compile.LocalPod> pods = new java.util.ArrayList<>(rs.pods());
        var p = pods.get(0);
        pods.set(0, new dev.netfence.policy.compile.LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                p.egressPolicies(), p.clusterIngress(), java.util.List.of(p.clusterEgress().get(1), p.clusterEgress().get(0))));
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", withPods(tiers, pods)))
                .isInstanceOf(InvalidRuleSetException.class).hasMessageContaining("spec.pods[0].clusterEgress[1]")
                .hasMessageContaining("evaluation order");
        // a NetworkPolicy id in a cluster list, and a ClusterNetworkPolicy id in a NetworkPolicy list
        pods.set(0, new dev.netfence.policy.compile.LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                p.egressPolicies(), p.clusterIngress(), java.util.List.of(dev.netfence.enforcer.TieredRuleSets.WATCH)));
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", withPods(tiers, pods)))
                .hasMessageContaining("spec.pods[0].clusterEgress[0]").hasMessageContaining("not a ClusterNetworkPolicy Egress");
        pods.set(0, new dev.netfence.policy.compile.LocalPod(p.namespace(), p.name(), p.ips(), p.ingressPolicies(),
                java.util.List.of(dev.netfence.enforcer.TieredRuleSets.GUARD_EGRESS)));
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", withPods(tiers, pods)))
                .hasMessageContaining("spec.pods[0].egressPolicies[0]").hasMessageContaining("not a NetworkPolicy-tier");
        // a NetworkPolicy rule that denies, and a ClusterNetworkPolicy priority out of range
        java.util.List<dev.netfence.policy.compile.PolicyRules> policies = new java.util.ArrayList<>(rs.policies());
        int np = policies.indexOf(policies.stream().filter(x -> !x.clusterTier() && !x.rules().isEmpty()).findFirst().orElseThrow());
        var n = policies.get(np);
        var r = n.rules().get(0);
        policies.set(np, new dev.netfence.policy.compile.PolicyRules(n.id(), n.kind(), n.namespace(), n.name(), n.direction(),
                java.util.List.of(new dev.netfence.policy.compile.CompiledRule(r.fieldPath(), r.allPeers(), r.peers(), r.allPorts(),
                        r.ports(), r.namedPorts(), dev.netfence.policy.model.RuleAction.DENY, "")), n.audit()));
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", withPolicies(tiers, policies)))
                .hasMessageContaining("spec.policies[" + np + "].rules[0].action");
        java.util.List<dev.netfence.policy.compile.PolicyRules> priorities = new java.util.ArrayList<>(rs.policies());
        int cnp = priorities.indexOf(priorities.stream().filter(x -> x.clusterTier()).findFirst().orElseThrow());
        var c = priorities.get(cnp);
        priorities.set(cnp, new dev.netfence.policy.compile.PolicyRules(c.id(), c.kind(), c.namespace(), c.name(), c.direction(),
                c.rules(), false, c.tier(), 1001));
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", withPolicies(tiers, priorities)))
                .hasMessageContaining("spec.policies[" + cnp + "].priority").hasMessageContaining("0-1000");
    }

    private static ResolvedRuleSet withPods(ResolvedRuleSet in, List<dev.netfence.policy.compile.LocalPod> pods) {
        var rs = in.ruleSet();
        return new ResolvedRuleSet(new dev.netfence.policy.compile.NodeRuleSet(rs.node(), rs.nodeAddresses(), pods, rs.policies(),
                rs.addressSets()), in.addressSets());
    }

    private static ResolvedRuleSet withPolicies(ResolvedRuleSet in, List<dev.netfence.policy.compile.PolicyRules> policies) {
        var rs = in.ruleSet();
        return new ResolvedRuleSet(new dev.netfence.policy.compile.NodeRuleSet(rs.node(), rs.nodeAddresses(), rs.pods(), policies,
                rs.addressSets()), in.addressSets());
    }

    /** A pod listing an audited policy next to an enforcing one would let the datapath accept past the enforcing one. */
    @org.junit.jupiter.api.Test
    void aPodListMixingAuditedAndEnforcingPoliciesIsRefused() {
        dev.netfence.policy.compile.ResolvedRuleSet valid = HostileRuleSets.valid();
        var rs = valid.ruleSet();
        var audited = rs.policies().get(0);
        // an enforcing twin of it, same direction, another name
        var enforcing = new dev.netfence.policy.compile.PolicyRules(dev.netfence.policy.compile.PolicyRules.idOf(audited.kind(),
                audited.namespace(), audited.name() + "-twin", audited.direction()), audited.kind(), audited.namespace(),
                audited.name() + "-twin", audited.direction(), audited.rules());
        java.util.List<dev.netfence.policy.compile.PolicyRules> policies = new java.util.ArrayList<>(rs.policies());
        policies.add(enforcing);
        policies.set(0, new dev.netfence.policy.compile.PolicyRules(audited.id(), audited.kind(), audited.namespace(),
                audited.name(), audited.direction(), audited.rules(), true));
        java.util.List<String> both = java.util.stream.Stream.of(audited.id(), enforcing.id()).sorted().toList();
        var first = rs.pods().get(0);
        var mixed = audited.direction() == dev.netfence.policy.model.Direction.INGRESS
                ? new dev.netfence.policy.compile.LocalPod(first.namespace(), first.name(), first.ips(), both, first.egressPolicies())
                : new dev.netfence.policy.compile.LocalPod(first.namespace(), first.name(), first.ips(), first.ingressPolicies(), both);
        java.util.List<dev.netfence.policy.compile.LocalPod> pods = new java.util.ArrayList<>(rs.pods());
        pods.set(0, mixed);
        var bad = new dev.netfence.policy.compile.ResolvedRuleSet(new dev.netfence.policy.compile.NodeRuleSet(rs.node(),
                rs.nodeAddresses(), pods, policies, rs.addressSets()), valid.addressSets());
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", bad))
                .hasMessageContaining("spec.pods[0].")
                .hasMessageContaining("mixes audited and enforcing policies");
    }
}
