package dev.netfence.enforcer.nft;

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
    public static final String COMMENT_CIDR_EGRESS = "fail-closed: egress of a pod CIDR address no known pod has";
    public static final String COMMENT_CIDR_INGRESS = "fail-closed: ingress of a pod CIDR address no known pod has";

    private FailClosedRules() {
    }

    /** {@code table} with the waiting sets holding {@code waiting} (addresses, canonical text) and the drop rules. */
    public static RenderedTable add(RenderedTable table, Collection<String> waiting) {
        return add(table, waiting, List.of(), List.of());
    }

    /**
     * The same, and when {@code podCidrs} is not empty: after the pod lookups, a counted drop of any
     * address of the node's pod CIDRs ({@code podcidr_v4}/{@code _v6}, interval sets) that is not in
     * {@code allowed} ({@code known_v4}/{@code _v6}: the rule set's pods and announced exempt pods).
     */
    public static RenderedTable add(RenderedTable table, Collection<String> waiting, Collection<String> podCidrs,
                                    Collection<String> allowed) {
        List<NftSet> sets = new ArrayList<>(table.sets());
        addSets(sets, "waiting", false, waiting);
        boolean cidrs = !podCidrs.isEmpty();
        if (cidrs) {
            addSets(sets, "podcidr", true, podCidrs);
            addSets(sets, "known", false, allowed);
        }
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
            if (cidrs) {
                // after the lookups: a pod the rule set isolates was judged by its own chains already
                String unknown = RenderedTable.quote(egress ? COMMENT_CIDR_EGRESS : COMMENT_CIDR_INGRESS);
                rules.add("ip " + field + " @podcidr_v4 ip " + field + " != @known_v4 counter drop comment " + unknown);
                rules.add("ip6 " + field + " @podcidr_v6 ip6 " + field + " != @known_v6 counter drop comment " + unknown);
            }
            chains.add(new NftChain(c.name(), c.hook(), c.comment(), rules));
        }
        return new RenderedTable(sets, chains);
    }

    private static void addSets(List<NftSet> sets, String name, boolean interval, Collection<String> entries) {
        TreeSet<String> v4 = new TreeSet<>();
        TreeSet<String> v6 = new TreeSet<>();
        for (String e : entries) {
            (e.indexOf(':') >= 0 ? v6 : v4).add(e);
        }
        sets.add(new NftSet(name + "_v4", "ipv4_addr", interval, List.copyOf(v4)));
        sets.add(new NftSet(name + "_v6", "ipv6_addr", interval, List.copyOf(v6)));
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
