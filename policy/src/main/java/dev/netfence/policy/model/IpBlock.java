package dev.netfence.policy.model;

import java.util.List;

/** {@code ipBlock}: a CIDR with optional exceptions, kept as written; the validator checks them. */
public record IpBlock(String cidr, List<String> except) {
    public IpBlock {
        except = except == null ? List.of() : List.copyOf(except);
    }
}
