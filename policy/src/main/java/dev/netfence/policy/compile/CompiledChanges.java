package dev.netfence.policy.compile;

import java.util.Set;

/**
 * What one incremental compile changed in its {@link CompiledCluster}: the nodes whose
 * {@link NodeRuleSet} was added, changed or removed, and the address sets whose entries or span
 * were added, changed or removed. {@code everything} means "compare it all" (a full compile, where
 * the sets are empty): a consumer that publishes by difference then walks the whole output.
 */
public record CompiledChanges(boolean everything, Set<String> nodes, Set<String> addressSets) {

    public static final CompiledChanges EVERYTHING = new CompiledChanges(true, Set.of(), Set.of());
    public static final CompiledChanges NONE = new CompiledChanges(false, Set.of(), Set.of());

    public CompiledChanges {
        nodes = Set.copyOf(nodes);
        addressSets = Set.copyOf(addressSets);
    }

    public boolean isEmpty() {
        return !everything && nodes.isEmpty() && addressSets.isEmpty();
    }
}
