package dev.netfence.policy.compile;

import java.util.List;

/**
 * Everything one node's enforcer needs: its {@link NodeRuleSet} plus the {@link AddressSet}s it
 * names. This is the document the enforcer's file source reads (YAML) and what it assembles from
 * the NodeRuleSet and AddressSet custom resources.
 */
public record ResolvedRuleSet(NodeRuleSet ruleSet, List<AddressSet> addressSets) {
    public ResolvedRuleSet {
        addressSets = addressSets == null ? List.of() : List.copyOf(addressSets);
    }
}
