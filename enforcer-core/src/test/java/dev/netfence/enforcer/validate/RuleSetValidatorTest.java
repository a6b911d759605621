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

    static List<HostileRuleSets.Case> tieredCases() {
        return HostileRuleSets.tieredCases();
    }

    @Test
    void aValidTieredRuleSetPassesUnchanged() {
        ResolvedRuleSet valid = HostileRuleSets.validTiered();
        assertThat(valid.ruleSet().policies()).anyMatch(p -> p.clusterTier());
        assertThat(valid.ruleSet().pods()).anyMatch(p -> p.clusterIngress().size() == 2 && !p.clusterEgress().isEmpty());
        assertThat(RuleSetValidator.validate("NodeRuleSet n1", valid)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tieredCases")
    void nonsenseInTheTiersIsRefusedWithItsFieldNamed(HostileRuleSets.Case c) {
        assertThatThrownBy(() -> RuleSetValidator.validate("NodeRuleSet n1", c.apply(HostileRuleSets.validTiered())))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessageContaining(c.field())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception")
                        .hasSizeLessThan(400));
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
