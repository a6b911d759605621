package dev.netfence.policy.compile;

import dev.netfence.policy.persistent.PersistentSortedMap;
import java.util.List;
import java.util.Map;

/**
 * The compiler's output for a whole cluster: one {@link NodeRuleSet} per node that has isolated
 * local pods (a node absent from the map enforces nothing), the shared {@link AddressSet}s, and
 * each address set's span: the nodes whose rule sets reference it (Antrea's span), so a change to
 * an address set is sent only to those nodes.
 */
public record CompiledCluster(Map<String, NodeRuleSet> nodes, Map<String, AddressSet> addressSets,
                              Map<String, List<String>> addressSetSpans) {
    public CompiledCluster {
        nodes = immutable(nodes);
        addressSets = immutable(addressSets);
        addressSetSpans = immutable(addressSetSpans);
    }

    /** The map itself when it is already immutable and shares structure (the incremental compiler's), else a copy. */
    private static <V> Map<String, V> immutable(Map<String, V> map) {
        return map instanceof PersistentSortedMap<String, V> ? map : Map.copyOf(map);
    }

    /** The rule set of a node with the address sets it references, or an empty one. */
    public ResolvedRuleSet forNode(String node) {
        NodeRuleSet rs = nodes.get(node);
        if (rs == null) {
            return new ResolvedRuleSet(new NodeRuleSet(node, List.of(), List.of(), List.of(), List.of()), List.of());
        }
        return new ResolvedRuleSet(rs, rs.addressSets().stream().map(addressSets::get).toList());
    }
}
