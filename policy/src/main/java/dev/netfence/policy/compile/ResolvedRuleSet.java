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

    /**
     * A stable hash of the rule set and the members of its address sets: what the node enforces.
     * (The NodeRuleSet's own hash does not change when only address set members do.) See {@link RuleSetHash}.
     */
    public String contentHash() {
        return RuleSetHash.of(ruleSet).withAddressSets(RuleSetHash.addressSets(addressSets));
    }
}
