package dev.netfence.policy.compile;

import java.util.List;

/**
 * The addresses one peer entry stands for (Antrea's address group), shared by every rule and every
 * node that needs it. Like Antrea's address groups it is named after its normalised definition
 * (the selectors and the namespace scope, the ipBlock, the DNS carve-out), not after its current
 * members: peers defined alike share one set, and when a pod comes or goes the set keeps its name
 * and only its entries change, so one pod change is one AddressSet write, the NodeRuleSets that
 * refer to it stay as they are, and the datapath gets an element delta. Entries are non-overlapping, sorted (IPv4 first) and written as nftables interval
 * elements: a single address ({@code 10.0.0.1}), a network ({@code 10.0.0.0/24}) or a range
 * ({@code 10.0.0.0-10.0.0.4}, what an {@code ipBlock} with {@code except} leaves). Adjacent pod
 * addresses are deliberately not merged, so that one pod change is one element change.
 *
 * @param name    {@code as-} followed by a hash of the peer's normalised definition
 * @param entries the addresses, canonical text
 */
public record AddressSet(String name, List<String> entries) {
    public AddressSet {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /** The set for a peer defined by {@code definition} (normalised text), holding {@code entries}. */
    public static AddressSet of(String definition, List<String> entries) {
        return new AddressSet(nameOf(definition), entries);
    }

    public static String nameOf(String definition) {
        return "as-" + ContentHash.of(definition);
    }
}
