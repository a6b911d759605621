package dev.netfence.policy.compile;

import java.util.List;

/**
 * The addresses one peer entry stands for (Antrea's address group), shared by every rule and every
 * node that needs it, and named after its content so that equal content is one object and one
 * write. Entries are non-overlapping, sorted (IPv4 first) and written as nftables interval
 * elements: a single address ({@code 10.0.0.1}), a network ({@code 10.0.0.0/24}) or a range
 * ({@code 10.0.0.0-10.0.0.4}, what an {@code ipBlock} with {@code except} leaves). Adjacent pod
 * addresses are deliberately not merged, so that one pod change is one element change.
 *
 * @param name    {@code as-} followed by a hash of {@code entries}
 * @param entries the addresses, canonical text
 */
public record AddressSet(String name, List<String> entries) {
    public AddressSet {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /** The set holding exactly these (already normalised) entries, named after them. */
    public static AddressSet of(List<String> entries) {
        return new AddressSet("as-" + ContentHash.of(String.join(",", entries)), entries);
    }
}
