package dev.netfence.crds.ruleset;

import dev.netfence.crds.AddressSetSpec;
import dev.netfence.policy.compile.AddressSet;
import dev.netfence.policy.compile.ContentHash;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Splits a compiled {@link AddressSet} into {@code AddressSet} resources small enough for the API
 * server, and joins them back. Kubernetes refuses objects above about 1.5 MiB (etcd's request
 * limit) and the issue asks for every object below 1 MiB: at the scale limits one peer such as
 * {@code namespaceSelector: {}} selects 150,000 pods, about 2.4 MB of dual-stack entries. Parts hold
 * at most {@link #MAX_PART_BYTES} of entry text, which leaves room for the JSON around them.
 *
 * <p>The split depends only on the entries, so equal sets give equal parts. Part 0 is named after
 * the set, so a reader that knows the set's name finds {@code spec.parts} there.
 */
public final class AddressSetParts {

    /** Entry bytes per part, JSON quoting and commas included (the object stays well below 1 MiB). */
    public static final int MAX_PART_BYTES = 512 * 1024;

    private AddressSetParts() {
    }

    /** The name of part {@code index} of {@code set}. */
    public static String partName(String set, int index) {
        return index == 0 ? set : set + "-" + index;
    }

    public static List<dev.netfence.crds.AddressSet> split(AddressSet set) {
        return split(set, MAX_PART_BYTES);
    }

    static List<dev.netfence.crds.AddressSet> split(AddressSet set, int maxPartBytes) {
        List<List<String>> chunks = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int bytes = 0;
        for (String e : set.entries()) {
            int size = e.getBytes(StandardCharsets.UTF_8).length + 3;
            if (!current.isEmpty() && bytes + size > maxPartBytes) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(e);
            bytes += size;
        }
        chunks.add(current);
        String hash = entriesHash(set.entries());
        List<dev.netfence.crds.AddressSet> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            dev.netfence.crds.AddressSet r = new dev.netfence.crds.AddressSet();
            r.setMetadata(new ObjectMetaBuilder().withName(partName(set.name(), i))
                    .withLabels(Map.of(dev.netfence.crds.AddressSet.SET_LABEL, set.name())).build());
            AddressSetSpec s = new AddressSetSpec();
            s.set = set.name();
            s.part = i;
            s.parts = chunks.size();
            s.contentHash = hash;
            s.size = chunks.get(i).size();
            s.entries = chunks.get(i);
            r.setSpec(s);
            out.add(r);
        }
        return out;
    }

    /** The hash every part of a set carries in {@code spec.contentHash}. */
    public static String entriesHash(List<String> entries) {
        return ContentHash.of(String.join(",", entries));
    }

    /**
     * The set the parts make up, checked: every part present once, all from the same version of the
     * set (equal {@code spec.contentHash}), and the joined entries hashing to it (a hand-edited part is refused).
     */
    public static AddressSet join(String set, List<dev.netfence.crds.AddressSet> parts) {
        String object = "AddressSet " + set;
        List<dev.netfence.crds.AddressSet> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparing(p -> p.getSpec() == null || p.getSpec().part == null ? -1 : p.getSpec().part));
        if (sorted.isEmpty()) {
            throw new InvalidRuleSetException(object, "spec.parts", "no part found");
        }
        int expected = sorted.get(0).getSpec() == null || sorted.get(0).getSpec().parts == null ? -1
                : sorted.get(0).getSpec().parts;
        if (expected != sorted.size()) {
            throw new InvalidRuleSetException(object, "spec.parts", "says " + expected + " parts but " + sorted.size()
                    + " were found");
        }
        String hash = sorted.get(0).getSpec().contentHash;
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            AddressSetSpec s = sorted.get(i).getSpec();
            if (!set.equals(s.set) || s.part == null || s.part != i) {
                throw new InvalidRuleSetException(object + " part " + i, "spec.set/spec.part",
                        "expected part " + i + " of " + set + ", found part " + s.part + " of " + s.set);
            }
            if (hash == null || !hash.equals(s.contentHash)) {
                throw new InvalidRuleSetException(object + " part " + i, "spec.contentHash", "parts of different versions of the set ("
                        + hash + ", " + s.contentHash + "): wait until the operator has written every part");
            }
            if (s.entries != null) {
                entries.addAll(s.entries);
            }
        }
        if (!entriesHash(entries).equals(hash)) {
            throw new InvalidRuleSetException(object, "spec.entries", "the entries do not hash to spec.contentHash "
                    + hash + ": the parts were changed after the operator wrote them");
        }
        return new AddressSet(set, entries);
    }
}
