package dev.netfence.enforcer.nft;

import dev.netfence.policy.model.Direction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Adds the fail-closed rule to a rendered table (pure): the sets {@code waiting_v4}/{@code waiting_v6}
 * of the addresses of pods the CNI plugin announced but the NodeRuleSet in force does not name yet,
 * and in each base chain, before the goto to the pod chains (the pod lookups), a counted drop of packets from
 * ({@code egress}) or to ({@code ingress}) those addresses.
 *
 * <p>Before the lookups, not after: an address reused by a new pod while the NodeRuleSet still
 * names the old one must not get the old pod's rules, and a packet another tool marked leaves the
 * base chain by the renderer's {@code goto <dir>_marked}, after which nothing of the chain runs. After {@code ct state established,related
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
     * The same, and when {@code podCidrs} is not empty: next to it, a counted drop of any
     * address of the node's pod CIDRs ({@code podcidr_v4}/{@code _v6}, interval sets) that is not in
     * {@code allowed} ({@code known_v4}/{@code _v6}: the rule set's pods and announced exempt pods).
     */
    public static RenderedTable add(RenderedTable table, Collection<String> waiting, Collection<String> podCidrs,
                                    Collection<String> allowed) {
        return add(table, waiting, podCidrs, sorted(allowed, false), sorted(allowed, true));
    }

    /**
     * The same with the known sets' elements given per family ({@code knownV4}, {@code knownV6}), used as they are:
     * the loop edits them per pod change ({@code KnownAddresses}) rather than sorting every pod's address again.
     */
    public static RenderedTable add(RenderedTable table, Collection<String> waiting, Collection<String> podCidrs,
                                    List<String> knownV4, List<String> knownV6) {
        List<NftSet> more = new ArrayList<>(6);
        more.add(new NftSet("waiting_v4", "ipv4_addr", false, sorted(waiting, false)));
        more.add(new NftSet("waiting_v6", "ipv6_addr", false, sorted(waiting, true)));
        boolean cidrs = !podCidrs.isEmpty();
        if (cidrs) {
            more.add(new NftSet("podcidr_v4", "ipv4_addr", true, sorted(podCidrs, false)));
            more.add(new NftSet("podcidr_v6", "ipv6_addr", true, sorted(podCidrs, true)));
            more.add(new NftSet("known_v4", "ipv4_addr", false, knownV4));
            more.add(new NftSet("known_v6", "ipv6_addr", false, knownV6));
        }
        List<NftChain> v6Chains = new ArrayList<>(2);
        List<NftChain> chains = table.withLeadingChains(c -> {
            if (c.hook() == null) {
                return cidrs ? withNodeRule(c, table) : c;
            }
            boolean egress = c.name().equals("egress");
            String field = egress ? "saddr" : "daddr";
            String comment = RenderedTable.quote(egress ? COMMENT_EGRESS : COMMENT_INGRESS);
            List<String> rules = new ArrayList<>(c.rules());
            int at = firstPodLookup(rules);
            if (!cidrs) {
                rules.addAll(at, List.of("ip " + field + " @waiting_v4 counter drop comment " + comment,
                        "ip6 " + field + " @waiting_v6 counter drop comment " + comment));
                return new NftChain(c.name(), c.hook(), c.comment(), rules);
            }
            // Known pods first, even before the node's addresses: known_* never holds a waiting address
            // (KnownAddresses leaves them out), so a known address can skip both drops and go straight to the pod
            // chain of its family; on a node with pod CIDRs that is nearly every local pod's packet, which then pays
            // one lookup here instead of four (node, waiting, pod CIDR, known). The node's addresses are tested in
            // the pod chains instead, after the accept of a pod nothing isolates (withNodeRule), so a packet of a
            // non-isolated pod pays no node lookup at all. Then IPv6 goes to its own chain, so that an IPv4 packet
            // of an address no local pod has (another node's pod: every cross-node flow in one of the two base
            // chains) meets no IPv6 rule either. A goto does not return: falling off the pod chain's end accepts,
            // as falling off the base chain's end did (the policy).
            int ct = 0;
            while (ct < rules.size() && rules.get(ct).startsWith("ct state ")) {
                ct++;
            }
            String unknown = RenderedTable.quote(egress ? COMMENT_CIDR_EGRESS : COMMENT_CIDR_INGRESS);
            List<String> out = new ArrayList<>(rules.subList(0, ct));
            List<String> v6 = new ArrayList<>(5);
            for (boolean isV6 : new boolean[]{false, true}) {
                String ip = isV6 ? "ip6 " : "ip ";
                String family = isV6 ? "_v6" : "_v4";
                List<String> to = isV6 ? v6 : out;
                String podChain = NftablesRenderer.podChainName(egress ? Direction.EGRESS : Direction.INGRESS, isV6);
                to.add(ip + field + " @known" + family + " goto " + podChain);
                if (!isV6) {
                    to.add("meta nfproto ipv6 goto " + c.name() + "_v6");
                }
                for (String r : rules.subList(ct, at)) {
                    if (r.startsWith(ip)) {
                        to.add(r);    // the node's addresses of this family
                    }
                }
                to.add(ip + field + " @waiting" + family + " counter drop comment " + comment);
                // every pod the rule set names is in known_*, isolated or not: only unknown addresses match
                to.add(ip + field + " @podcidr" + family + " counter drop comment " + unknown);
                to.add("goto " + podChain);
            }
            v6Chains.add(new NftChain(c.name() + "_v6", null, "the IPv6 part of " + c.name()
                    + " after the ct state rules: known addresses, node addresses, fail-closed drops", v6));
            return new NftChain(c.name(), c.hook(), c.comment(), out);
        });
        // the table's own sets and chains shared, not copied, on every pod change (SharedList)
        return new RenderedTable(SharedList.appended(table.sets(), more),
                v6Chains.isEmpty() ? chains : SharedList.appended(chains, v6Chains), table.objects());
    }

    /**
     * A pod chain ({@code egress_pod_v4}) with its family's test of the node's addresses from the base chain
     * ({@code ip daddr @node_v4 accept}) after its first rule (the accept of a pod nothing isolates): a known address
     * skips the base chain's node test (see above), and traffic between an isolated pod and the node stays allowed.
     */
    private static NftChain withNodeRule(NftChain pod, RenderedTable table) {
        String base = pod.name().substring(0, pod.name().indexOf("_pod_"));
        String family = pod.name().endsWith("_v6") ? "ip6 " : "ip ";
        List<String> rules = new ArrayList<>(pod.rules());
        for (String r : RenderedTable.leadingChain(table.chains(), base).rules()) {
            if (r.startsWith(family) && r.contains("@node_v")) {
                rules.add(1, r);
                break;
            }
        }
        return new NftChain(pod.name(), pod.hook(), pod.comment(), rules);
    }

    /** The entries of one family ({@code v6}: IPv6), sorted, without duplicates. */
    private static List<String> sorted(Collection<String> entries, boolean v6) {
        TreeSet<String> out = new TreeSet<>();
        for (String e : entries) {
            if ((e.indexOf(':') >= 0) == v6) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Where the pod lookups start: after the leading rules that accept conntrack replies and the node's
     * own traffic, at the renderer's {@code goto} to the pod chains (which look the pod up, and send packets
     * someone else marked on to {@code <dir>_marked}; nothing of this chain runs after a goto).
     */
    private static int firstPodLookup(List<String> rules) {
        for (int i = 0; i < rules.size(); i++) {
            String r = rules.get(i);
            if (!r.startsWith("ct state ") && !r.contains("@node_v")) {
                return i;
            }
        }
        return rules.size();
    }
}
