package dev.netfence.enforcer.nft;

import java.util.List;

/**
 * A chain of the table: a base chain when {@code hook} is set ({@code type filter hook forward
 * priority filter; policy accept;}), a regular chain otherwise. {@code rules} are complete rule
 * statements.
 */
public record NftChain(String name, String hook, String comment, List<String> rules) {
    public NftChain {
        rules = List.copyOf(rules);
    }
}
