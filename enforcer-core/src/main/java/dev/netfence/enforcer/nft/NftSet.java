package dev.netfence.enforcer.nft;

import java.util.List;

/**
 * A named set or verdict map of the table. {@code type} is the nftables type expression
 * ({@code ipv4_addr}, {@code ipv4_addr : verdict}); {@code elements} are written as nftables
 * reads them. Only the elements may change through a delta: any other difference needs a full
 * replacement of the table.
 */
public record NftSet(String name, String type, boolean interval, List<String> elements) {
    public NftSet {
        // a pod map the pod path edited is kept as it is (immutable, shares its chunks: ElementList)
        elements = elements instanceof ElementList ? elements : List.copyOf(elements);
    }

    /** The set without its elements: what must be equal for an element delta to be enough. */
    public NftSet declaration() {
        return new NftSet(name, type, interval, List.of());
    }

    public boolean isMap() {
        return type.contains(":");
    }
}
