package dev.netfence.operator.publish;

import dev.netfence.crds.AddressSetSpec;
import dev.netfence.crds.ruleset.AddressSetParts;
import dev.netfence.crds.ruleset.NodeRuleSetConverter;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.CompiledChanges;
import dev.netfence.policy.compile.CompiledCluster;
import dev.netfence.policy.compile.IncrementalCompiler;
import dev.netfence.policy.compile.NodeRuleSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Makes the published NodeRuleSets and AddressSets match a compiled cluster, writing only what
 * differs from what is stored: a NodeRuleSet when the hash of its stored content differs, an
 * AddressSet part when its spec does. Three entry points, by how much is looked at:
 * <ul>
 * <li>{@link #publishChanges}: only the rule sets and address sets the compiler says it changed,
 * after each compile;</li>
 * <li>{@link #repair}: only the named objects, when someone changed or deleted them;</li>
 * <li>{@link #publish}: every object, the periodic full repair pass and the first publish of a leader.</li>
 * </ul>
 *
 * <p>Order matters to an enforcer reading in between: address sets are written first (a new rule
 * set never names a set that does not exist yet), then rule sets, then the rule sets of nodes that
 * are gone are deleted, and last the address sets no rule set refers to any more.
 */
public final class Publisher {

    private final ObjectWriter writer;
    private final RuleSetHashes hashes;
    /** The parts of each set as last split, reused while the set's entries are equal (splitting hashes every entry). */
    private final Map<String, Split> splits = new HashMap<>();

    private record Split(AddressSet set, List<dev.netfence.crds.AddressSet> parts) {
    }

    public Publisher(ObjectWriter writer) {
        this(writer, new RuleSetHashes());
    }

    public Publisher(ObjectWriter writer, RuleSetHashes hashes) {
        this.writer = writer;
        this.hashes = hashes;
    }

    /** Everything compared: writes what differs, deletes what is not compiled any more. */
    public PublishResult publish(CompiledCluster compiled, PublishedObjects published) {
        Counts n = new Counts();
        Set<String> desiredParts = new HashSet<>();
        for (AddressSet set : compiled.addressSets().values()) {
            for (dev.netfence.crds.AddressSet part : parts(set)) {
                desiredParts.add(part.getMetadata().getName());
                writeIfDifferent(part, published, n);
            }
        }
        for (NodeRuleSet rs : compiled.nodes().values()) {
            writeIfDifferent(rs, published, n);
        }
        for (String name : new ArrayList<>(published.nodeRuleSetNames())) {
            if (!compiled.nodes().containsKey(name)) {
                writer.deleteNodeRuleSet(name);
                n.nrsDeleted++;
            }
        }
        for (String name : new ArrayList<>(published.addressSetNames())) {
            if (!desiredParts.contains(name)) {
                writer.deleteAddressSet(name);
                n.asDeleted++;
            }
        }
        hashes.retainNodes(compiled.nodes().keySet());
        splits.keySet().retainAll(compiled.addressSets().keySet());
        return n.result();
    }

    /**
     * Only what the compiler says it changed ({@link IncrementalCompiler#lastChanges()}): the named
     * rule sets and address sets are compared and written or deleted, nothing else is looked at.
     * {@link CompiledChanges#everything()} (a full compile) compares everything.
     */
    public PublishResult publishChanges(CompiledCluster next, CompiledChanges changes, PublishedObjects published) {
        if (changes.everything()) {
            return publish(next, published);
        }
        Counts n = new Counts();
        List<String> staleParts = new ArrayList<>();
        for (String name : changes.addressSets()) {
            AddressSet set = next.addressSets().get(name);
            Split before = splits.get(name);
            int partsBefore = before == null ? 1 : before.parts().size();
            int partsNow = 0;
            if (set != null) {
                List<dev.netfence.crds.AddressSet> parts = parts(set);
                partsNow = parts.size();
                for (dev.netfence.crds.AddressSet part : parts) {
                    writeIfDifferent(part, published, n);
                }
            } else {
                splits.remove(name);
            }
            for (int i = partsNow; i < partsBefore; i++) {
                staleParts.add(AddressSetParts.partName(name, i));
            }
        }
        for (String node : changes.nodes()) {
            NodeRuleSet rs = next.nodes().get(node);
            if (rs != null) {
                writeIfDifferent(rs, published, n);
            }
        }
        for (String node : changes.nodes()) {
            if (!next.nodes().containsKey(node) && published.nodeRuleSetNames().contains(node)) {
                writer.deleteNodeRuleSet(node);
                n.nrsDeleted++;
            }
        }
        for (String part : staleParts) {
            if (published.addressSetPart(part) != null) {
                writer.deleteAddressSet(part);
                n.asDeleted++;
            }
        }
        hashes.retainNodes(next.nodes().keySet());
        return n.result();
    }

    /** Only the named objects (changed or deleted by someone): put back, or deleted when not compiled. */
    public PublishResult repair(CompiledCluster compiled, Collection<String> ruleSets, Collection<String> addressSetParts,
                                PublishedObjects published) {
        Counts n = new Counts();
        Map<String, dev.netfence.crds.AddressSet> desired = new HashMap<>();
        for (String part : new LinkedHashSet<>(addressSetParts)) {
            dev.netfence.crds.AddressSet d = desiredPart(compiled, part);
            if (d != null) {
                desired.put(part, d);
                writeIfDifferent(d, published, n);
            }
        }
        for (String name : new LinkedHashSet<>(ruleSets)) {
            NodeRuleSet rs = compiled.nodes().get(name);
            if (rs != null) {
                writeIfDifferent(rs, published, n);
            } else if (published.nodeRuleSetNames().contains(name)) {
                writer.deleteNodeRuleSet(name);
                n.nrsDeleted++;
            }
        }
        for (String part : new LinkedHashSet<>(addressSetParts)) {
            if (!desired.containsKey(part) && published.addressSetPart(part) != null) {
                writer.deleteAddressSet(part);
                n.asDeleted++;
            }
        }
        return n.result();
    }

    private dev.netfence.crds.AddressSet desiredPart(CompiledCluster compiled, String partName) {
        int dash = partName.lastIndexOf('-');
        for (String set : dash < 0 ? List.of(partName) : List.of(partName, partName.substring(0, dash))) {
            AddressSet s = compiled.addressSets().get(set);
            if (s != null) {
                for (dev.netfence.crds.AddressSet part : parts(s)) {
                    if (part.getMetadata().getName().equals(partName)) {
                        return part;
                    }
                }
            }
        }
        return null;
    }

    private void writeIfDifferent(dev.netfence.crds.AddressSet part, PublishedObjects published, Counts n) {
        if (sameSpec(part.getSpec(), published.addressSetPart(part.getMetadata().getName()))) {
            n.unchanged++;
        } else {
            writer.write(part);
            n.asWritten++;
        }
    }

    private void writeIfDifferent(NodeRuleSet rs, PublishedObjects published, Counts n) {
        if (hashes.of(rs).equals(published.nodeRuleSetHash(rs.node()))) {
            n.unchanged++;
        } else {
            writer.write(NodeRuleSetConverter.toResource(rs));
            n.nrsWritten++;
        }
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

    private static final class Counts {
        int nrsWritten;
        int asWritten;
        int nrsDeleted;
        int asDeleted;
        int unchanged;

        PublishResult result() {
            return new PublishResult(nrsWritten, asWritten, nrsDeleted, asDeleted, unchanged);
        }
    }
}
