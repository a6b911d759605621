package dev.netfence.enforcer.nft;

import dev.netfence.policy.net.IpAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Adds the fail-closed rule to a rendered table (pure): the sets {@code waiting_v4}/{@code waiting_v6}
 * of the addresses of pods the CNI plugin announced but the NodeRuleSet in force does not name yet,
 * and in each base chain, before the pod verdict maps, a counted drop of packets from
 * ({@code egress}) or to ({@code ingress}) those addresses.
 *
 * <p>Before the verdict maps, not after: an address reused by a new pod while the NodeRuleSet still
 * names the old one must not get the old pod's rules. After {@code ct state established,related
 * accept}: a pod that was never let through has no established flow, and a pod that leaves the set
 * keeps none it should not have (its first packets were dropped before conntrack confirmed them).
 * The sets always exist, empty or not, so a pod announced or named is an element delta (netlink),
 * never a new table shape.
 */
public final class FailClosedRules {
    public static final String COMMENT_EGRESS = "fail-closed: egress of a pod not in the NodeRuleSet yet";
    public static final String COMMENT_INGRESS = "fail-closed: ingress of a pod not in the NodeRuleSet yet";

    private FailClosedRules() {
    }

    /** {@code table} with the waiting sets holding {@code waiting} (addresses, canonical text) and the drop rules. */
    public static RenderedTable add(RenderedTable table, Collection<String> waiting) {
        TreeSet<String> v4 = new TreeSet<>();
        TreeSet<String> v6 = new TreeSet<>();
        for (String ip : waiting) {
            (IpAddress.parse(ip).v6() ? v6 : v4).add(ip);
        }
        List<NftSet> sets = new ArrayList<>(table.sets());
        sets.add(new NftSet("waiting_v4", "ipv4_addr", false, List.copyOf(v4)));
        sets.add(new NftSet("waiting_v6", "ipv6_addr", false, List.copyOf(v6)));
        List<NftChain> chains = new ArrayList<>();
        for (NftChain c : table.chains()) {
            if (c.hook() == null || !(c.name().equals("egress") || c.name().equals("ingress"))) {
                chains.add(c);
                continue;
            }
            boolean egress = c.name().equals("egress");
            String field = egress ? "saddr" : "daddr";
            String comment = RenderedTable.quote(egress ? COMMENT_EGRESS : COMMENT_INGRESS);
            List<String> rules = new ArrayList<>(c.rules());
            int at = firstVerdictMap(rules);
            rules.add(at, "ip6 " + field + " @waiting_v6 counter drop comment " + comment);
            rules.add(at, "ip " + field + " @waiting_v4 counter drop comment " + comment);
            chains.add(new NftChain(c.name(), c.hook(), c.comment(), rules));
        }
        return new RenderedTable(sets, chains);
    }

    /** Where the pod lookups start (the end of the chain if the renderer has none). */
    private static int firstVerdictMap(List<String> rules) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).contains(" vmap ") || rules.get(i).contains(" map ")) {
                return i;
            }
        }
        return rules.size();
    }
}
