package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.NodeRuleSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Makes the published NodeRuleSets and AddressSets match a compiled cluster, writing only what
 * differs: a NodeRuleSet when its content hash changed, an AddressSet part when its spec did.
 *
 * <p>Order matters to an enforcer reading in between: address sets are written first (a new rule
 * set never names a set that does not exist yet), then rule sets, then the rule sets of nodes that
 * are gone are deleted, and last the address sets no rule set refers to any more.
 */
public final class Publisher {

    private final ObjectWriter writer;
    private final RuleSetHashes hashes;
    /** The parts of each set as last split, reused while the set's entries are equal (splitting hashes every entry). */
    private final java.util.Map<String, Split> splits = new java.util.HashMap<>();

    private record Split(AddressSet set, List<dev.netfence.crds.AddressSet> parts) {
    }

    public Publisher(ObjectWriter writer) {
        this(writer, new RuleSetHashes());
    }

    public Publisher(ObjectWriter writer, RuleSetHashes hashes) {
        this.writer = writer;
        this.hashes = hashes;
    }

    public PublishResult publish(CompiledCluster compiled, PublishedObjects published) {
        int unchanged = 0;
        int asWritten = 0;
        Set<String> desiredParts = new HashSet<>();
        for (AddressSet set : compiled.addressSets().values()) {
            for (dev.netfence.crds.AddressSet part : parts(set)) {
                String name = part.getMetadata().getName();
                desiredParts.add(name);
                if (sameSpec(part.getSpec(), published.addressSetPart(name))) {
                    unchanged++;
                } else {
                    writer.write(part);
                    asWritten++;
                }
            }
        }
        int nrsWritten = 0;
        for (NodeRuleSet rs : compiled.nodes().values()) {
            if (hashes.of(rs).equals(published.nodeRuleSetHash(rs.node()))) {
                unchanged++;
            } else {
                writer.write(NodeRuleSetConverter.toResource(rs));
                nrsWritten++;
            }
        }
        int nrsDeleted = 0;
        for (String name : new ArrayList<>(published.nodeRuleSetNames())) {
            if (!compiled.nodes().containsKey(name)) {
                writer.deleteNodeRuleSet(name);
                nrsDeleted++;
            }
        }
        int asDeleted = 0;
        for (String name : new ArrayList<>(published.addressSetNames())) {
            if (!desiredParts.contains(name)) {
                writer.deleteAddressSet(name);
                asDeleted++;
            }
        }
        hashes.retainNodes(compiled.nodes().keySet());
        splits.keySet().retainAll(compiled.addressSets().keySet());
        return new PublishResult(nrsWritten, asWritten, nrsDeleted, asDeleted, unchanged);
    }

    private List<dev.netfence.crds.AddressSet> parts(AddressSet set) {
        Split s = splits.get(set.name());
        if (s == null || !(s.set() == set || s.set().equals(set))) {
            s = new Split(set, AddressSetParts.split(set));
            splits.put(set.name(), s);
        }
        return s.parts();
    }

    static boolean sameSpec(AddressSetSpec a, AddressSetSpec b) {
        return b != null && Objects.equals(a.set, b.set) && Objects.equals(a.part, b.part)
                && Objects.equals(a.parts, b.parts) && Objects.equals(a.contentHash, b.contentHash)
                && Objects.equals(entries(a), entries(b));
    }

    private static List<String> entries(AddressSetSpec s) {
        return s.entries == null ? List.of() : s.entries;
    }
}
