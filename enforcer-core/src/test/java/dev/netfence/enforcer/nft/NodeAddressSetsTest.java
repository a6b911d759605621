package dev.netfence.enforcer.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.SampleClusters;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.CompiledRule;
import dev.netfence.policy.compile.NodeRuleSet;
import dev.netfence.policy.compile.PolicyRules;
import dev.netfence.policy.compile.ResolvedRuleSet;
import dev.netfence.policy.compile.RuleSetCompiler;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A node holds only the AddressSets its own rules reference: the NodeRuleSet names exactly the sets
 * its policies' rules use (the enforcer's source watches exactly those names, see
 * KubernetesRuleSetSourceIT), and the rendered table declares exactly those sets, no other node's.
 */
class NodeAddressSetsTest {

    @Test
    void everyNodeNamesAndRendersExactlyTheAddressSetsItsRulesUse() {
        CompiledCluster compiled = RuleSetCompiler.compile(SampleClusters.shop());
        assertThat(compiled.nodes()).hasSizeGreaterThan(1);
        Set<String> union = new TreeSet<>();
        for (String node : compiled.nodes().keySet()) {
            ResolvedRuleSet resolved = compiled.forNode(node);
            NodeRuleSet rs = resolved.ruleSet();
            Set<String> used = new TreeSet<>();
            for (PolicyRules p : rs.policies()) {
                for (CompiledRule r : p.rules()) {
                    used.addAll(r.peers());
                }
            }
            assertThat(new TreeSet<>(rs.addressSets())).as("AddressSets named by node %s", node).isEqualTo(used);
            assertThat(resolved.addressSets()).extracting(a -> a.name()).containsExactlyInAnyOrderElementsOf(used);
            Set<String> rendered = new TreeSet<>();
            for (NftSet s : NftablesRenderer.render(resolved).sets()) {
                if (s.name().startsWith("as_")) {
                    rendered.add(s.name());
                }
            }
            Set<String> expected = new TreeSet<>();
            used.forEach(a -> {
                expected.add(NftablesRenderer.setNameOf(a) + "_v4");
                expected.add(NftablesRenderer.setNameOf(a) + "_v6");
            });
            assertThat(rendered).as("address sets in node %s's table", node).isEqualTo(expected);
            union.addAll(used);
        }
        // the cluster's sets are more than any one node needs: what a node skips is really skipped
        assertThat(compiled.addressSets().keySet()).containsAll(union);
    }
}
