package dev.netfence.operator.publish;

import dev.netfence.policy.compile.NodeRuleSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link NodeRuleSet#contentHash()} per node, remembered across compiles: the hash prints the whole
 * record (tens of KiB per node at scale), while comparing a new record with the previous one is
 * cheap, and after a change most nodes' records are equal to the previous ones.
 */
public final class RuleSetHashes {
    private record Entry(NodeRuleSet ruleSet, String hash) {
    }

    private final ConcurrentHashMap<String, Entry> byNode = new ConcurrentHashMap<>();

    public String of(NodeRuleSet rs) {
        Entry e = byNode.get(rs.node());
        if (e != null && (e.ruleSet() == rs || e.ruleSet().equals(rs))) {
            return e.hash();
        }
        String hash = rs.contentHash();
        byNode.put(rs.node(), new Entry(rs, hash));
        return hash;
    }

    /** Forgets nodes that are gone. */
    public void retainNodes(java.util.Set<String> nodes) {
        byNode.keySet().retainAll(nodes);
    }
}
