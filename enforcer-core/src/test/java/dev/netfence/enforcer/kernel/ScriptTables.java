package dev.netfence.enforcer.kernel;

import dev.netfence.enforcer.nft.NftChain;
import dev.netfence.enforcer.nft.RenderedTable;
import java.util.List;

/** What libnftables can load of a rendered table, for tests and benchmarks that compare with it. */
public final class ScriptTables {
    private ScriptTables() {
    }

    /**
     * The table without the marked path's rules ({@code ip daddr . 0x00000001 @ingress_pod_ids_v4 jump ...}), which
     * only the netlink encoder can load (nft 1.0.6 cannot parse them); every other rule as it is.
     */
    public static RenderedTable withoutMarkedPath(RenderedTable table) {
        List<NftChain> chains = table.chains().stream().map(c -> new NftChain(c.name(), c.hook(), c.comment(),
                c.rules().stream().filter(r -> !isMarkedPath(r)).toList())).toList();
        return new RenderedTable(table.sets(), chains, table.objects());
    }

    /** {@code ip|ip6 saddr|daddr . 0x... @set ...}: an address concatenated with a constant. */
    public static boolean isMarkedPath(String rule) {
        return rule.matches("ip6? [sd]addr \\. 0x.*");
    }
}
